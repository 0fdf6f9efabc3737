#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What the adaptive polling tests (idle.sh, idle_ports.sh, idle_workers.sh) share: the
# workers' sleep counters, waiting for a worker to be asleep, and a guest process with two
# ports (gab: ga and gb) that measures a frame's way through the switch itself: what port 0
# sends carries the process's own stamp when port 1 receives it, so `latency` is the one-way
# time of each frame, with no shell or pipe in it. Source after lib.sh.

# The bounds on a frame's way after idle, and why:
# WAKE_MS: lsgen's own one-way latency of a frame sent to a sleeping worker. A guest's kick
# (an eventfd write) wakes a thread from epoll_wait in tens of microseconds, and the issue's
# goal is the floor + 20 us; 10 ms leaves room for a busy machine (the scheduler's slices
# here are 3 ms at most) and is still shorter than any timer a missed wake-up could be
# rescued by (the control thread's ticks, a guest's own retries, a watchdog poll).
# ARRIVE_MS: a frame's way from the shell's clock to the receiving guest's clock (lsgen's
# rx_last_ns, CLOCK_REALTIME as $EPOCHREALTIME), for frames lsgen cannot time itself (from
# another guest process, from a namespace's interface). On top of the switch it holds the
# send command's way through a pipe into a guest that shares CPU 0 with the other guests and
# the control thread (each yields when idle: a few ms at worst), or a Python sender's last
# step; 20 ms is twice WAKE_MS and still catches a wake-up missed until a timer's rescue.
WAKE_MS=${WAKE_MS:-10}
ARRIVE_MS=${ARRIVE_MS:-20}

# wstat FIELD [WORKER]: one field of one worker's object in lanctl -j stats' workers; -1 if it has no
# such field (a switch without adaptive polling: the checks fail, the arithmetic goes on)
wstat() { lanctlj stats | jq -r --arg f "$1" ".workers[${2:-0}] | if has(\$f) then .[\$f] else -1 end"; }

# wait_asleep [WORKER]: until the worker sleeps in epoll_wait (false after 5 s)
wait_asleep() {
	wait_for "worker ${1:-0} asleep" 5 '[ "$(wstat asleep '"${1:-0}"')" == true ]'
}

# check_that DESCRIPTION VALUE OP BOUND: [ VALUE OP BOUND ] (-lt, -ge, ...); shows VALUE if not
check_that() {
	check "$1 ($3 $4)" yes "$(test "$2" "$3" "$4" && echo yes || echo "$2")"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; } # wall clock, without a fork

# rx_last_us GUEST PORT: when GUEST's PORT last received a frame, wall clock in us (none
# since the reset: far in the future, so that no bound takes the difference)
rx_last_us() {
	gen "$1" stats "$2" | jq -r '.ports[0].rx_last_ns | if . == 0 then 9e18 else . end |
		. / 1000 | floor'
}

# pair_attach A B: the guest process gab with port 0 (MAC A) behind switch port ga and port 1
# (MAC B) behind gb, links up on both ends. Exits the test on failure, as guests_attach does.
pair_attach() {
	gen_start gab "$T/ga.sock" "$1" server "net_virtio_user1,path=$T/gb.sock,mac=$2,server=1" ||
		exit 1
	lanctl port add ga vhost "$T/ga.sock" || exit 1
	lanctl port add gb vhost "$T/gb.sock" || exit 1
	pair_up || exit 1
}

pair_up() {
	[ "$(gen gab link 0 15000 | jq -r .link)" == up ] &&
		[ "$(gen gab link 1 15000 | jq -r .link)" == up ] &&
		wait_for "port ga up" 15 '[ "$(port_field ga .link)" == up ]' &&
		wait_for "port gb up" 15 '[ "$(port_field gb .link)" == up ]'
}

# pair_rx PORT: frames gab's port received since the last reset
pair_rx() { gen gab stats "$1" | jq -r '.ports[0].rx'; }

# seq_of GUEST PORT: "rx streams ok lost late untracked" of the port (lsgen's seq_* counters)
seq_of() {
	gen "$1" stats "$2" | jq -r '.ports[0] |
		"\(.rx) \(.seq_streams) \(.seq_ok) \(.seq_lost) \(.seq_late) \(.seq_untracked)"'
}
pair_seq() { seq_of gab "$1"; }

# lat_us: the largest one-way latency gab measured since the last reset, in microseconds;
# without a sample, a number no bound takes
lat_us() { gen gab latency | jq -r '(.max_ns // 1e15) / 1000 | floor'; }

# arrive_us FROM FPORT TO TPORT DST: one frame from FROM's port FPORT to DST, and TO's port
# TPORT waits for it; prints "RX US": what TO's port had then, and the time from just before
# the send command to the frame's arrival at TO. The caller resets TO first.
arrive_us() {
	local t0 rx
	t0=$(now_us)
	gen "$1" send "$2" 1 dst "$5" >/dev/null
	rx=$(gen "$3" wait "$4" 1 2000 | jq -r .rx)
	echo "$rx $(($(rx_last_us "$3" "$4") - t0))"
}

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Adaptive polling (issue 17) on vhost-user ports, one worker: a worker with nothing to do
# sleeps, and no frame is lost or late for it. A frame after a second of idle arrives within
# WAKE_MS; a million frames in bursts with idle gaps all arrive, in order (lsgen's sequence
# counters); a guest that reconnects while the worker sleeps, and ports removed and added
# while it sleeps, are served; frames held for a stopped guest keep it awake; poll mode is
# today's busy poll; the settings are checked, shown and kept; and idle, lanswitchd costs
# under 2% of a core. idle_ports.sh has the afxdp and tap ports, idle_workers.sh two workers.
ALL_TESTS=${ONLY:-"t_seq_counters t_idle_cpu t_frame_after_idle t_bursts_in_order
	t_reconnect_asleep t_port_del_add_asleep t_held_keeps_awake t_poll_mode t_bad_settings
	t_settings_kept"}
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/idle_lib.sh"

A=02:00:00:00:00:0a # gab's port 0, switch port ga
B=02:00:00:00:00:0b # gab's port 1, switch port gb
C=02:00:00:00:00:0c # the guest gc, a process of its own (stopped, killed, reconnected)

setup() {
	daemon_start || exit 1
	pair_attach $A $B
	guests_attach gc=$C
	learn
}

# Every MAC behind its port, and the broadcasts that taught the switch gone by.
learn() {
	gen gab send 0 1 >/dev/null
	gen gab send 1 1 >/dev/null
	gen gc send 0 1 >/dev/null
	gen gc wait 0 2 3000 >/dev/null
	gen gab wait 1 2 3000 >/dev/null
	gen_reset_all
}

# lsgen's sequence counters themselves, through the switch (poll or adaptive alike): gaps and
# late frames made with send's seq option are counted exactly, each sender its own stream.
t_seq_counters() {
	gen_reset_all
	gen gab send 0 10 dst $B seq 100 >/dev/null # 100..109: a new stream, 10 ok
	gen gab send 0 5 dst $B seq 120 >/dev/null  # 120..124: 110..119 lost, 5 ok
	gen gab send 0 3 dst $B seq 105 >/dev/null  # 105..107: late
	gen gab send 0 2 dst $B >/dev/null          # 108, 109: on from 105..107, late too
	gen gc send 0 4 dst $B >/dev/null           # gc's port 0: a second stream, 4 ok
	gen gab wait 1 24 3000 >/dev/null
	check "B's seq counters: rx streams ok lost late untracked" "24 2 19 10 5 0" \
		"$(pair_seq 1)"
	check "seq refused when not a number" \
		'{"error":"send: bad seq \"x\" (want 0..18446744073709551615)"}' \
		"$(gen gab send 0 1 seq x)"
	gen_reset_all
	check "reset clears them" "0 0 0 0 0 0" "$(pair_seq 1)"
}

# ticks: lanswitchd's user + system CPU time so far, in clock ticks (proc(5) fields 14, 15;
# its comm has no blank, so awk's fields are proc's)
ticks() { awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat"; }

# Idle with three guests connected (they poll themselves: only lanswitchd is measured), the
# switch takes under 2% of a core: 5 s are 5 * CLK_TCK ticks of one core.
t_idle_cpu() {
	local s0 c0 c1 t0 t1 hz pct
	hz=$(getconf CLK_TCK)
	s0=$(wstat sleeps)
	gen gab send 0 1 dst $B >/dev/null # wakes the worker, which must sleep again after it
	gen gab wait 1 1 2000 >/dev/null
	wait_asleep 0
	c0=$(ticks) t0=$(now_ms)
	sleep 5
	c1=$(ticks) t1=$(now_ms)
	pct=$(((c1 - c0) * 1000 * 100 / hz / (t1 - t0))) # percent of one core
	log "  idle: lanswitchd took $((c1 - c0)) ticks in $((t1 - t0)) ms, $pct% of a core"
	check_that "the worker slept again after the frame" "$(wstat sleeps)" -gt "$s0"
	check "and sleeps now" true "$(wstat asleep)"
	check_that "lanswitchd's CPU over 5 s idle, % of a core" "$pct" -lt 2
	gen_reset_all
}

# A frame after one second of idle: the worker slept in that second (its sleeps rose after
# the last frame before it), and the frame woke it and reached B within WAKE_MS.
t_frame_after_idle() {
	local s0 s1 w1 lat
	s0=$(wstat sleeps)
	gen_reset_all
	gen gab send 0 1 dst $B >/dev/null
	check "the frame before the idle second arrived" 1 "$(gen gab wait 1 1 2000 | jq .rx)"
	sleep 1
	s1=$(wstat sleeps) w1=$(wstat wakeups)
	check_that "sleeps rose in the idle second" "$s1" -gt "$s0"
	check "the worker sleeps at its end" true "$(wstat asleep)"
	gen_reset_all
	check "A sent one frame" '{"sent":1}' "$(gen gab send 0 1 dst $B)"
	check "B received it" 1 "$(gen gab wait 1 1 2000 | jq .rx)"
	lat=$(lat_us)
	log "  a frame after 1 s idle: ${lat} us"
	check_that "it took, in us" "$lat" -lt $((WAKE_MS * 1000))
	check_that "it woke the worker: wakeups" "$(wstat wakeups)" -gt "$w1"
	check "the switch forwarded it to gb alone" "1 0" \
		"$(pair_rx 1) $(gen_rx gc)"
}

# 1 000 000 frames from A to B in 40 bursts, each followed by an idle gap of 10 ms to 1 s:
# every frame arrives once, in order, and the worker slept in every gap.
t_bursts_in_order() {
	local gaps=(10 20 50 100 200 500 1000) n=40 per=25000 total=1000000 i ms sent=0
	local s0 w0 rx0 tx0 t0
	gen_reset_all
	s0=$(wstat sleeps) w0=$(wstat wakeups)
	rx0=$(port_field ga .rx_packets) tx0=$(port_field gb .tx_packets)
	t0=$SECONDS
	for ((i = 0; i < n; i++)); do
		sent=$((sent + $(gen gab send 0 $per dst $B | jq .sent)))
		ms=${gaps[i % ${#gaps[@]}]}
		sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	done
	check "A sent them all" $total $sent
	check "B received them all" $total "$(gen gab wait 1 $total 10000 | jq .rx)"
	check "in order, none lost or late: rx streams ok lost late untracked" \
		"$total 1 $total 0 0 0" "$(pair_seq 1)"
	check "ga took them all in" $((rx0 + total)) "$(port_field ga .rx_packets)"
	check "gb sent them all out" $((tx0 + total)) "$(port_field gb .tx_packets)"
	check "no drop at ga or gb, nothing held" "0 0 0" \
		"$(port_field ga '[.drops[]] | add') $(port_field gb '[.drops[]] | add') $(port_field gb .tx_held)"
	check "none to gc" 0 "$(gen_rx gc)"
	check_that "the worker slept in each of the $n gaps: sleeps" $(($(wstat sleeps) - s0)) -ge $n
	check_that "and woke for each burst: wakeups" $(($(wstat wakeups) - w0)) -ge $n
	log "  $total frames in $n bursts, $((SECONDS - t0)) s"
}

# gc goes away and comes back (a new vhost-user connection, a new kickfd) while the worker
# sleeps; afterwards a frame gc sends to a sleeping worker wakes it, and frames go both ways.
t_reconnect_asleep() {
	local rx us s0
	wait_asleep 0
	gen_stop gc
	wait_for "port gc down" 10 '[ "$(port_field gc .link)" == down ]'
	check "port gc down after its guest left" down "$(port_field gc .link)"
	wait_asleep 0
	s0=$(wstat sleeps)
	gen_start gc "$T/gc.sock" $C || { FAILS=$((FAILS + 1)); return; }
	gen_link_up gc 15000 && wait_for "port gc up" 15 '[ "$(port_field gc .link)" == up ]'
	check "port gc up again" up "$(port_field gc .link)"
	wait_asleep 0
	check_that "the worker slept again after the reconnect: sleeps" "$(wstat sleeps)" -gt "$s0"
	gen_reset_all
	read -r rx us <<<"$(arrive_us gc 0 gab 0 $A)"
	log "  gc -> A after the reconnect, worker asleep: $us us"
	check "C's first frame after the reconnect reached A" 1 "$rx"
	check_that "within, in us" "$us" -lt $((ARRIVE_MS * 1000))
	wait_asleep 0
	gen_reset_all
	check "C sent 100 to A" '{"sent":100}' "$(gen gc send 0 100 dst $A)"
	check "A received them" 100 "$(gen gab wait 0 100 3000 | jq .rx)"
	wait_asleep 0
	check "A sent 100 to C" '{"sent":100}' "$(gen gab send 0 100 dst $C)"
	check "C received them" 100 "$(gen gc wait 0 100 3000 | jq .rx)"
	check "in order: C's rx streams ok lost late untracked" "100 1 100 0 0 0" "$(seq_of gc 0)"
	check "B received none of them" 0 "$(pair_rx 1)"
}

# port del and port add while the worker sleeps: both return promptly (a sleeping worker
# does not hold up the grace period port del waits for), frames for the removed port's MAC
# are flooded as for any unknown one, and the port added again is polled: its guest's frame
# after idle wakes the worker.
t_port_del_add_asleep() {
	local t0 ms rx us ga_rx0
	wait_asleep 0
	t0=$(now_ms)
	timeout 10 "$LANCTL" -s "$SOCK" port del gc # a hang is a failure, not the test's end
	check "port del exit code" 0 $?
	ms=$(($(now_ms) - t0))
	log "  port del with the worker asleep: $ms ms"
	check_that "port del took, in ms" "$ms" -lt 1000
	check "gc is gone" "ga gb" "$(lanctlj port list | jq -r '[.[].name] | join(" ")')"
	check "C is unknown again" 0 "$(lanctlj fdb show | jq "[.[] | select(.mac == \"$C\")] | length")"
	wait_asleep 0
	gen_reset_all
	ga_rx0=$(port_field ga .rx_packets)
	check "A sent 50 to C" '{"sent":50}' "$(gen gab send 0 50 dst $C)"
	check "flooded to B, C unknown" 50 "$(gen gab wait 1 50 3000 | jq .rx)"
	check "ga counted them in, nothing dropped" "$((ga_rx0 + 50)) 0" \
		"$(port_field ga .rx_packets) $(port_field ga '[.drops[]] | add')"
	check "C got none" 0 "$(gen_rx gc)"
	wait_asleep 0
	t0=$(now_ms)
	timeout 10 "$LANCTL" -s "$SOCK" port add gc vhost "$T/gc.sock"
	check "port add exit code" 0 $?
	ms=$(($(now_ms) - t0))
	check_that "port add took, in ms" "$ms" -lt 1000
	gen_link_up gc 15000 && wait_for "port gc up" 15 '[ "$(port_field gc .link)" == up ]'
	check "the new gc is up" up "$(port_field gc .link)"
	wait_asleep 0
	gen_reset_all
	read -r rx us <<<"$(arrive_us gc 0 gab 0 ff:ff:ff:ff:ff:ff)"
	log "  a broadcast from the new port, worker asleep: $us us"
	check "its first frame reached A" 1 "$rx"
	check_that "within, in us" "$us" -lt $((ARRIVE_MS * 1000))
	check "and B" 1 "$(gen gab wait 1 1 2000 | jq .rx)"
	wait_asleep 0
	check "A sent 20 to C" '{"sent":20}' "$(gen gab send 0 20 dst $C)"
	check "the new gc received them" 20 "$(gen gc wait 0 20 3000 | jq .rx)"
	sleep 0.2
	check "and B only the broadcast" 1 "$(pair_rx 1)"
}

# gc's "tx_packets tx_held tx_ring_full"
gc_books() { port_field gc '"\(.tx_packets) \(.tx_held) \(.drops.tx_ring_full)"'; }

# stall_send N: gc stopped (its process, as a preempted vCPU), A sends it N frames; while
# they are held the worker must not sleep (sleeps unchanged over half a second, asleep
# false); then gc runs again. Sets tx h d: what gc's port sent, held and dropped meanwhile,
# and s_held: the worker's sleeps while it held them.
stall_send() {
	local n=$1 tx0 h0 d0
	wait_asleep 0
	gen_reset_all
	read -r tx0 h0 d0 <<<"$(gc_books)"
	kill -STOP "${GEN_PID[gc]}"
	check "A sent $n" "{\"sent\":$n}" "$(gen gab send 0 "$n" dst $C)"
	sleep 0.2
	s_held=$(wstat sleeps)
	sleep 0.5
	check "$n: the worker did not sleep while it held frames: sleeps" "$s_held" "$(wstat sleeps)"
	check "$n: nor sleeps now" false "$(wstat asleep)"
	read -r tx h d <<<"$(gc_books)"
	kill -CONT "${GEN_PID[gc]}"
	tx=$((tx - tx0)) h=$((h - h0)) d=$((d - d0))
	log "  while gc was stopped: $tx frames in its ring, $h held, $d dropped"
}

# As held.sh, with the worker's sleep watched: held frames keep it awake until they drain,
# or the tail beyond the held ring is counted; then it sleeps again.
t_held_keeps_awake() {
	local tx h d s_held
	stall_send 3000
	check_that "held while gc was stopped" "$h" -gt 0
	check "gc's ring + held == sent" 3000 $((tx + h))
	check "nothing dropped" 0 "$d"
	check "C received every frame once it ran" 3000 "$(gen gc wait 0 3000 10000 | jq .rx)"
	check "nothing held afterwards" 0 "$(port_field gc .tx_held)"
	wait_asleep 0
	check_that "the worker sleeps again once they drained: sleeps" "$(wstat sleeps)" -gt "$s_held"

	stall_send 8000
	check "held: the ring's size" 4096 "$h"
	check "gc's ring + held + dropped == sent" 8000 $((tx + h + d))
	check "C received its ring and the held frames" $((tx + h)) \
		"$(gen gc wait 0 $((tx + h)) 10000 | jq .rx)"
	check "nothing held afterwards" 0 "$(port_field gc .tx_held)"
	wait_asleep 0
	check_that "the worker sleeps again: sleeps" "$(wstat sleeps)" -gt "$s_held"
}

# poll mode is today's busy poll: no sleep over 2 s, frames arrive; adaptive again, it sleeps.
t_poll_mode() {
	local s0 c0 c1 t0 t1
	lanctl worker set mode poll
	check "worker set mode poll exit code" 0 $?
	check "stats say poll" poll "$(wstat mode)"
	s0=$(wstat sleeps)
	c0=$(ticks) t0=$(now_ms)
	sleep 2
	c1=$(ticks) t1=$(now_ms)
	check "poll: no sleep in 2 s idle" "$s0" "$(wstat sleeps)"
	check "poll: not asleep" false "$(wstat asleep)"
	# today's busy poll takes its core; half of it at least, were the machine busy elsewhere
	check_that "poll: lanswitchd's CPU over 2 s idle, % of a core" \
		$(((c1 - c0) * 1000 * 100 / $(getconf CLK_TCK) / (t1 - t0))) -ge 50
	gen_reset_all
	check "poll: A sent 100" '{"sent":100}' "$(gen gab send 0 100 dst $B)"
	check "poll: B received them" 100 "$(gen gab wait 1 100 3000 | jq .rx)"
	check "poll: no sleep for them either" "$s0" "$(wstat sleeps)"
	lanctl worker set mode adaptive
	check "worker set mode adaptive exit code" 0 $?
	check "stats say adaptive" adaptive "$(wstat mode)"
	wait_asleep 0
	check_that "adaptive again: sleeps" "$(wstat sleeps)" -gt "$s0"
}

# lanctl's grammar refuses a bad mode itself (exit 2, as a bad port type); the switch refuses
# a bad idle time (exit 1); neither changes anything.
t_bad_settings() {
	local before out rc v
	before=$(lanctl config show)
	out=$(lanctl worker set mode fast 2>&1)
	rc=$?
	check "bad mode refused by lanctl" '2|lanctl: worker set: expected adaptive or poll, got "fast"' \
		"$rc|$(head -1 <<<"$out")"
	out=$(lanctl worker set mode 2>&1)
	rc=$?
	check "mode without a value" '2|lanctl: worker set: missing adaptive or poll after "mode"' \
		"$rc|$(head -1 <<<"$out")"
	for v in 0 -1 1000001 x; do
		refused "bad idle time \"$v\": expected 1 to 1000000 microseconds" worker set idle-us "$v"
	done
	check "configuration unchanged" "$before" "$(lanctl config show)"
	check "mode and idle-us unchanged" "adaptive 50" "$(wstat mode) $(wstat idle_us)"
}

# The settings survive a restart through the state file, and config show has them only when
# they are not the defaults.
t_settings_kept() {
	local before
	check "defaults: no worker line in config show" 0 "$(lanctl config show | grep -c '^worker')"
	lanctl worker set idle-us 500 && lanctl worker set mode poll
	check "idle-us and mode shown" "worker set mode poll|worker set idle-us 500" \
		"$(lanctl config show | grep '^worker' | paste -sd '|')"
	check "and in stats" "poll 500" "$(wstat mode) $(wstat idle_us)"
	before=$(lanctl config show)
	daemon_stop
	check "the state file has them" 2 "$(grep -c '^worker set' "$STATE")"
	daemon_start || { FAILS=$((FAILS + 1)); return; }
	check "config show the same after a restart" "$before" "$(lanctl config show)"
	check "stats after a restart" "poll 500" "$(wstat mode) $(wstat idle_us)"
	sleep 1
	check "started in poll mode: never slept, not asleep" "0 0 false" \
		"$(wstat sleeps) $(wstat wakeups) $(wstat asleep)"
	pair_up && gen_link_up gc 15000 && wait_for "port gc up" 15 '[ "$(port_field gc .link)" == up ]'
	lanctl worker set mode adaptive && lanctl worker set idle-us 50
	check "defaults again: no worker line" 0 "$(lanctl config show | grep -c '^worker')"
	check "nor in the state file" 0 "$(grep -c '^worker' "$STATE")"
	check "adaptive 50 in stats" "adaptive 50" "$(wstat mode) $(wstat idle_us)"
	learn
	wait_asleep 0
	check "after the restart, A sent 10" '{"sent":10}' "$(gen gab send 0 10 dst $B)"
	check "B received them" 10 "$(gen gab wait 1 10 3000 | jq .rx)"
}

setup
run_tests

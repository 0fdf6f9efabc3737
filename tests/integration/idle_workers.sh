#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Adaptive polling (issue 17) with two workers (three lcores, the workers sharing CPU 1 as
# forwarding-2workers does): both sleep when idle, each is woken by its own ports' guests,
# and frames between ports on different workers arrive after idle, within WAKE_MS.
ALL_TESTS=${ONLY:-"t_two_workers_sleep t_across_workers"}
LANSWITCH_EAL=${LANSWITCH_EAL:---lcores 0@0,1@1,2@1}
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/idle_lib.sh"

A=02:00:00:00:00:0a # gab's port 0, switch port ga: worker 0 (the first port: fewest ports)
B=02:00:00:00:00:0b # gab's port 1, switch port gb: worker 1

setup() {
	daemon_start || exit 1
	pair_attach $A $B
	gen gab send 0 1 >/dev/null
	gen gab send 1 1 >/dev/null
	gen gab wait 1 1 3000 >/dev/null
	gen gab wait 0 1 3000 >/dev/null
	gen_reset_all
}

t_two_workers_sleep() {
	local s0 s1
	check "two workers, both adaptive" "2 adaptive adaptive" \
		"$(lanctlj stats | jq -r '.workers | length') $(wstat mode 0) $(wstat mode 1)"
	s0=$(wstat sleeps 0) s1=$(wstat sleeps 1)
	gen gab send 0 1 dst $B >/dev/null # wakes the worker of ga
	gen gab send 1 1 dst $A >/dev/null # and that of gb
	gen gab wait 0 1 2000 >/dev/null
	sleep 1
	check "both asleep after 1 s idle" "true true" "$(wstat asleep 0) $(wstat asleep 1)"
	check_that "worker 0 slept since: sleeps" "$(wstat sleeps 0)" -gt "$s0"
	check_that "worker 1 slept since: sleeps" "$(wstat sleeps 1)" -gt "$s1"
	gen_reset_all
}

# send_after_idle FROM TO DST: N frames from gab's port FROM to DST (port TO) with both workers
# asleep: all arrive, the first within WAKE_MS; the receiving worker forwarded none of them.
send_after_idle() {
	local from=$1 to=$2 dst=$3 n=100 p0 p1 lat
	wait_asleep 0 && wait_asleep 1
	check "port $from -> $to: both workers asleep before" "true true" \
		"$(wstat asleep 0) $(wstat asleep 1)"
	p0=$(wstat packets 0) p1=$(wstat packets 1)
	gen_reset_all
	check "port $from -> $to: the first frame sent" '{"sent":1}' "$(gen gab send "$from" 1 dst "$dst")"
	check "port $from -> $to: it arrived" 1 "$(gen gab wait "$to" 1 2000 | jq .rx)"
	lat=$(lat_us)
	log "  port $from -> port $to across workers, both asleep: $lat us"
	check_that "port $from -> $to: it took, in us" "$lat" -lt $((WAKE_MS * 1000))
	check "port $from -> $to: $((n - 1)) more sent" "{\"sent\":$((n - 1))}" \
		"$(gen gab send "$from" $((n - 1)) dst "$dst")"
	check "port $from -> $to: all arrived, in order: rx streams ok lost late untracked" \
		"$n 1 $n 0 0 0" "$(gen gab wait "$to" $n 3000 >/dev/null && pair_seq "$to")"
	# the worker of the sending port forwarded them all, the other none
	check "port $from -> $to: packets of the workers of ga and gb" \
		"$([ "$from" == 0 ] && echo "$n 0" || echo "0 $n")" \
		"$(($(wstat packets 0) - p0)) $(($(wstat packets 1) - p1))"
}

t_across_workers() {
	send_after_idle 0 1 $B
	send_after_idle 1 0 $A
	wait_asleep 0 && wait_asleep 1
	check "both asleep afterwards" "true true" "$(wstat asleep 0) $(wstat asleep 1)"
}

setup
run_tests

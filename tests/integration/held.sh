#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A guest that stops polling (its process stopped, as a preempted vCPU is) loses no frame
# while what it missed fits its port's held ring (4 096 frames per worker): the frames wait
# as tx_held and reach it, all of them, when it runs again. Beyond that the tail is dropped
# and counted as tx_ring_full, and what was held still arrives.
ALL_TESTS="test_stalled_guest_loses_nothing test_overflow_drops_the_tail"
source "$(dirname "$0")/lib.sh"

A=02:00:00:00:00:0a
B=02:00:00:00:00:0b
HELD_MAX=4096

setup() {
	daemon_start || exit 1
	guests_attach ga=$A gb=$B
	gen ga send 0 1 >/dev/null
	gen gb send 0 1 >/dev/null
	gen ga wait 0 1 3000 >/dev/null
}

# gb's "tx_packets tx_held tx_ring_full"
gb_books() { port_field gb '"\(.tx_packets) \(.tx_held) \(.drops.tx_ring_full)"'; }

# stall_send N: B stopped, A sends N frames to B, then B runs again. Sets tx h d: what gb
# sent into B's ring, held, and dropped while B was stopped. The caller checks what B got.
stall_send() {
	local n=$1 tx0 h0 d0
	gen_reset_all
	read -r tx0 h0 d0 <<<"$(gb_books)"
	kill -STOP "${GEN_PID[gb]}"
	check "A sent $n" "{\"sent\":$n}" "$(gen ga send 0 "$n" dst $B)"
	sleep 0.3
	read -r tx h d <<<"$(gb_books)"
	kill -CONT "${GEN_PID[gb]}"
	tx=$((tx - tx0)) h=$((h - h0)) d=$((d - d0))
	log "  while B was stopped: $tx frames in its ring, $h held, $d dropped"
}

test_stalled_guest_loses_nothing() {
	local n=3000 tx h d
	stall_send $n
	check "held while B was stopped: more than none" yes "$([ "$h" -gt 0 ] && echo yes)"
	check "B's ring + held == sent" "$n" $((tx + h))
	check "nothing dropped while B was stopped" 0 "$d"
	check "B received every frame once it ran" "$n" "$(gen gb wait 0 $n 10000 | jq .rx)"
	read -r tx h d <<<"$(gb_books)"
	check "nothing held afterwards" 0 "$h"
	check "no drop at gb" 0 "$d"
}

test_overflow_drops_the_tail() {
	local n=8000 tx h d
	stall_send $n
	check "held: the ring's size" $HELD_MAX "$h"
	check "B's ring + held + dropped == sent" "$n" $((tx + h + d))
	check "B received its ring and the held frames" $((tx + h)) \
		"$(gen gb wait 0 $((tx + h)) 10000 | jq .rx)"
	sleep 0.2
	check "and no more" $((tx + h)) "$(gen_rx gb)"
	check "nothing held afterwards" 0 "$(port_field gb .tx_held)"
}

setup
run_tests

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The frames' mbuf pool in `lanctl stats` (mbuf_pool: size, in_use, available, cached): every
# mbuf a frame took comes back. After traffic stops in_use is its idle value again, while the
# lcore caches hold free mbufs (cached > 0: they are not counted as in use); frames held for a
# stopped guest are exactly the mbufs in use beyond idle, and removing the port returns them
# (port_free), as does the guest running again.
ALL_TESTS="test_pool_shown test_traffic_returns_every_mbuf test_held_frames_return_on_removal"
source "$(dirname "$0")/lib.sh"

A=02:00:00:00:00:0a
B=02:00:00:00:00:0b
POOL_SIZE=32767 # MAIN_POOL_SIZE in dataplane/ctl/main.c
IDLE=

pool() { lanctlj stats | jq -r ".mbuf_pool.$1"; }

setup() {
	daemon_start || exit 1
	guests_attach ga=$A gb=$B
	# before any frame: what the pool lends out when nothing moves
	IDLE=$(pool in_use)
}

test_pool_shown() {
	check "size" $POOL_SIZE "$(pool size)"
	check "cache size" 256 "$(pool cache_size)"
	# vhost ports keep no rx descriptors filled: nothing is out while no frame moves
	check "in use when idle, vhost ports only" 0 "$IDLE"
	check "in use + available == size" $POOL_SIZE "$(lanctlj stats | jq '.mbuf_pool | .in_use + .available')"
	check "workers beside it" 1 "$(lanctlj stats | jq '.workers | length')"
	check_match "one text line under the workers" \
		$'FDB_FULL.*\nmbuf pool: 0 of 32767 in use \\(32767 available, [0-9]+ of them in lcore caches of 256\\)$' \
		"$(lanctl stats)"
}

test_traffic_returns_every_mbuf() {
	local n=10000
	gen_reset_all
	# paced: both guests share core 0, and one that is not scheduled fills its ring
	gen ga rate 50000 >/dev/null
	gen gb rate 50000 >/dev/null
	check "A sent" "{\"sent\":$n}" "$(gen ga send 0 $n dst $B)"
	check "B sent" "{\"sent\":$n}" "$(gen gb send 0 $n dst $A)"
	check "B received all" $n "$(gen gb wait 0 $n 10000 | jq .rx)"
	check "A received all" $n "$(gen ga wait 0 $n 10000 | jq .rx)"
	check "no drops" 0 "$(lanctlj port list | jq '[.[].drops[]] | add')"
	wait_for "nothing held" 5 '[ "$(port_field ga .tx_held)$(port_field gb .tx_held)" == 00 ]'
	check "in use: back to idle" "$IDLE" "$(pool in_use)"
	# the worker freed the frames into its own cache: available, not in use
	check "the caches hold free mbufs" yes "$([ "$(pool cached)" -gt 0 ] && echo yes)"
	gen ga rate 0 >/dev/null
	gen gb rate 0 >/dev/null
}

# B stopped: what A sends waits in B's held ring, one mbuf each, until the port goes.
test_held_frames_return_on_removal() {
	local n=3000 held
	kill -STOP "${GEN_PID[gb]}"
	check "A sent $n" "{\"sent\":$n}" "$(gen ga send 0 $n dst $B)"
	sleep 0.3
	held=$(port_field gb .tx_held)
	check "frames held for B" yes "$([ "$held" -gt 0 ] && echo yes)"
	check "in use beyond idle == held" "$held" $(($(pool in_use) - IDLE))
	check "port gb removed" "" "$(lanctl port del gb 2>&1)"
	check "in use after removal: back to idle" "$IDLE" "$(pool in_use)"
	kill -CONT "${GEN_PID[gb]}"
	# A's frames to B now flood to no one: counted, and no mbuf kept
	check "A sent 100 more" '{"sent":100}' "$(gen ga send 0 100 dst $B)"
	sleep 0.1
	check "counted as no_egress" 100 "$(port_field ga .drops.no_egress)"
	check "in use: still idle" "$IDLE" "$(pool in_use)"
}

setup
run_tests

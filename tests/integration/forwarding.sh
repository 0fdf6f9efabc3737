#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Three guests on vhost-user ports (the guests own the sockets, lanswitchd connects as
# client): flooding, learning, unicast to the destination only, fdb show, aging, counters.
ALL_TESTS="test_broadcast test_unicast_learned test_fdb_show test_counters test_aging test_clock"
source "$(dirname "$0")/lib.sh"

A=02:00:00:00:00:0a
B=02:00:00:00:00:0b
C=02:00:00:00:00:0c

setup() {
	daemon_start || exit 1
	guests_attach ga=$A gb=$B gc=$C
}

test_broadcast() {
	gen_reset_all
	check "sent" '{"sent":100}' "$(gen ga send 0 100)"
	check "gb got every broadcast" 100 "$(gen gb wait 0 100 5000 | jq .rx)"
	check "gc got every broadcast" 100 "$(gen gc wait 0 100 5000 | jq .rx)"
	sleep 0.2
	check "nothing back to the sender" 0 "$(gen_rx ga)"
}

test_unicast_learned() {
	gen gb send 0 1 >/dev/null # B announces itself (broadcast): learned on gb
	gen gc send 0 1 >/dev/null
	gen gb wait 0 1 2000 >/dev/null
	gen ga wait 0 2 2000 >/dev/null # both broadcasts arrived: nothing is still in flight
	gen_reset_all
	check "A->B sent" '{"sent":50}' "$(gen ga send 0 50 dst $B)"
	check "B got A's unicast" 50 "$(gen gb wait 0 50 5000 | jq .rx)"
	check "B->A sent" '{"sent":30}' "$(gen gb send 0 30 dst $A)"
	check "A got B's unicast" 30 "$(gen ga wait 0 30 5000 | jq .rx)"
	sleep 0.2
	check "C got none of it" 0 "$(gen_rx gc)"
	check "B got exactly 50" 50 "$(gen_rx gb)"
}

test_fdb_show() {
	local fdb
	fdb=$(lanctlj fdb show | jq -c 'sort_by(.mac) | map({mac, port, vlan, static})')
	check "fdb lists each MAC on its port" \
		"[{\"mac\":\"$A\",\"port\":\"ga\",\"vlan\":1,\"static\":false},{\"mac\":\"$B\",\"port\":\"gb\",\"vlan\":1,\"static\":false},{\"mac\":\"$C\",\"port\":\"gc\",\"vlan\":1,\"static\":false}]" \
		"$fdb"
	check_match "human fdb show" "$B +gb +vlan 1 +age [0-9]+" "$(lanctl fdb show)"
}

# rx_packets = forwarded + ingress drops; every frame sent so far was forwarded.
test_counters() {
	local ports
	ports=$(lanctlj port list | jq -c 'map({name, rx_packets, tx_packets, d: ([.drops[]] | add)})')
	check "per-port counters" \
		'[{"name":"ga","rx_packets":150,"tx_packets":32,"d":0},{"name":"gb","rx_packets":31,"tx_packets":151,"d":0},{"name":"gc","rx_packets":1,"tx_packets":101,"d":0}]' \
		"$ports"
	check "worker counted every frame" 182 "$(lanctlj stats | jq '[.workers[].packets] | add')"
	# an idle worker keeps polling: far more polls than frames
	check "polls counted" true "$(lanctlj stats | jq '[.workers[].polls] | add > 1000')"
	check_match "stats shows the mean batch" 'LCORE +PACKETS +BUSY_CYCLES +IDLE_CYCLES +CYCLES/PKT +PKTS/POLL +BUSY% +FDB_FULL' "$(lanctl stats)"
	check "rx bytes of ga" $((150 * 64)) "$(port_field ga .rx_bytes)"
}

test_aging() {
	lanctl fdb set aging 2 || FAILS=$((FAILS + 1))
	wait_for "entries to age out" 6 '[ "$(lanctlj fdb show | jq length)" == 0 ]'
	check "fdb empty after aging" 0 "$(lanctlj fdb show | jq length)"
	lanctl fdb set aging 300
	# unknown again: unicast is flooded until B speaks
	gen_reset_all
	gen ga send 0 5 dst $B >/dev/null
	check "flooded after aging: gc" 5 "$(gen gc wait 0 5 5000 | jq .rx)"
}

# lanswitchd measures the TSC in 10 ms instead of the EAL's 100 (dataplane/ctl/eal_tsc.c): it must
# find what the EAL's own calibration in the guest process found (both round to 10 MHz).
test_clock() {
	local ours eal
	ours=$(lanctlj stats | jq '.workers[0].tsc_hz')
	eal=$(gen ga stats | jq .tsc_hz)
	check_match "lanswitchd knows the TSC frequency" '^[1-9][0-9]{8,}$' "$ours"
	check "the same TSC frequency as the EAL's calibration" "$eal" "$ours"
}

setup
run_tests

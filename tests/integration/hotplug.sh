#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Ports come and go while traffic flows: removing one leaves the others forwarding without a
# single lost frame; a removed port's FDB entries and counters go with it; it can come back.
# Also the vhost server mode (the switch owns the socket, the guest connects as client).
ALL_TESTS="test_del_under_traffic test_readd test_server_mode"
source "$(dirname "$0")/lib.sh"

A=02:00:00:00:00:0a
B=02:00:00:00:00:0b
C=02:00:00:00:00:0c

setup() {
	daemon_start || exit 1
	guests_attach ga=$A gb=$B gc=$C
}

test_del_under_traffic() {
	local sent out base
	gen gc send 0 1 >/dev/null # C learned on gc
	gen gb wait 0 1 3000 >/dev/null
	base=$(port_field gb .tx_packets) # gc's broadcast
	gen_reset_all
	# broadcasts from A, and gc is removed in the middle of them
	echo "send 0 2000000" >&"${GEN_IN[ga]}"
	sleep 0.3
	lanctl port del gc
	check "port del exit code" 0 $?
	read -r -t 60 sent <&"${GEN_OUT[ga]}"
	sent=$(jq .sent <<<"$sent")
	sleep 0.3
	# the guests share one core with the switch's control thread, so B cannot take them all:
	# what it could not take is held or counted at gb, and nothing is lost unaccounted
	check "switch counted every frame of A" "$sent" "$(port_field ga .rx_packets)"
	check "no drop on ga" 0 "$(port_field ga '[.drops[]] | add')"
	out=$(port_field gb '.tx_packets + .tx_held + .drops.tx_ring_full')
	check "every broadcast delivered to gb or counted there" "$sent" $((out - base))
	check "B received what gb sent" $(($(port_field gb .tx_packets) - base)) "$(gen_rx gb)"
	check "gc is gone" "ga gb" "$(lanctlj port list | jq -r '[.[].name] | join(" ")')"
	check "gc's FDB entries are gone" 0 \
		"$(lanctlj fdb show | jq '[.[] | select(.port == "gc")] | length')"
	check "C is unknown again" 0 \
		"$(lanctlj fdb show | jq "[.[] | select(.mac == \"$C\")] | length")"
	gen_reset_all
	gen ga send 0 100 >/dev/null
	check "ga -> gb still forwards" 100 "$(gen gb wait 0 100 5000 | jq .rx)"
	log "  $sent broadcasts while gc was removed"
}

test_readd() {
	lanctl port add gc vhost "$T/gc.sock" || { FAILS=$((FAILS + 1)); return; }
	wait_for "port gc up" 15 '[ "$(port_field gc .link)" == up ]'
	check "new gc starts with zero counters" "0 0" "$(port_field gc '"\(.rx_packets) \(.drops.tx_ring_full)"')"
	gen_reset_all
	gen ga send 0 10 >/dev/null
	check "gc gets broadcasts again" 10 "$(gen gc wait 0 10 5000 | jq .rx)"
}

test_server_mode() {
	lanctl port add sd vhost "$T/sd.sock" --server || { FAILS=$((FAILS + 1)); return; }
	check "server socket created" yes "$(test -S "$T/sd.sock" && echo yes)"
	check "mode shown" server "$(port_field sd .mode)"
	gen_start gd "$T/sd.sock" 02:00:00:00:00:0d client || { FAILS=$((FAILS + 1)); return; }
	gen_link_up gd || { FAILS=$((FAILS + 1)); return; }
	wait_for "port sd up" 10 '[ "$(port_field sd .link)" == up ]'
	gen_reset_all
	gen gd send 0 25 >/dev/null
	check "server-mode guest's broadcast reaches ga" 25 "$(gen ga wait 0 25 5000 | jq .rx)"
	gen ga send 0 15 dst 02:00:00:00:00:0d >/dev/null
	check "unicast to the server-mode guest" 15 "$(gen gd wait 0 15 5000 | jq .rx)"
	# the guest goes and comes back: it reconnects to the same socket
	gen_stop gd kill
	wait_for "port sd down" 10 '[ "$(port_field sd .link)" == down ]'
	gen_start gd "$T/sd.sock" 02:00:00:00:00:0d client || { FAILS=$((FAILS + 1)); return; }
	gen_link_up gd || { FAILS=$((FAILS + 1)); return; }
	wait_for "port sd up again" 10 '[ "$(port_field sd .link)" == up ]'
	gen_reset_all
	gen ga send 0 15 dst 02:00:00:00:00:0d >/dev/null
	check "unicast after the client guest reconnected" 15 "$(gen gd wait 0 15 5000 | jq .rx)"
	lanctl port del sd
	check "server socket removed with the port" no "$(test -e "$T/sd.sock" && echo yes || echo no)"
}

setup
run_tests

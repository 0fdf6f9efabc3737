#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A dpdk port and adaptive polling: a device without rx interrupts (net_ring) cannot wake a
# sleeping worker, so its worker keeps polling and port list says so; one with them (a
# net_tap named as a dpdk device) lets it sleep and wakes it. Removing the polled port lets
# the worker sleep again.
ALL_TESTS="t_ring_keeps_polling t_tap_device_wakes"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netns.sh"

NS_H=${PREFIX}h

setup() {
	netns_add "$NS_H" || exit 1
	DAEMON_NETNS=$NS_H # the net_tap interface is born in here
	daemon_start || exit 1
}

sleeps() { lanctlj stats | jq '.workers[0].sleeps'; }

t_ring_keeps_polling() {
	local s0 s1
	lanctl port add r dpdk net_ring0 || { FAILS=$((FAILS + 1)); return; }
	check "net_ring: wake none" none "$(port_field r .wake)"
	check "port list says why its worker never sleeps" \
		"    wake: none (no rx interrupts: its worker polls and never sleeps)" \
		"$(lanctl port list | grep '^    wake:')"
	check "its worker cannot sleep" false "$(lanctlj stats | jq '.workers[0].can_sleep')"
	s0=$(sleeps)
	sleep 1
	s1=$(sleeps)
	check "no sleep in 1 s beside a polled port" 0 $((s1 - s0))
	check "not asleep" false "$(lanctlj stats | jq '.workers[0].asleep')"
	lanctl port del r
	check "without it the worker can sleep" true "$(lanctlj stats | jq '.workers[0].can_sleep')"
	wait_for "asleep again" 5 '[ "$(lanctlj stats | jq .workers[0].asleep)" == true ]'
	check "asleep again" true "$(lanctlj stats | jq '.workers[0].asleep')"
}

t_tap_device_wakes() {
	local s0 rx0 rx1
	lanctl port add t dpdk "net_tap9,iface=${PREFIX}t0" || { FAILS=$((FAILS + 1)); return; }
	check "net_tap as a dpdk device: wake interrupt" interrupt "$(port_field t .wake)"
	check "and port list has no wake line for it" "" "$(lanctl port list | grep '^    wake:')"
	ip -n "$NS_H" link set "${PREFIX}t0" up
	wait_for "asleep" 5 '[ "$(lanctlj stats | jq .workers[0].asleep)" == true ]'
	sleep 0.5
	s0=$(sleeps)
	rx0=$(port_field t .rx_packets)
	ip netns exec "$NS_H" python3 "$(dirname "$0")/rawsend.py" "${PREFIX}t0" 5 --pps 10 \
		--src 02:00:00:00:00:61 --dst 02:00:00:00:00:62 >/dev/null
	wait_for "5 frames" 3 '[ "$(port_field t .rx_packets)" -ge $((rx0 + 5)) ]'
	rx1=$(port_field t .rx_packets)
	check "5 frames received, one every 100 ms" 5 $((rx1 - rx0))
	check_match "the worker slept between them" '^([5-9]|[1-9][0-9]+)$' $(($(sleeps) - s0))
	lanctl port del t
}

setup
run_tests

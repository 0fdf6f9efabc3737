#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# VLANs at the port edge: two access ports in VLAN 10, one in VLAN 20, a trunk carrying both
# tagged. Frames never leak between VLANs; the trunk gets them tagged; tags the port does not
# carry are dropped and counted; Linux bridge semantics for priority tags and trunks without
# a native VLAN.
ALL_TESTS="test_vlan10_flood test_vlan20_flood test_trunk_ingress test_not_allowed
	test_priority_tag test_native test_unicast_in_vlan"
source "$(dirname "$0")/lib.sh"

setup() {
	local g i=1
	daemon_start || exit 1
	for g in a10 b10 c20 trunk; do
		gen_start $g "$T/$g.sock" "02:00:00:00:01:0$i" || exit 1
		lanctl port add $g vhost "$T/$g.sock" || exit 1
		i=$((i + 1))
	done
	lanctl port set a10 vlan 10 && lanctl port set b10 vlan 10 && lanctl port set c20 vlan 20 &&
		lanctl port set trunk trunk 10,20 || exit 1
	for g in a10 b10 c20 trunk; do
		gen_link_up $g || exit 1
		wait_for "port $g up" 10 '[ "$(port_field $g .link)" == up ]' || exit 1
	done
}

rx_of() { gen "$1" stats | jq -c ".ports[0] | {rx, untagged, vlans}"; }

test_vlan10_flood() {
	gen_reset_all
	gen a10 send 0 20 >/dev/null
	gen b10 wait 0 20 5000 >/dev/null
	gen trunk wait 0 20 5000 >/dev/null
	sleep 0.2
	check "b10: untagged" '{"rx":20,"untagged":20,"vlans":{}}' "$(rx_of b10)"
	check "trunk: tagged 10" '{"rx":20,"untagged":0,"vlans":{"10":20}}' "$(rx_of trunk)"
	check "c20: nothing from VLAN 10" '{"rx":0,"untagged":0,"vlans":{}}' "$(rx_of c20)"
}

test_vlan20_flood() {
	gen_reset_all
	gen c20 send 0 7 >/dev/null
	gen trunk wait 0 7 5000 >/dev/null
	sleep 0.2
	check "trunk: tagged 20" '{"rx":7,"untagged":0,"vlans":{"20":7}}' "$(rx_of trunk)"
	check "a10: nothing from VLAN 20" 0 "$(gen_rx a10)"
	check "b10: nothing from VLAN 20" 0 "$(gen_rx b10)"
}

test_trunk_ingress() {
	gen_reset_all
	gen trunk send 0 5 vlan 10 >/dev/null
	gen trunk send 0 3 vlan 20 >/dev/null
	gen a10 wait 0 5 5000 >/dev/null
	gen c20 wait 0 3 5000 >/dev/null
	sleep 0.2
	check "a10: VLAN 10 untagged" '{"rx":5,"untagged":5,"vlans":{}}' "$(rx_of a10)"
	check "b10: VLAN 10 untagged" '{"rx":5,"untagged":5,"vlans":{}}' "$(rx_of b10)"
	check "c20: VLAN 20 untagged" '{"rx":3,"untagged":3,"vlans":{}}' "$(rx_of c20)"
}

test_not_allowed() {
	local before
	before=$(port_field trunk .drops.vlan_not_allowed)
	gen_reset_all
	gen trunk send 0 4 vlan 30 >/dev/null # not on the trunk
	gen trunk send 0 6 >/dev/null	      # untagged, trunk has no native VLAN
	gen a10 send 0 2 vlan 20 >/dev/null   # tagged 20 on an access port of 10
	sleep 0.3
	check "trunk drops" $((before + 10)) "$(port_field trunk .drops.vlan_not_allowed)"
	check "a10 drops" 2 "$(port_field a10 .drops.vlan_not_allowed)"
	check "nothing leaked to b10" 0 "$(gen_rx b10)"
	check "nothing leaked to c20" 0 "$(gen_rx c20)"
}

test_priority_tag() {
	gen_reset_all
	gen a10 send 0 4 vlan 0 pcp 5 >/dev/null # VID 0: untagged for VLAN purposes
	gen b10 wait 0 4 5000 >/dev/null
	gen trunk wait 0 4 5000 >/dev/null
	check "b10: priority tag removed" '{"rx":4,"untagged":4,"vlans":{}}' "$(rx_of b10)"
	check "trunk: tagged 10" '{"rx":4,"untagged":0,"vlans":{"10":4}}' "$(rx_of trunk)"
}

test_native() {
	lanctl port set trunk trunk 10 --native 20 || FAILS=$((FAILS + 1))
	check "port list shows the trunk" '{"vlan":null,"trunk":[10],"native":20}' \
		"$(lanctlj port list | jq -c '.[] | select(.name == "trunk") | {vlan, trunk, native}')"
	gen_reset_all
	gen trunk send 0 3 >/dev/null
	gen c20 wait 0 3 5000 >/dev/null
	gen c20 send 0 2 >/dev/null
	gen trunk wait 0 2 5000 >/dev/null
	sleep 0.2
	check "c20: native frames" '{"rx":3,"untagged":3,"vlans":{}}' "$(rx_of c20)"
	check "trunk: native VLAN leaves untagged" '{"rx":2,"untagged":2,"vlans":{}}' \
		"$(rx_of trunk)"
	check "a10: nothing" 0 "$(gen_rx a10)"
	check "config show" "port set trunk trunk 10 --native 20" \
		"$(lanctl config show | grep '^port set trunk')"
	lanctl port set trunk trunk 10,20
}

test_unicast_in_vlan() {
	local fdb
	# the same MAC pair talks in VLAN 10 (a10 <-> trunk) only
	gen_reset_all
	gen a10 send 0 1 >/dev/null
	gen trunk send 0 1 vlan 10 >/dev/null
	gen a10 wait 0 1 3000 >/dev/null
	gen_reset_all
	gen a10 send 0 9 dst 02:00:00:00:01:04 >/dev/null
	gen trunk wait 0 9 5000 >/dev/null
	sleep 0.2
	check "trunk got unicast tagged" '{"rx":9,"untagged":0,"vlans":{"10":9}}' "$(rx_of trunk)"
	check "b10 got none" 0 "$(gen_rx b10)"
	fdb=$(lanctlj fdb show | jq -c '[.[] | select(.mac == "02:00:00:00:01:04") | {port, vlan}] | sort_by(.vlan)')
	check "trunk MAC learned in VLAN 10" '[{"port":"trunk","vlan":10}]' "$fdb"
}

setup
run_tests

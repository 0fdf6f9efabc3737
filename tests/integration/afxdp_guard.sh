#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# allowed-mac on an afxdp port: the port's XDP program drops frames from other source MACs
# in the kernel, counted xdp_mac_not_allowed, so they never reach the switch (whose own
# check, mac_not_allowed, stays at 0 for them). lanswitchd runs in its own namespace (SW)
# with an afxdp port on a veth whose other end is the "LAN", and one lsgen guest; frames
# come from rawsend.py in the LAN's namespace and every count is exact.
ALL_TESTS=${ONLY:-"t_allowed_in_kernel t_allowed_before_vlan t_block_first t_replace
	t_guest_port_counts_in_switch t_link_flap_keeps_set t_none t_state_restart"}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.sh"
. "$(dirname "$0")/afxdp_lib.sh"

NS_SW=${PREFIX}sw NS_LAN=${PREFIX}lan
G1=02:00:00:00:01:01    # the counting guest (lsgen)
STA_A=02:00:00:00:0a:01 # stations behind the LAN: A and C allowed at first
STA_B=02:00:00:00:0a:02 # one that spoofs
STA_C=02:00:00:00:0a:03
BCAST=ff:ff:ff:ff:ff:ff

# must COMMAND...: run it; a failure is a failed check (and the caller returns)
must() {
	"$@" && return 0
	check "$*" ok failed
	return 1
}

# snap: the counters each test compares against, taken before it sends
snap() {
	gen_reset_all
	X0=$(drops lan xdp_mac_not_allowed) U0=$(drops lan mac_not_allowed)
	RX0=$(lanp .rx_packets) RED0=$(lanp .xdp.redirected)
}

setup() {
	netns_add "$NS_SW" && netns_add "$NS_LAN" || exit 1
	veth_add "$NS_SW" up0 "$NS_LAN" lan0 || exit 1
	DAEMON_NETNS=$NS_SW
	daemon_start || exit 1
	lanctl port add lan afxdp up0 || exit 1
	guests_attach g1=$G1
	wait_for "port lan up" 10 '[ "$(lanp .link)" == up ]' || exit 1
}

# The allowed sources reach the guest, every frame; the other is dropped by the program.
t_allowed_in_kernel() {
	must lanctl port set lan allowed-mac $STA_A $STA_C || return
	check_match "state has the set" "port set lan allowed-mac $STA_A $STA_C" \
		"$(lanctl config show)"
	snap
	lan_send 100 --src $STA_A --dst $BCAST
	lan_send 70 --src $STA_B --dst $BCAST
	lan_send 50 --src $STA_C --dst $BCAST --size 1514
	settle "the guest received the allowed sources' frames" 150 'gen_rx g1'
	settle "the spoofed source dropped by XDP" $((X0 + 70)) 'drops lan xdp_mac_not_allowed'
	check "none of them reached the switch" $((RX0 + 150)) "$(lanp .rx_packets)"
	check "XDP redirected the allowed ones" $((RED0 + 150)) "$(lanp .xdp.redirected)"
	check "the switch's own check saw none" "$U0" "$(drops lan mac_not_allowed)"
}

# The source is checked before the VLAN: a spoofed frame of a VLAN the port does not carry is
# counted as not allowed, an allowed one as vlan_not_allowed.
t_allowed_before_vlan() {
	local v0
	snap
	v0=$(drops lan xdp_vlan_not_allowed)
	lan_send 30 --src $STA_B --dst $BCAST --vlan 20
	lan_send 20 --src $STA_A --dst $BCAST --vlan 20
	settle "spoofed, VLAN 20: not allowed" $((X0 + 30)) 'drops lan xdp_mac_not_allowed'
	settle "allowed, VLAN 20: vlan_not_allowed" $((v0 + 20)) 'drops lan xdp_vlan_not_allowed'
	check "none reached the switch" "$RX0" "$(lanp .rx_packets)"
}

# A MAC both blocked and outside the set is counted once, as blocked; so is a blocked MAC
# inside the set.
t_block_first() {
	local b0
	snap
	b0=$(drops lan xdp_blocked_mac)
	must lanctl port set lan block $STA_B && must lanctl port set lan block $STA_C || return
	lan_send 15 --src $STA_B --dst $BCAST
	lan_send 25 --src $STA_C --dst $BCAST
	settle "blocked, outside the set: blocked" $((b0 + 40)) 'drops lan xdp_blocked_mac'
	check "and not counted as not allowed" "$X0" "$(drops lan xdp_mac_not_allowed)"
	lanctl port set lan unblock $STA_B && lanctl port set lan unblock $STA_C
	lan_send 5 --src $STA_C --dst $BCAST
	settle "unblocked, in the set: passes" 5 'gen_rx g1'
}

# A new set replaces the old one whole: A goes, B comes, C stays.
t_replace() {
	must lanctl port set lan allowed-mac $STA_B $STA_C || return
	snap
	lan_send 40 --src $STA_A --dst $BCAST
	lan_send 30 --src $STA_B --dst $BCAST
	lan_send 20 --src $STA_C --dst $BCAST
	settle "B and C reach the guest" 50 'gen_rx g1'
	settle "A is dropped by XDP now" $((X0 + 40)) 'drops lan xdp_mac_not_allowed'
	check "the switch received B's and C's" $((RX0 + 50)) "$(lanp .rx_packets)"
}

# The same setting on a guest's port has no XDP program in front of it: there the switch
# drops and counts it itself, mac_not_allowed.
t_guest_port_counts_in_switch() {
	local lan0 u0
	must lanctl port set g1 allowed-mac $G1 || return
	lan0=$(if_stat "$NS_LAN" lan0 rx_packets) u0=$(drops g1 mac_not_allowed)
	gen g1 send 0 60 src $STA_A dst $BCAST >/dev/null
	gen g1 send 0 10 dst $BCAST >/dev/null
	settle "the guest's spoofed frames counted by the switch" $((u0 + 60)) \
		'drops g1 mac_not_allowed'
	settle "its own reached the LAN" $((lan0 + 10)) 'if_stat "$NS_LAN" lan0 rx_packets'
	lanctl port set g1 allowed-mac none
}

# The program stays attached through a link flap: the set still holds afterwards.
t_link_flap_keeps_set() {
	ip -n "$NS_LAN" link set lan0 down
	wait_for "port lan down" 10 '[ "$(lanp .link)" == down ]'
	ip -n "$NS_LAN" link set lan0 up
	wait_for "port lan up" 10 '[ "$(lanp .link)" == up ]'
	snap
	lan_send 12 --src $STA_A --dst $BCAST
	lan_send 8 --src $STA_B --dst $BCAST
	settle "B still reaches the guest" 8 'gen_rx g1'
	settle "A still dropped by XDP" $((X0 + 12)) 'drops lan xdp_mac_not_allowed'
}

# none lifts it: every source enters again, and the set is gone from the state.
t_none() {
	must lanctl port set lan allowed-mac none || return
	check "state has no set" "" "$(lanctl config show | grep 'allowed-mac')"
	snap
	lan_send 10 --src $STA_A --dst $BCAST
	lan_send 10 --src $STA_B --dst $BCAST
	lan_send 10 --src 02:00:00:00:0a:09 --dst $BCAST
	settle "every source reaches the guest" 30 'gen_rx g1'
	check "XDP dropped none" "$X0" "$(drops lan xdp_mac_not_allowed)"
	check "the switch received all" $((RX0 + 30)) "$(lanp .rx_packets)"
}

# The set survives a restart through the state file, and the new program has it.
t_state_restart() {
	local prog0
	must lanctl port set lan allowed-mac $STA_C || return
	prog0=$(lanp .xdp_prog_id)
	gen_stop g1
	daemon_stop
	must daemon_start || return
	wait_for "port lan back" 10 '[ "$(lanp .link)" == up ]'
	check "a new program" yes "$([ "$(lanp .xdp_prog_id)" != "$prog0" ] && echo yes)"
	# the guest's port came back from the state file too: only the guest is started again
	must gen_start g1 "$T/g1.sock" $G1 && must gen_link_up g1 || return
	wait_for "port g1 up" 10 '[ "$(port_field g1 .link)" == up ]'
	snap
	lan_send 9 --src $STA_C --dst $BCAST
	lan_send 6 --src $STA_A --dst $BCAST
	settle "C reaches the guest" 9 'gen_rx g1'
	settle "the restored set drops A in XDP" 6 'drops lan xdp_mac_not_allowed'
}

setup
run_tests

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The port guard against a rogue in namespaces: a router (busybox udhcpd behind tap port r), a
# client (udhcpc behind tap port c) and a rogue (tap port x, its own udhcpd and crafted frames
# from guardsend.py); and lsgen guests for what needs volume (a flood of 1 000 000 source
# MACs, a broadcast storm). Each protection: exact counts under its drop reason, the frames
# it lets through delivered, and the settings kept across a restart.
ALL_TESTS="test_rogue_dhcp_server test_spoofed_source test_arp_spoofing test_rogue_ra
	test_mac_flood test_broadcast_storm test_settings_saved test_bad_settings"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netns.sh"

NSR=lsit-gdr-$$
NSC=lsit-gdc-$$
NSX=lsit-gdx-$$
IFR=lsgdr$$
IFC=lsgdc$$
IFX=lsgdx$$
GUARDSEND=$(dirname "$0")/guardsend.py
GA=02:00:00:00:00:0a
GB=02:00:00:00:00:0b
GC=02:00:00:00:00:0c

udhcpd_start() { # udhcpd_start NS IFACE FIRST LAST NAME
	cat >"$T/$5.conf" <<EOF
start $3
end $4
interface $2
lease_file $T/$5.leases
pidfile $T/$5.pid
option subnet 255.255.255.0
EOF
	touch "$T/$5.leases"
	netns_bg "$1" busybox udhcpd -f "$T/$5.conf" >"$T/$5.log" 2>&1
}

setup() {
	netns_add "$NSR" && netns_add "$NSC" && netns_add "$NSX" || exit 1
	# the client has IPv6 and takes router advertisements (the RA test), without DAD noise
	ip netns exec "$NSC" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.default.accept_ra=2 \
		net.ipv6.conf.default.dad_transmits=0 net.ipv6.conf.all.forwarding=0 || exit 1
	daemon_start || exit 1
	lanctl port add r tap "$IFR" --netns "$NSR" --address 10.77.0.1/24 || exit 1
	lanctl port add c tap "$IFC" --netns "$NSC" || exit 1
	lanctl port add x tap "$IFX" --netns "$NSX" --address 10.77.0.66/24 || exit 1
	udhcpd_start "$NSR" "$IFR" 10.77.0.100 10.77.0.120 router
	udhcpd_start "$NSX" "$IFX" 10.77.0.200 10.77.0.210 rogue
	guests_attach ga=$GA gb=$GB gc=$GC
	R_MAC=$(port_field r .mac)
	X_MAC=$(port_field x .mac)
	sleep 0.5
}

drops() { port_field "$1" ".drops.$2"; }
tx() { port_field "$1" .tx_packets; }

# guardsend IFACE-of-x KIND COUNT [options]: from the rogue's namespace
rogue_send() {
	local kind=$1 count=$2
	shift 2
	ip netns exec "$NSX" python3 "$GUARDSEND" "$IFX" "$kind" "$count" "$@" >/dev/null
}

lease() {
	cat >"$T/udhcpc.sh" <<'EOF'
#!/bin/sh
[ "$1" = bound ] && echo "$ip $serverid" >>"$LEASES"
exit 0
EOF
	chmod +x "$T/udhcpc.sh"
	LEASES=$T/leases.txt timeout 30 ip netns exec "$NSC" busybox udhcpc -f -q -n -i "$IFC" \
		-s "$T/udhcpc.sh" -t 5 -T 2 >>"$T/udhcpc.log" 2>&1
}

test_rogue_dhcp_server() {
	local i d0 t0
	lanctl port set x dhcp-server deny
	check "port list shows it" deny "$(port_field x .guard.dhcp_server)"
	check "the router's port still allows" allow "$(port_field r .guard.dhcp_server)"
	# two real servers answer every DISCOVER: only the router's answers reach the client
	: >"$T/leases.txt"
	for i in 1 2 3; do lease; done
	check "three leases, each from the router" "3 3" \
		"$(wc -l <"$T/leases.txt") $(grep -c '^10\.77\.0\.1[0-2][0-9] 10\.77\.0\.1$' "$T/leases.txt")"
	check_match "the rogue's offers were dropped at its port" '^[1-9][0-9]*$' \
		"$(drops x dhcp_guard)"
	check "and none of the router's" 0 "$(drops r dhcp_guard)"
	# crafted offers: exact counts, IP options or not, none reaches the client
	d0=$(drops x dhcp_guard) t0=$(tx c)
	rogue_send dhcp-offer 50 --src "$X_MAC"
	rogue_send dhcp-offer 50 --src "$X_MAC" --ip-options
	settle "100 offers dropped" $((d0 + 100)) 'drops x dhcp_guard'
	check "none reached the client" "$t0" "$(tx c)"
	lanctl port set x dhcp-server allow
	t0=$(tx c)
	rogue_send dhcp-offer 20 --src "$X_MAC"
	settle "allowed: the offers reach the client" $((t0 + 20)) 'tx c'
	check "and are not counted" $((d0 + 100)) "$(drops x dhcp_guard)"
	check "port list: allow, the guard off" "allow null" \
		"$(port_field x '"\(.guard.dhcp_server) \(.guard.allowed_macs[0])"')"
}

test_spoofed_source() {
	local t0
	lanctl port set x allowed-mac "$X_MAC"
	check "port list" "[\"$X_MAC\"]" "$(port_field x '.guard.allowed_macs' | jq -c .)"
	t0=$(tx c)
	rogue_send plain 40 --src "$X_MAC"
	rogue_send plain 40 --src 02:66:00:00:00:01
	rogue_send plain 40 --src "$R_MAC"
	settle "spoofed sources dropped" 80 'drops x mac_not_allowed'
	settle "its own passes" $((t0 + 40)) 'tx c'
	check "the router's MAC stays on r" r \
		"$(lanctlj fdb show | jq -r --arg m "$R_MAC" '.[] | select(.mac == $m) | .port')"
	check "the spoofed MAC was never learned" "" \
		"$(lanctlj fdb show | jq -r '.[] | select(.mac == "02:66:00:00:00:01") | .port')"
	lanctl port set x allowed-mac none
	check "none: no list" 0 "$(port_field x '.guard.allowed_macs | length')"
}

test_arp_spoofing() {
	local t0
	ip netns exec "$NSC" ip addr add 10.77.0.150/24 dev "$IFC"
	ip netns exec "$NSC" ping -c 1 -W 2 10.77.0.1 >/dev/null
	check "the client knows the router" "$R_MAC" \
		"$(ip -n "$NSC" -j neigh show 10.77.0.1 | jq -r '.[0].lladdr')"
	lanctl port set x arp-guard 10.77.0.66/32
	t0=$(tx c)
	rogue_send arp-reply 30 --src "$X_MAC" --ip 10.77.0.1
	settle "ARP replies for the router's address dropped" 30 'drops x arp_guard'
	check "none reached the client" "$t0" "$(tx c)"
	check "the client still has the router's MAC" "$R_MAC" \
		"$(ip -n "$NSC" -j neigh show 10.77.0.1 | jq -r '.[0].lladdr')"
	rogue_send arp-reply 30 --src "$X_MAC" --ip 10.77.0.66
	settle "its own address passes" $((t0 + 30)) 'tx c'
	# IPv6 neighbour advertisements: outside the list (no IPv6 prefix) dropped, then allowed
	rogue_send na 10 --src "$X_MAC" --target fe80::1
	settle "an NA outside the list dropped" 40 'drops x arp_guard'
	lanctl port set x arp-guard 10.77.0.66/32 fe80::/10
	rogue_send na 10 --src "$X_MAC" --target fe80::1
	settle "inside it passes" $((t0 + 40)) 'tx c'
	check "arp-guard as port list shows it" '["10.77.0.66/32","fe80::/10"]' \
		"$(port_field x '.guard.arp_guard' | jq -c .)"
	lanctl port set x arp-guard none
}

test_rogue_ra() {
	lanctl port set x ra-guard deny
	rogue_send ra 20 --src "$X_MAC"
	rogue_send ra 20 --src "$X_MAC" --hop-by-hop
	settle "router advertisements dropped, behind a hop-by-hop header too" 40 \
		'drops x ra_guard'
	sleep 0.3
	check "the client took no prefix from the rogue" "" \
		"$(ip -n "$NSC" -6 -j addr show dev "$IFC" | jq -r '.[0].addr_info[].local' | grep 2001:db8:77)"
	lanctl port set x ra-guard allow
	rogue_send ra 1 --src "$X_MAC"
	wait_for "allowed: the client takes the prefix" 5 \
		"ip -n $NSC -6 addr show dev $IFC | grep -q 2001:db8:77:"
	check "allowed: it does" 0 "$?"
}

test_mac_flood() {
	local sent fdb0
	lanctl port set ga mac-limit 64
	gen gb send 0 1 >/dev/null # gb and gc learned before the flood
	gen gc send 0 1 >/dev/null
	sleep 0.2
	gen_reset_all
	sent=$(gen ga send 0 1000000 src 02:10:00:00:00:00 srcs 1000000 dst "$GB" | jq .sent)
	check "the flood went out" 1000000 "$sent"
	settle "all but 64 sources dropped" 999936 'drops ga mac_limit'
	check "ga learned 64" 64 "$(port_field ga .guard.learned)"
	check "gb got the 64 learned sources' frames" 64 "$(gen_rx gb)"
	check "the FDB holds ga's 64 and the others" 64 \
		"$(lanctlj fdb show | jq '[.[] | select(.port == "ga")] | length')"
	check "gb and gc still learned" "gb gc" \
		"$(lanctlj fdb show | jq -r --arg b "$GB" --arg c "$GC" \
			'[.[] | select(.mac == $b or .mac == $c) | .port] | sort | join(" ")')"
	# the LAN still works: exact counts between the others, and new hosts are learned
	gen_reset_all
	gen gb send 0 1000 dst "$GC" >/dev/null
	gen gc send 0 1000 dst "$GB" src 02:00:00:00:01:0c >/dev/null
	check "gb to gc" 1000 "$(gen gc wait 0 1000 5000 | jq .rx)"
	check "gc to gb from a new MAC" 1000 "$(gen gb wait 0 1000 5000 | jq .rx)"
	check "the new MAC learned" gc \
		"$(lanctlj fdb show | jq -r '.[] | select(.mac == "02:00:00:00:01:0c") | .port')"
	check "ga got none of it" 0 "$(gen_rx ga)"
	lanctl port set ga mac-limit 0
}

test_broadcast_storm() {
	local sent got drop t0 t1 most
	lanctl port set gb storm broadcast 500
	gen_reset_all
	t0=$(date +%s%N)
	sent=$(gen gb send 0 20000 | jq .sent)
	t1=$(date +%s%N)
	sleep 0.2
	got=$(gen_rx gc)
	drop=$(drops gb storm_broadcast)
	check "every frame either flooded or dropped" 20000 $((got + drop))
	check "the same to each port" "$got" "$(gen_rx ga)"
	most=$((500 + 500 * (t1 - t0) / 1000000000 + 1))
	check "at most the bucket plus the rate while sending ($most)" true \
		"$([ "$got" -ge 500 ] && [ "$got" -le "$most" ] && echo true)"
	log "  storm: $got of $sent broadcasts passed in $(((t1 - t0) / 1000000)) ms"
	gen_reset_all
	gen gb send 0 100 dst "$GC" >/dev/null # known unicast: never limited
	check "known unicast untouched" 100 "$(gen gc wait 0 100 5000 | jq .rx)"
	lanctl port set gb storm broadcast 0
}

test_settings_saved() {
	local before
	lanctl port set ga mac-limit 10 --flood
	lanctl port set gb allowed-mac "$GB" 02:00:00:00:01:0b
	lanctl port set gb arp-guard 10.0.0.0/8 2001:db8::/32
	lanctl port set gb dhcp-server deny
	lanctl port set gb ra-guard deny
	lanctl port set gb storm multicast 100
	lanctl port set gb storm unknown-unicast 7
	before=$(lanctl config show | grep -E 'mac-limit|allowed-mac|arp-guard|dhcp-server|ra-guard|storm')
	check "config show: the guard's lines" "port set ga mac-limit 10 --flood
port set gb allowed-mac $GB 02:00:00:00:01:0b
port set gb arp-guard 10.0.0.0/8 2001:db8::/32
port set gb dhcp-server deny
port set gb ra-guard deny
port set gb storm multicast 100
port set gb storm unknown-unicast 7" "$before"
	daemon_stop
	daemon_start || return 1
	check "restored after a restart" "$before" \
		"$(lanctl config show | grep -E 'mac-limit|allowed-mac|arp-guard|dhcp-server|ra-guard|storm')"
	check "port list after the restart" '{"mac_limit":10,"mac_limit_flood":true,"dhcp_server":"deny","ra_guard":"deny","storm":{"broadcast":0,"multicast":100,"unknown_unicast":7}}' \
		"$(lanctlj port list | jq -c '[.[] | select(.name == "ga" or .name == "gb") | .guard] |
			{mac_limit: .[0].mac_limit, mac_limit_flood: .[0].mac_limit_flood,
			 dhcp_server: .[1].dhcp_server, ra_guard: .[1].ra_guard, storm: .[1].storm}')"
	check_match "port list text" "guard: allowed-mac $GB 02:00:00:00:01:0b, arp-guard 10.0.0.0/8 2001:db8::/32, dhcp-server deny, ra-guard deny, storm multicast 100, storm unknown_unicast 7" \
		"$(lanctl port list)"
}

test_bad_settings() {
	refused 'port "nosuch": no such port' port set nosuch dhcp-server deny
	refused 'bad limit "x": expected a number of MACs 0-1000000' port set ga mac-limit x
	refused 'bad prefix "192.168.1.10/24": host bits set, the network is 192.168.1.0/24' \
		port set ga arp-guard 192.168.1.10/24
	refused 'allowed-mac: none stands alone, not with MACs' port set ga allowed-mac none "$GA"
	check "nothing changed on ga" '{"mac_limit":10,"arp_guard":[],"dhcp_server":"allow"}' \
		"$(port_field ga '.guard | {mac_limit, arp_guard, dhcp_server}' | jq -c .)"
}

setup
run_tests

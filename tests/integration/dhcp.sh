#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What only the switch sees: a DHCP server (busybox udhcpd behind tap port r) answers the
# switch's own DHCPDISCOVER (lanctl probe, lanctl wait r dhcp-server); a client (udhcpc behind
# tap port c) gets its lease, the switch sees the offer and the ack and lists both hosts with
# their addresses (lanctl hosts), the server marked as one from its first offer; an ARP probe
# finds the client; waits that cannot hold time out with exit 1; the switch's own port
# (.probe) is listed but not saved or changeable.
ALL_TESTS="test_probe_dhcp test_wait_dhcp test_lease_and_hosts test_wait_arp test_wait_link
	test_timeouts test_own_port test_bad_input"
source "$(dirname "$0")/lib.sh"

NSR=lsit-dhr-$$
NSC=lsit-dhc-$$
IFR=lsdhr$$
IFC=lsdhc$$
NETNS_MADE=()
PIDS=()
MONITOR=

cleanup_dhcp() {
	local pid ns
	for pid in "${PIDS[@]}" $MONITOR; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	cleanup # lanswitchd first: it holds the tap interfaces
	for ns in "${NETNS_MADE[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup_dhcp EXIT

netns_make() { # loopback up, IPv6 off (its chatter would spoil exact event lists)
	ip netns add "$1" || return 1
	NETNS_MADE+=("$1")
	ip -n "$1" link set lo up &&
		ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
}

# the events of kind $1 so far, as "port message server client address" (dhcp_server) or
# "port mac ip" (host_seen, arp_reply)
events() {
	jq -r --arg k "$1" 'select(.event == $k) |
		if .event == "dhcp_server" then "\(.port) \(.message) \(.ip) \(.client) \(.address)"
		else "\(.port) \(.mac) \(.ip)" end' "$T/events.json"
}

setup() {
	netns_make "$NSR" && netns_make "$NSC" || exit 1
	daemon_start || exit 1
	lanctl port add r tap "$IFR" --netns "$NSR" --address 10.77.0.1/24 || exit 1
	lanctl port add c tap "$IFC" --netns "$NSC" || exit 1
	cat >"$T/udhcpd.conf" <<EOF
start 10.77.0.100
end 10.77.0.120
interface $IFR
lease_file $T/leases
pidfile $T/udhcpd.pid
option subnet 255.255.255.0
option router 10.77.0.1
EOF
	touch "$T/leases"
	ip netns exec "$NSR" busybox udhcpd -f "$T/udhcpd.conf" >"$T/udhcpd.log" 2>&1 &
	PIDS+=($!)
	"$LANCTL" -s "$SOCK" -j monitor >"$T/events.json" 2>"$T/monitor.err" &
	MONITOR=$!
	sleep 0.5
	R_MAC=$(port_field r .mac)
	C_MAC=$(ip -n "$NSC" -j link show "$IFC" | jq -r '.[0].address')
}

test_probe_dhcp() {
	local probe_mac
	check "probe exit code" 0 "$(lanctl probe r dhcp >/dev/null; echo $?)"
	wait_for "the server's offer" 10 '[ -n "$(events dhcp_server)" ]'
	probe_mac=$(lanctlj fdb show | jq -r '.[] | select(.port == ".probe") | .mac')
	check_match "the offer, seen on r, to the switch's own MAC" \
		"^r offer 10.77.0.1 $probe_mac 10.77.0.1[0-2][0-9]\$" "$(events dhcp_server | head -1)"
	check "the server's ARP check of the address showed it" "r $R_MAC 10.77.0.1" \
		"$(events host_seen | head -1)"
	check_match "the probe MAC is locally administered" '^.[26ae]:' "$probe_mac"
	check "hosts: the server that offered is marked, its offer just now" "true true" \
		"$(lanctlj hosts | jq -r --arg m "$R_MAC" \
			'.[] | select(.mac == $m) | "\(.dhcp_server) \(.dhcp_last_s < 10)"')"
}

test_wait_dhcp() {
	local out rc
	out=$(lanctl wait r dhcp-server --timeout 20)
	rc=$?
	check "wait r dhcp-server: exit code" 0 "$rc"
	check "wait r dhcp-server: what it found" "port r: DHCP server 10.77.0.1 ($R_MAC) answered" \
		"$out"
}

LEASE=
test_lease_and_hosts() {
	local hosts lease
	cat >"$T/udhcpc.sh" <<'EOF'
#!/bin/sh
[ "$1" = bound ] && ip addr add "$ip/24" dev "$interface"
exit 0
EOF
	chmod +x "$T/udhcpc.sh"
	timeout 30 ip netns exec "$NSC" busybox udhcpc -f -q -n -i "$IFC" -s "$T/udhcpc.sh" \
		-t 5 -T 3 >"$T/udhcpc.log" 2>&1
	lease=$(ip -n "$NSC" -j addr show dev "$IFC" | jq -r '.[0].addr_info[0].local')
	check_match "the client got its lease" '^10\.77\.0\.1[0-2][0-9]$' "$lease"
	wait_for "the ack" 5 'events dhcp_server | grep -q " ack "'
	check "the ack, seen on r, to the client" "r ack 10.77.0.1 $C_MAC $lease" \
		"$(events dhcp_server | grep ' ack ')"
	LEASE=$lease
	check "ping through the switch" 0 \
		"$(ip netns exec "$NSC" ping -c 1 -W 2 10.77.0.1 >/dev/null; echo $?)"
	hosts=$(lanctlj hosts | jq -r 'sort_by(.port) | .[] | "\(.mac) \(.vlan) \(.port) \(.ipv4 | join(",")) \(.ipv6 | length) " +
		if .dhcp_server then "server \(.dhcp_last_s < 10)" else "- \(.dhcp_last_s)" end')
	check "hosts: both, with their addresses and ports, the server marked" "$C_MAC 1 c $lease 0 - null
$R_MAC 1 r 10.77.0.1 0 server true" "$hosts"
	check_match "hosts, as text" "^MAC +VLAN +PORT +VM +IPV4 +IPV6 +SEEN_S +DHCP\$" \
		"$(lanctl hosts | head -1)"
	# no domain of libvirt's has these MACs (or libvirt does not answer): no VM name
	check_match "hosts, as text: the client" "^$C_MAC +1 +c +- +$lease +- +[0-9]+ +-\$" \
		"$(lanctl hosts | grep "$C_MAC")"
	check_match "hosts, as text: the server" \
		"^$R_MAC +1 +r +- +10\.77\.0\.1 +- +[0-9]+ +server\$" "$(lanctl hosts | grep "$R_MAC")"
	check "hosts: no VM names" "null null" "$(lanctlj hosts | jq -r '[.[].vm] | map(tostring) | join(" ")')"
}

test_wait_arp() {
	local out rc
	out=$(lanctl wait c arp "$LEASE" --timeout 10)
	rc=$?
	check "wait c arp: exit code" 0 "$rc"
	check "wait c arp: what it found" "port c: $LEASE is at $C_MAC" "$out"
	check "the answer is an event" "c $C_MAC $LEASE" "$(events arp_reply | tail -1)"
}

test_wait_link() {
	check "wait r link-up: up already" "port r: link up" "$(lanctl wait r link-up --timeout 5)"
}

test_timeouts() {
	local out rc
	out=$(lanctl wait c dhcp-server --timeout 2 2>&1)
	rc=$?
	check "no server behind c: exit code" 1 "$rc"
	check "no server behind c: message" \
		'lanctl: wait: port "c": no DHCP server answered within 2 s' "$out"
	out=$(lanctl wait c arp 10.77.0.222 --timeout 2 2>&1)
	check "nobody has the address" \
		'1 lanctl: wait: port "c": no host answered for the address within 2 s' "$? $out"
	ip -n "$NSC" link set "$IFC" down
	wait_for "port c down" 5 '[ "$(port_field c .link)" == down ]'
	out=$(lanctl wait c link-up --timeout 1 2>&1)
	check "a link that stays down" \
		'1 lanctl: wait: port "c": the link did not come up within 1 s' "$? $out"
	( sleep 1; ip -n "$NSC" link set "$IFC" up ) &
	local up=$!
	out=$(lanctl wait c link-up --timeout 10)
	check "a link that comes up while waiting" "0 port c: link up (interface up)" "$? $out"
	wait "$up"
}

test_own_port() {
	check "the switch's own port is listed" internal \
		"$(lanctlj port list | jq -r '.[] | select(.name == ".probe") | .type')"
	check "and not in the configuration" "" "$(lanctl config show | grep probe)"
	check "it cannot be removed" \
		"1 lanctl: port \".probe\": the switch's own port, not to be changed" \
		"$(out=$(lanctl port del .probe 2>&1); echo "$? $out")"
}

test_bad_input() {
	check "unknown port" '1 lanctl: port "nosuch": no such port' \
		"$(out=$(lanctl probe nosuch dhcp 2>&1); echo "$? $out")"
	check "bad address" '1 lanctl: bad IPv4 address "10.77.0"' \
		"$(out=$(lanctl probe c arp 10.77.0 2>&1); echo "$? $out")"
	check "a VLAN the port does not carry" '1 lanctl: port "c" does not carry VLAN 5' \
		"$(out=$(lanctl probe c dhcp --vlan 5 2>&1); echo "$? $out")"
	check "a name of the switch's own" \
		"1 lanctl: port name \".x\": names starting with '.' are the switch's own" \
		"$(out=$(lanctl port add .x vhost "$T/x.sock" 2>&1); echo "$? $out")"
	check "wait: a port that does not exist" '1 lanctl: port "nosuch": no such port' \
		"$(out=$(lanctl wait nosuch link-up --timeout 1 2>&1); echo "$? $out")"
	check "monitor said nothing on stderr" "" "$(cat "$T/monitor.err")"
}

setup
run_tests

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The host port: tap ports whose interfaces live in namespaces this test makes (never an
# address in the machine's own tables), with their addresses, routes and MACs; ping and a
# TCP transfer between two namespaces through the switch; an lsgen guest sees the ARP
# broadcasts; bad input leaves nothing behind; the state file brings the ports back.
ALL_TESTS="test_host_port test_ping test_fdb_show test_link_down_up test_bad_input
	test_restart test_del"
source "$(dirname "$0")/lib.sh"

NS1=lsit-host-$$
NS2=lsit-host2-$$
IF=lstap$$ # the same name in both namespaces: names are per namespace
G=02:00:00:00:00:0a
NETNS_MADE=()
IPERF_PID=

cleanup_tap() {
	local ns
	[ -z "$IPERF_PID" ] || kill "$IPERF_PID" 2>/dev/null
	cleanup # lanswitchd and the guests first: they hold the interfaces
	for ns in "${NETNS_MADE[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup_tap EXIT

netns_make() { # netns_make NAME: loopback up, IPv6 off (its chatter spoils exact counts)
	ip netns add "$1" || return 1
	NETNS_MADE+=("$1")
	ip -n "$1" link set lo up &&
		ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
}

# in NS: the interface's addresses as "ADDR/LEN ...", its routes as "DST via GW ..."
ns_addrs() { ip -n "$1" -j addr show dev "$2" | jq -r '[.[].addr_info[] | "\(.local)/\(.prefixlen)"] | join(" ")'; }
ns_routes() { ip -n "$1" -j route show dev "$2" | jq -r '[.[] | select(.gateway) | "\(.dst) via \(.gateway)"] | join(" ")'; }
ns_has_link() { ip -n "$1" link show "$2" >/dev/null 2>&1 && echo yes || echo no; }

setup() {
	netns_make "$NS1" && netns_make "$NS2" || exit 1
	daemon_start || exit 1
	gen_start g "$T/g.sock" $G || exit 1
	lanctl port add g vhost "$T/g.sock" || exit 1
	gen_link_up g || exit 1
	wait_for "port g up" 10 '[ "$(port_field g .link)" == up ]' || exit 1
}

test_host_port() {
	lanctl port add h tap "$IF" --netns "$NS1" --address 10.99.1.2/24 \
		--route default via 10.99.1.1
	check "port add h exit code" 0 $?
	check "address in $NS1" 10.99.1.2/24 "$(ns_addrs "$NS1" "$IF")"
	check "default route in $NS1" "default via 10.99.1.1" "$(ns_routes "$NS1" "$IF")"
	# a TAP has no operstate (UNKNOWN): its flags say up, and carrier while the PMD holds it
	check "interface up, with carrier, in $NS1" "true true" \
		"$(ip -n "$NS1" -j link show "$IF" | jq -r '.[0].flags | "\(index("UP") != null) \(index("LOWER_UP") != null)"')"
	check "never in the daemon's own namespace" no "$(ip link show "$IF" >/dev/null 2>&1 && echo yes || echo no)"
	check "port h shown" \
		"{\"link\":\"up\",\"status\":\"tap $IF in netns $NS1\",\"ifname\":\"$IF\",\"addresses\":[\"10.99.1.2/24\"],\"routes\":[\"default via 10.99.1.1\"],\"netns\":\"$NS1\"}" \
		"$(lanctlj port list | jq -c '.[] | select(.name == "h") | {link, status, ifname, addresses, routes, netns}')"
	H=$(port_field h .mac)
	check "MAC derived from the port name, as the interface has it" \
		"$H" "$(ip -n "$NS1" -j link show "$IF" | jq -r '.[0].address')"
	check_match "a locally administered unicast MAC" '^02:([0-9a-f]{2}:){4}[0-9a-f]{2}$' "$H"
	lanctl port add h2 tap "$IF" --netns "$NS2" --address 10.99.1.3/24 --mac 02:00:00:00:99:03
	check "port add h2 exit code" 0 $?
	H2=02:00:00:00:99:03
	check "MAC given with --mac" "$H2" "$(ip -n "$NS2" -j link show "$IF" | jq -r '.[0].address')"
	wait_for "port h2 up" 5 '[ "$(port_field h2 .link)" == up ]'
}

test_ping() {
	local rx tx rx2 tx2 out
	ip -n "$NS1" neigh flush all
	ip -n "$NS2" neigh flush all
	rx=$(port_field h .rx_packets) tx=$(port_field h .tx_packets)
	rx2=$(port_field h2 .rx_packets) tx2=$(port_field h2 .tx_packets)
	gen_reset_all
	out=$(ip netns exec "$NS1" ping -c 5 -i 0.2 -W 2 10.99.1.3)
	check_match "ping $NS1 -> $NS2 through the switch" ' 5 received' "$out"
	# one ARP request and 5 echo requests in at h and out at h2; the replies the other way
	check "h took at least 6 frames" yes "$([ $(($(port_field h .rx_packets) - rx)) -ge 6 ] && echo yes)"
	check "h2 sent at least 6 frames" yes "$([ $(($(port_field h2 .tx_packets) - tx2)) -ge 6 ] && echo yes)"
	check "h2 took at least 6 frames" yes "$([ $(($(port_field h2 .rx_packets) - rx2)) -ge 6 ] && echo yes)"
	check "h sent at least 6 frames" yes "$([ $(($(port_field h .tx_packets) - tx)) -ge 6 ] && echo yes)"
	# the guest sees the ARP request (broadcast) and nothing else: the rest is unicast to
	# MACs the switch learned from that request and its reply
	gen g wait 0 1 2000 >/dev/null
	sleep 0.2
	check "guest got the ARP broadcast from h, only that" "1 1 1" \
		"$(gen g stats | jq -r --arg h "$H" '.ports[0] | "\(.rx) \(.srcs[$h]) \(.dsts["ff:ff:ff:ff:ff:ff"])"')"
	out=$(ip netns exec "$NS2" ping -c 3 -i 0.2 -W 2 10.99.1.2)
	check_match "ping $NS2 -> $NS1" ' 3 received' "$out"
	test_iperf
}

test_iperf() {
	local out
	ip netns exec "$NS2" iperf3 -s -1 -B 10.99.1.3 >/dev/null 2>&1 &
	IPERF_PID=$!
	wait_for "iperf3 server" 5 "ip netns exec $NS2 ss -ltn | grep -q ':5201 '"
	out=$(ip netns exec "$NS1" timeout 20 iperf3 -c 10.99.1.3 -t 2 -J | jq -r '.end.sum_received.bytes')
	check "TCP through the switch" yes "$([ "${out:-0}" -gt 1000000 ] 2>/dev/null && echo yes)"
	wait_pid "$IPERF_PID" 5 || kill "$IPERF_PID" 2>/dev/null
	wait "$IPERF_PID" 2>/dev/null
	IPERF_PID=
}

test_fdb_show() {
	check "fdb lists both tap MACs on their ports" "$H h 1|$H2 h2 1" \
		"$(lanctlj fdb show | jq -r --arg h "$H" --arg h2 "$H2" \
			'[.[] | select(.mac == $h or .mac == $h2)] | sort_by(.port) | map("\(.mac) \(.port) \(.vlan)") | join("|")')"
}

# The kernel drops a link's routes when it goes down; the port puts them back.
test_link_down_up() {
	ip -n "$NS1" link set "$IF" down
	wait_for "port h down" 5 '[ "$(port_field h .link)" == down ]'
	check "status says so" "tap $IF in netns $NS1 (interface down)" "$(port_field h .status)"
	check "route gone with the link" "" "$(ns_routes "$NS1" "$IF")"
	ip -n "$NS1" link set "$IF" up
	wait_for "port h up" 5 '[ "$(port_field h .link)" == up ]'
	wait_for "route back" 5 '[ -n "$(ns_routes "$NS1" "$IF")" ]'
	check "route restored" "default via 10.99.1.1" "$(ns_routes "$NS1" "$IF")"
	check "address kept" 10.99.1.2/24 "$(ns_addrs "$NS1" "$IF")"
}

test_bad_input() {
	local before out rc x=lsx$$
	before=$(lanctl config show)
	refused "port \"x\": interface $IF in netns $NS1: already exists" \
		port add x tap "$IF" --netns "$NS1"
	refused 'port "x": interface lo: already exists' port add x tap lo
	refused 'port "x": bad address "10.0.0.1/40": expected ADDRESS/PREFIX, like 192.168.1.2/24' \
		port add x tap "$x" --netns "$NS1" --address 10.0.0.1/40
	refused "port \"x\": netns lsit-nosuch-$$: No such file or directory" \
		port add x tap "$x" --netns lsit-nosuch-$$
	refused "port \"x\": interface $x: add route default via 10.98.0.1: Network is unreachable" \
		port add x tap "$x" --netns "$NS2" --address 10.99.2.3/24 --route default via 10.98.0.1
	check "no half-made interface left in $NS2" no "$(ns_has_link "$NS2" "$x")"
	refused 'port "x": interface name "lstap-too-long-x": must be 1 to 15 characters' \
		port add x tap lstap-too-long-x --netns "$NS1"
	refused 'port "x": bad route "default via 10.0.0.1/24": expected DEST via GW, DEST a prefix or default, GW an address of the same family' \
		port add x tap "$x" --netns "$NS1" --route default via 10.0.0.1/24
	# lanctl's own grammar refuses this one, exit 2, before the switch
	out=$(lanctl port add x tapp "$x" 2>&1)
	rc=$?
	check "unknown port type" '2|lanctl: port add: expected vhost, dpdk, tap or afxdp, got "tapp"' \
		"$rc|$(head -1 <<<"$out")"
	check "configuration unchanged" "$before" "$(lanctl config show)"
	check "nothing new in $NS1" "lo $IF" "$(ip -n "$NS1" -j link | jq -r '[.[].ifname] | join(" ")')"
}

test_restart() {
	local before after
	before=$(lanctl config show)
	check_match "state line recreates h" \
		"port add h tap $IF --address 10.99.1.2/24 --route default via 10.99.1.1 --netns $NS1 --mac $H" \
		"$before"
	daemon_stop
	check "interface gone with the daemon ($NS1)" no "$(ns_has_link "$NS1" "$IF")"
	check "interface gone with the daemon ($NS2)" no "$(ns_has_link "$NS2" "$IF")"
	daemon_start || { FAILS=$((FAILS + 1)); return; }
	wait_for "port h up again" 10 '[ "$(port_field h .link)" == up ]'
	after=$(lanctl config show)
	check "same configuration after a restart" "$before" "$after"
	check "address back" 10.99.1.2/24 "$(ns_addrs "$NS1" "$IF")"
	check "route back" "default via 10.99.1.1" "$(ns_routes "$NS1" "$IF")"
	check "same MAC" "$H" "$(ip -n "$NS1" -j link show "$IF" | jq -r '.[0].address')"
	wait_for "port g up again" 10 '[ "$(port_field g .link)" == up ]'
	check_match "ping after the restart" ' 3 received' \
		"$(ip netns exec "$NS1" ping -c 3 -i 0.2 -W 2 10.99.1.3)"
}

test_del() {
	lanctl port del h
	check "port del h exit code" 0 $?
	check "interface removed from $NS1" no "$(ns_has_link "$NS1" "$IF")"
	check "its route went with it" "" "$(ip -n "$NS1" -j route | jq -r '.[].dst')"
	check "h is gone" "g h2" "$(lanctlj port list | jq -r '[.[].name] | sort | join(" ")')"
	check "h2 untouched" "10.99.1.3/24" "$(ns_addrs "$NS2" "$IF")"
}

setup
run_tests

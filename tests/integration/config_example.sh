#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dist/lanswitch.conf.example works as it stands: lanswitchd starts on exactly that file,
# with no state file, inside a network namespace of the test's own that has an eth_upper
# (one end of a veth, the LAN namespace behind it), and makes the reference setup's five
# ports with their types; the host port's TAP has its address and default route there. The
# guests' sockets do not exist: client-mode ports wait for them, as for guests not started.
ALL_TESTS="t_ports t_host_port"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.sh"

EXAMPLE=$(realpath "$(dirname "$0")/../../dist/lanswitch.conf.example")
NS=${PREFIX}ex NS_LAN=${PREFIX}exlan

setup() {
	netns_add "$NS" && netns_add "$NS_LAN" || exit 1
	veth_add "$NS" eth_upper "$NS_LAN" lan0 || exit 1
	DAEMON_NETNS=$NS
	# --state "" after lib.sh's own --state: the last one counts
	daemon_start --config "$EXAMPLE" --state "" || {
		check "lanswitchd starts on the example" started "$(tail -1 "$T/daemon.log")"
		exit 1
	}
}

t_ports() {
	local g
	check "five ports, in the file's order, with their types" \
		"lan:afxdp host:tap pfsense:vhost homeassistant:vhost windows:vhost" \
		"$(lanctlj port list | jq -r '[.[] | "\(.name):\(.type)"] | join(" ")')"
	check "the upper NIC's port is on eth_upper" eth_upper "$(port_field lan .ifname)"
	for g in pfsense homeassistant windows; do
		check "$g: a client on its socket under /run/lanswitch/vhost/" \
			"client /run/lanswitch/vhost/$g.sock" \
			"$(port_field "$g" '"\(.mode) \(.path)"')"
	done
	check "no state file written" no "$(test -e "$STATE" && echo yes || echo no)"
}

t_host_port() {
	check "the host port's interface is lanhost, in the namespace" yes \
		"$(ip -n "$NS" link show lanhost >/dev/null 2>&1 && echo yes || echo no)"
	check "its address" 192.168.1.2/24 \
		"$(ip -n "$NS" -j addr show dev lanhost |
			jq -r '[.[].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"] | join(" ")')"
	check "its default route" "default via 192.168.1.1" \
		"$(ip -n "$NS" -j route show dev lanhost |
			jq -r '[.[] | select(.gateway) | "\(.dst) via \(.gateway)"] | join(" ")')"
}

setup
run_tests

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Network namespaces for the tests that need kernel interfaces (afxdp, tap): every
# namespace and every process started in one is removed by lib.sh's cleanup, on every exit
# path. Source after lib.sh. Names carry the test's PID, so tests may run side by side.
NETNS_MADE=()
NETNS_PIDS=()

netns_cleanup() {
	local pid ns
	for pid in "${NETNS_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null && { wait_pid "$pid" 10 || kill -KILL "$pid"; }
		wait "$pid" 2>/dev/null
	done
	for ns in "${NETNS_MADE[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
}
CLEANUP_HOOKS+=(netns_cleanup)

# netns_add NAME: a namespace with lo up and IPv6 off (its chatter spoils exact counts).
netns_add() {
	ip netns add "$1" || return 1
	NETNS_MADE+=("$1")
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
}

# veth_add NS1 IF1 NS2 IF2: a veth pair between two namespaces, both ends up, IPv6 off.
veth_add() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || return 1
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

# netns_bg NS CMD...: a process in NS, in the background, stopped by cleanup.
netns_bg() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@" &
	NETNS_PIDS+=($!)
}

if_stat() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; } # if_stat NS IF COUNTER

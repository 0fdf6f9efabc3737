#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Guests and the switch come and go: a guest killed mid-traffic and restarted reconnects and
# forwards again; lanswitchd restarted under running guests restores its ports from the state
# file and forwards again without restarting them; every frame the switch received is
# accounted for (forwarded or counted under a drop reason).
ALL_TESTS="test_guest_killed test_daemon_restart"
source "$(dirname "$0")/lib.sh"

A=02:00:00:00:00:0a
B=02:00:00:00:00:0b
C=02:00:00:00:00:0c

setup() {
	daemon_start || exit 1
	guests_attach ga=$A gb=$B gc=$C
	learn_all
}

all_up() {
	local g
	for g in "${!GEN_PID[@]}"; do
		gen_link_up $g 15000 || { log "guest $g: link down"; return 1; }
		wait_for "port $g up" 15 '[ "$(port_field $g .link)" == up ]' || return 1
	done
}

# Each guest sends a broadcast, and each has the other two before anything is counted: a
# broadcast still on its way to gc when unicast_ok resets the counters would count as a frame
# C should not have received.
learn_all() {
	gen_reset_all
	gen ga send 0 1 >/dev/null
	gen gb send 0 1 >/dev/null
	gen gc send 0 1 >/dev/null
	gen ga wait 0 2 3000 >/dev/null
	gen gb wait 0 2 3000 >/dev/null
	gen gc wait 0 2 3000 >/dev/null
}

# A -> B, N frames: B gets all of them and C none.
unicast_ok() {
	gen_reset_all
	check "$1: sent" "{\"sent\":$2}" "$(gen ga send 0 $2 dst $B)"
	check "$1: B received" "$2" "$(gen gb wait 0 $2 5000 | jq .rx)"
	sleep 0.2
	check "$1: C received" 0 "$(gen_rx gc)"
}

# what the switch has done with frames so far: "received forwarded-or-dropped"
books() {
	lanctlj port list | jq -r '(.[] | select(.name == "ga") | .rx_packets) as $rx |
		([.[] | select(.name == "gb") | .tx_packets + .tx_held + .drops.tx_ring_full + .drops.no_mbuf]
		 | add) as $out |
		([.[] | select(.name == "ga") | .drops[]] | add) as $in | "\($rx) \($out + $in)"'
}

test_guest_killed() {
	local sent r0 f0 r1 f1
	unicast_ok "before" 100
	read -r r0 f0 <<<"$(books)"
	# a long burst towards B, and B dies in the middle of it
	echo "send 0 3000000 dst $B" >&"${GEN_IN[ga]}"
	sleep 0.5
	gen_stop gb kill
	read -r -t 60 sent <&"${GEN_OUT[ga]}"
	sent=$(jq .sent <<<"$sent")
	wait_for "port gb down" 10 '[ "$(port_field gb .link)" == down ]'
	check "gb down after its guest died" down "$(port_field gb .link)"
	sleep 0.2
	read -r r1 f1 <<<"$(books)"
	# every frame A sent is in the switch's books: forwarded to gb or dropped with a reason
	check "switch received what A sent" "$sent" $((r1 - r0))
	check "forwarded + dropped == received" "$sent" $((f1 - f0))
	log "  burst: $sent frames, $((f1 - f0)) accounted for"
	gen_start gb "$T/gb.sock" $B || return
	all_up || { FAILS=$((FAILS + 1)); return; }
	gen_reset_all
	gen gb send 0 1 >/dev/null # B learned again, and its broadcast at A and C before counting
	gen ga wait 0 1 3000 >/dev/null
	gen gc wait 0 1 3000 >/dev/null
	unicast_ok "after the guest came back" 100
}

test_daemon_restart() {
	local before
	before=$(lanctl config show)
	daemon_stop
	check "state file kept the ports" 3 "$(grep -c '^port add' "$STATE")"
	daemon_start || { FAILS=$((FAILS + 1)); return; }
	check "ports restored from the state file" "$before" "$(lanctl config show)"
	all_up || { FAILS=$((FAILS + 1)); return; }
	learn_all
	unicast_ok "after lanswitchd restarted" 100
}

setup
run_tests

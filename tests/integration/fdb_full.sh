#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A full FDB: new MACs are not learned (no eviction), their frames are flooded as unknown
# unicast, and each refusal is counted as the fdb_full event, not as a drop.
ALL_TESTS="test_full_no_eviction test_static_when_full"
source "$(dirname "$0")/lib.sh"

A=02:00:00:00:00:0a
B=02:00:00:00:00:0b

setup() {
	daemon_start --fdb-size 8 || exit 1
	guests_attach ga=$A gb=$B
}

test_full_no_eviction() {
	gen gb send 0 1 >/dev/null # B learned first
	gen ga wait 0 1 3000 >/dev/null
	# 20 source MACs behind ga: 7 fit next to B, 13 do not
	gen ga send 0 20 src 02:00:00:00:10:00 srcs 20 >/dev/null
	gen gb wait 0 21 3000 >/dev/null
	check "FDB holds its capacity" 8 "$(lanctlj fdb show | jq length)"
	check "B was not evicted" gb \
		"$(lanctlj fdb show | jq -r ".[] | select(.mac == \"$B\") | .port")"
	check "refusals counted as fdb_full" 13 "$(lanctlj stats | jq '[.workers[].fdb_full] | add')"
	check "not counted as drops" 0 "$(port_field ga '[.drops[]] | add')"
	# a MAC that could not be learned is unknown: frames to it are flooded
	gen_reset_all
	gen gb send 0 5 dst 02:00:00:00:10:13 >/dev/null
	check "flooded to the unlearned MAC's port" 5 "$(gen ga wait 0 5 3000 | jq .rx)"
}

test_static_when_full() {
	local out rc
	out=$(lanctl fdb add 02:00:00:00:20:01 ga 2>&1)
	rc=$?
	check "static entry refused when full" "1|lanctl: fdb: table full" "$rc|$out"
	lanctl fdb flush ga >/dev/null
	check "flush frees room" 1 "$(lanctlj fdb show | jq length)"
	lanctl fdb add 02:00:00:00:20:01 ga
	check "static entry after flush" '{"port":"ga","vlan":1,"static":true}' \
		"$(lanctlj fdb show | jq -c '.[] | select(.mac == "02:00:00:00:20:01") | {port, vlan, static}')"
}

setup
run_tests

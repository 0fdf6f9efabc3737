#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lanctl monitor: a port added, its guest's link coming up, a MAC learned and aged, the link
# going down and the port removed arrive in that order, in JSON and as text; a flood of new
# MACs is rate-limited with the rest counted; a subscriber that never reads is dropped
# without slowing anyone (port list stays under 50 ms) and is told why when it comes back.
ALL_TESTS="test_events_in_order test_fdb_rate_limit test_stuck_subscriber test_lanctl_resubscribes"
source "$(dirname "$0")/lib.sh"

A=02:00:00:00:00:0a
B=02:00:00:00:00:0b
MONITORS=()

monitors_stop() {
	local pid
	for pid in "${MONITORS[@]}"; do
		kill -INT "$pid" 2>/dev/null
		wait_pid "$pid" 5 || kill -KILL "$pid" 2>/dev/null
	done
	MONITORS=()
}
CLEANUP_HOOKS+=(monitors_stop)

# monitor_start FILE [-j]: lanctl monitor into FILE, subscribed once this returns
monitor_start() {
	local out=$1
	shift
	"$LANCTL" -s "$SOCK" "$@" monitor >"$out" 2>"$out.err" &
	MONITORS+=($!)
	# subscribed once it shows a port that comes and goes
	wait_for "monitor subscribed" 10 \
		'lanctl port add probe vhost "$T/probe.sock" >/dev/null; lanctl port del probe;
		 grep -q probe "$out"'
}

# the events after the probes, one line each: KIND PORT and the kind's own fields
events_after_probes() {
	jq -r 'select(.port != "probe") |
		if .event == "link" then "\(.event) \(.port) \(.link) \(.reason)"
		elif .mac then "\(.event) \(.port) \(.mac) \(.vlan)"
		elif .event == "port_added" then "\(.event) \(.port) \(.type)"
		else "\(.event) \(.port)" end' "$1"
}

test_events_in_order() {
	local json=$T/events.json text=$T/events.txt rc
	monitor_start "$json" -j
	monitor_start "$text"
	lanctl fdb set aging 1
	lanctl port add g0 vhost "$T/g0.sock"
	gen_start g0 "$T/g0.sock" $A || return
	wait_for "port g0 up" 10 '[ "$(port_field g0 .link)" == up ]'
	gen g0 send 0 1 >/dev/null
	wait_for "A aged out" 10 "grep -q fdb_aged '$json'"
	gen_stop g0
	wait_for "port g0 down" 10 '[ "$(port_field g0 .link)" == down ]'
	lanctl port del g0
	wait_for "port g0 removed" 10 "grep -q '\"port_removed\",.*\"g0\"' '$json'"
	kill -INT "${MONITORS[1]}"
	wait "${MONITORS[1]}"
	rc=$?
	check "lanctl monitor exits 0 on SIGINT" 0 "$rc"
	check "events in order" "port_added g0 vhost
link g0 up guest connected
fdb_learned g0 $A 1
fdb_aged g0 $A 1
link g0 down guest disconnected
port_removed g0" "$(events_after_probes "$json")"
	check "the same as text" "port g0 added (vhost)
port g0 link up (guest connected)
fdb $A vlan 1 learned on g0
fdb $A vlan 1 aged out on g0
port g0 link down (guest disconnected)
port g0 removed" "$(grep -v probe "$text" | cut -d' ' -f2-)"
	check_match "text lines start with the time" '^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3} ' \
		"$(head -1 "$text")"
	check "nothing on stderr" "" "$(cat "$json.err" "$text.err")"
	monitors_stop
	lanctl fdb set aging 300
}

# 1 000 new source MACs from one guest: at most 100 fdb_learned a second, every other one
# counted in fdb_suppressed.
test_fdb_rate_limit() {
	local json=$T/flood.json learned suppressed
	gen_start gb "$T/gb.sock" $B || return
	lanctl port add gb vhost "$T/gb.sock"
	wait_for "port gb up" 10 '[ "$(port_field gb .link)" == up ]'
	monitor_start "$json" -j
	gen gb send 0 1000 srcs 1000 >/dev/null
	wait_for "the suppressed count" 5 "grep -q fdb_suppressed '$json'"
	sleep 1.2 # a second count if the flood crossed a second
	learned=$(jq -s '[.[] | select(.event == "fdb_learned")] | length' "$json")
	suppressed=$(jq -s '[.[] | select(.event == "fdb_suppressed") | .count] | add // 0' "$json")
	check "learned + suppressed = new MACs" 1000 $((learned + suppressed))
	check "at most 100 a second (the flood spans at most 2)" 1 $((learned <= 200))
	check "the FDB learned them all" 1000 \
		"$(lanctlj fdb show | jq '[.[] | select(.port == "gb")] | length')"
	monitors_stop
	gen_stop gb
	lanctl port del gb
}

test_stuck_subscriber() {
	local stuck ms
	# subscribes, reads nothing while $T/flooded is absent, then reads to the end and
	# subscribes again from the same process
	python3 - "$SOCK" "$T" <<'PY' >"$T/stuck.out" &
import json, os, socket, sys, time
sock, tmp = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
s.sendall(b'{"args":["monitor"]}\n')
open(tmp + "/subscribed", "w").close()
while not os.path.exists(tmp + "/flooded"):
    time.sleep(0.05)
s.settimeout(5)
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
print("closed_after", data.count(b"\n"))
s2 = socket.socket(socket.AF_UNIX)
s2.connect(sock)
s2.sendall(b'{"args":["monitor"]}\n')
reply = json.loads(s2.makefile("rb").readline())
print("reply", json.dumps(reply["result"].get("dropped", {}).get("reason")))
PY
	stuck=$!
	wait_for "the stuck subscriber" 10 test -e "$T/subscribed"
	# 4 000 ports added and removed: 8 000 events, twice what it may leave unread
	flood 4000 &
	local flood=$!
	ms=$(latency 20)
	wait "$flood"
	log "  port list during the flood, a subscriber reading nothing: $(tr '\n' ' ' <<<"$ms")ms"
	check "port list under 50 ms (samples over)" 0 "$(awk '$1 >= 50' <<<"$ms" | wc -l)"
	touch "$T/flooded"
	wait "$stuck"
	check_match "the stuck subscriber was closed" '^closed_after [0-9]+$' "$(head -1 "$T/stuck.out")"
	check "and told why when it came back" 'reply "it did not read its events"' \
		"$(tail -1 "$T/stuck.out")"
	check "the switch logged it" 1 "$(grep -c 'dropping a monitor' "$T/daemon.log")"
	check "daemon alive" yes "$(kill -0 "$DAEMON_PID" && echo yes)"
}

# flood N: N ports added and removed on one connection, 2N events
flood() {
	python3 - "$SOCK" "$T" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rb")
for i in range(int(sys.argv[3])):
    s.sendall(b'{"args":["port","add","f%d","vhost","%s/f%d.sock"]}\n' % (i, sys.argv[2].encode(), i))
    f.readline()
    s.sendall(b'{"args":["port","del","f%d"]}\n' % i)
    f.readline()
PY
}

# lanctl monitor writing into a pipe nobody reads is dropped by the switch; once its reader
# reads again, it subscribes again and says on stderr what happened.
test_lanctl_resubscribes() {
	local rd mon
	mkfifo "$T/pipe"
	exec {rd}<>"$T/pipe" # a reader that does not read: lanctl blocks once the pipe is full
	"$LANCTL" -s "$SOCK" -j monitor >"$T/pipe" 2>"$T/resub.err" &
	mon=$!
	MONITORS+=($mon)
	sleep 0.5
	flood 4000
	timeout 10 cat <&$rd >"$T/resub.out" &
	local reader=$!
	wait_for "lanctl to subscribe again" 10 "grep -q 'dropped this monitor' '$T/resub.err'"
	check_match "lanctl says it was dropped" \
		'^lanctl: monitor: the switch dropped this monitor at [0-9:]{8}: it did not read its events \([0-9]+ bytes unread\); events until now are lost$' \
		"$(cat "$T/resub.err")"
	lanctl port add after vhost "$T/after.sock"
	wait_for "events after it" 5 "grep -q '\"after\"' '$T/resub.out'"
	check "still monitoring after it" yes "$(kill -0 "$mon" && echo yes)"
	monitors_stop
	kill "$reader" 2>/dev/null
	wait "$reader" 2>/dev/null
	exec {rd}<&-
	lanctl port del after
}

setup() {
	# no state file: 4 000 saves would only slow the flood
	daemon_start --state "" || exit 1
}

setup
run_tests

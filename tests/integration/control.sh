#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The control socket serves every client without waiting on any of them: a client that never
# reads its replies does not slow another's port list, and a change that cannot be saved says
# so. The event stream (lanctl monitor) is monitor.sh.
ALL_TESTS="test_reader_stuck test_unsaved_change"
source "$(dirname "$0")/lib.sh"

# A client that sends requests and never reads a reply, while others are served: before
# replies were buffered, each of its replies blocked the control thread for 2 s.
test_reader_stuck() {
	local stuck ms slow
	python3 - "$SOCK" "$T/stuck.ready" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.setblocking(False)
req = b'{"args":["port","list"]}\n' * 20000
sent = 0
deadline = time.monotonic() + 3
while time.monotonic() < deadline and sent < len(req):
    try:
        sent += s.send(req[sent:])
    except BlockingIOError:
        time.sleep(0.01)
open(sys.argv[2], "w").write(str(sent))
time.sleep(8) # holding the socket, reading nothing
PY
	stuck=$!
	wait_for "the stuck client to fill its socket" 10 test -s "$T/stuck.ready"
	ms=$(latency 20)
	slow=$(awk '$1 >= 50' <<<"$ms" | wc -l)
	log "  port list while a client reads nothing: $(tr '\n' ' ' <<<"$ms")ms"
	# one sample may meet a busy moment of this 2-core machine; the stall was 2 000 ms each
	check "port list under 50 ms while a client reads nothing (samples over)" 1 \
		$((slow <= 1))
	check "no sample near the old 2 s stall" 0 "$(awk '$1 >= 500' <<<"$ms" | wc -l)"
	# it could not send them all: the switch stopped reading it, its replies unread
	check "the stuck client was held back" 1 $(($(cat "$T/stuck.ready") < 20000 * 25))
	log "  the stuck client sent $(cat "$T/stuck.ready") bytes of requests"
	kill "$stuck" 2>/dev/null
	wait "$stuck" 2>/dev/null
	check "daemon alive" yes "$(kill -0 "$DAEMON_PID" && echo yes)"
	check "answers after the stuck client left" 0 "$(lanctl stats >/dev/null; echo $?)"
}

# The state file's directory vanished: the change is made, and lanctl says it is not saved.
test_unsaved_change() {
	local out rc
	rm -rf "$T/statedir"
	out=$(lanctl port add gz vhost "$T/gz.sock" 2>&1)
	rc=$?
	check "exit code of an unsaved change" 1 "$rc"
	check "message" "lanctl: the change is live but not saved: state file $T/statedir/state: No such file or directory" "$out"
	check "the change is live" vhost "$(port_field gz .type)"
	mkdir "$T/statedir"
	check "saved again once it can be" 0 "$(lanctl port set gz vlan 7 >/dev/null; echo $?)"
	check "the state has both changes" 2 \
		"$(grep -c '^port add gz vhost\|^port set gz vlan 7' "$T/statedir/state")"
}

setup() {
	mkdir "$T/statedir"
	daemon_start --state "$T/statedir/state" || exit 1
}

setup
run_tests

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Shared helpers for the integration tests: start lanswitchd and lsgen guests in a private
# directory, talk to them, assert, and clean up on every exit path (trap cleanup EXIT).
# A test script sets ALL_TESTS, sources this file and calls run_tests.
set -u

BUILD=${BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
LANSWITCHD=${LANSWITCHD:-$BUILD/dataplane/lanswitchd}
LANCTL=${LANCTL:-$BUILD/control/lanctl}
LSGEN=${LSGEN:-$BUILD/bench/lsgen}

T=$(mktemp -d /tmp/lanswitch-it.XXXXXX)
PREFIX="lsit$$"
SOCK=$T/ctl.sock
STATE=$T/state
DAEMON_PID=
DAEMON_NETNS= # set: lanswitchd runs inside this network namespace (ip netns exec)
CLEANUP_HOOKS=() # functions cleanup runs after the processes are gone (namespaces, ...)
declare -A GEN_PID GEN_IN GEN_OUT
FAILS=0
PASSES=0

cleanup() {
	local name
	for name in "${!GEN_PID[@]}"; do
		gen_stop "$name"
	done
	daemon_stop
	for name in "${CLEANUP_HOOKS[@]}"; do
		"$name"
	done
	# each EAL process leaves its runtime directory, even with --in-memory; [!0-9]: not lsit12
	# removing lsit123's
	rm -rf "/var/run/dpdk/$PREFIX"[!0-9]*
	if [ -n "${KEEP:-}" ]; then log "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
# TERM (meson's timeout) and INT would end bash without running the EXIT trap
trap 'exit 143' TERM
trap 'exit 130' INT

log() { printf '%s\n' "$*" >&2; }

# --- assertions ------------------------------------------------------------------------
check() { # check DESCRIPTION EXPECTED ACTUAL
	if [ "$2" == "$3" ]; then
		PASSES=$((PASSES + 1))
	else
		FAILS=$((FAILS + 1))
		log "  FAIL: $1: expected [$2], got [$3]"
	fi
}

check_match() { # check_match DESCRIPTION REGEX ACTUAL
	if [[ "$3" =~ $2 ]]; then
		PASSES=$((PASSES + 1))
	else
		FAILS=$((FAILS + 1))
		log "  FAIL: $1: expected to match [$2], got [$3]"
	fi
}

# settle DESCRIPTION EXPECTED 'EXPR': wait until EXPR reaches EXPECTED, give stragglers a
# moment, then the value must be exactly EXPECTED (a count that overshoots fails too).
settle() {
	wait_for "$1" 10 '[ "$('"$3"')" -ge '"$2"' ]'
	sleep 0.3
	check "$1" "$2" "$(eval "$3")"
}

refused() { # refused MESSAGE COMMAND...: lanctl fails with exit code 1 and exactly this
	local msg=$1 out rc
	shift
	out=$(lanctl "$@" 2>&1)
	rc=$?
	check "refused: $*" "1|lanctl: $msg" "$rc|$out"
}

run_tests() {
	local t
	for t in $ALL_TESTS; do
		log "TEST: $t"
		$t
	done
	log "$(basename "$0"): $PASSES checks passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}

# --- lanswitchd ------------------------------------------------------------------------
daemon_start() { # daemon_start [lanswitchd options...]
	# ip netns exec execs lanswitchd: $! is the daemon's own PID either way
	${DAEMON_NETNS:+ip netns exec "$DAEMON_NETNS"} \
		"$LANSWITCHD" --socket "$SOCK" --state "$STATE" "$@" -- \
		${LANSWITCH_EAL:--l 0,1} --file-prefix "${PREFIX}d" --in-memory --no-pci \
		>>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	wait_for "control socket" 20 test -S "$SOCK" || { cat "$T/daemon.log" >&2; return 1; }
	wait_for "lanswitchd answering" 20 lanctl stats
}

daemon_stop() {
	[ -n "$DAEMON_PID" ] || return 0
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait_pid "$DAEMON_PID" 10 || kill -KILL "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
}

lanctl() { "$LANCTL" -s "$SOCK" "$@"; }
lanctlj() { "$LANCTL" -s "$SOCK" -j "$@"; }

# latency N: N "port list" round trips on one connection to the switch, milliseconds each
latency() {
	python3 - "$SOCK" "$1" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(10)
f = s.makefile("rb")
for _ in range(int(sys.argv[2])):
    t = time.monotonic()
    s.sendall(b'{"args":["port","list"]}\n')
    f.readline()
    print(f"{(time.monotonic() - t) * 1000:.1f}")
    time.sleep(0.05)
PY
}

# port_field PORT FIELD -> value from lanctl -j port list (jq path after the port object)
port_field() { lanctlj port list | jq -r --arg n "$1" ".[] | select(.name == \$n) | $2"; }

wait_for() { # wait_for WHAT SECONDS 'SHELL CONDITION' (evaluated anew each time)
	local what=$1 deadline=$((SECONDS + $2))
	shift 2
	until eval "$*" >/dev/null 2>&1; do
		if [ $SECONDS -ge $deadline ]; then
			log "  timed out waiting for $what"
			return 1
		fi
		sleep 0.1
	done
}

wait_pid() { # wait_pid PID SECONDS: true once PID has exited
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# --- lsgen guests ----------------------------------------------------------------------
# gen_start NAME SOCKET MAC [server|client [VDEV...]]: one guest process with one virtio-user
# port (and a port more for each further --vdev value VDEV: ports 1, 2, ... of its commands).
# server (default): the guest owns the socket, as QEMU does under libvirt's mode='server',
# and lanswitchd's default client-mode port connects to it.
gen_start() {
	local name=$1 path=$2 mac=$3 mode=${4:-server} extra=
	local v vdevs=()
	[ "$mode" == server ] && extra=",server=1"
	for v in "${@:5}"; do vdevs+=(--vdev "$v"); done
	mkfifo "$T/$name.in" "$T/$name.out"
	"$LSGEN" -l 0 --no-pci --in-memory --single-file-segments --file-prefix "${PREFIX}$name" \
		-m 128 --log-level=warning \
		--vdev "net_virtio_user0,path=$path,mac=$mac$extra" ${vdevs[@]+"${vdevs[@]}"} -- \
		<"$T/$name.in" >"$T/$name.out" 2>>"$T/$name.log" &
	GEN_PID[$name]=$!
	exec {fd_in}>"$T/$name.in"
	exec {fd_out}<"$T/$name.out"
	GEN_IN[$name]=$fd_in
	GEN_OUT[$name]=$fd_out
	local ready
	if ! read -r -t 20 ready <&"$fd_out"; then
		log "  guest $name did not start"; cat "$T/$name.log" >&2
		return 1
	fi
}

gen() { # gen NAME COMMAND... -> prints the one-line JSON reply
	local name=$1 reply
	shift
	echo "$*" >&"${GEN_IN[$name]}" || return 1
	read -r -t 30 reply <&"${GEN_OUT[$name]}" || return 1
	printf '%s\n' "$reply"
}

gen_stop() { # gen_stop NAME [kill]: quit (or SIGKILL) one guest and forget it
	local name=$1 pid=${GEN_PID[$1]}
	if [ "${2:-}" == kill ]; then
		kill -KILL "$pid" 2>/dev/null
	else
		# in a subshell: a guest that is gone would kill this shell (SIGPIPE) mid-cleanup
		(echo quit >&"${GEN_IN[$name]}") 2>/dev/null
		wait_pid "$pid" 10 || kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	local fi=${GEN_IN[$name]} fo=${GEN_OUT[$name]}
	exec {fi}>&- {fo}<&-
	rm -f "$T/$name.in" "$T/$name.out"
	unset "GEN_PID[$name]" "GEN_IN[$name]" "GEN_OUT[$name]"
}

gen_rx() { gen "$1" stats | jq -r '.ports[0].rx'; } # frames received since the last reset
gen_reset_all() { local n; for n in "${!GEN_PID[@]}"; do gen "$n" reset >/dev/null; done; }
gen_link_up() { [ "$(gen "$1" link 0 "${2:-10000}" | jq -r .link)" == up ]; }

# guests_attach NAME=MAC...: for each, a guest owning $T/NAME.sock, a client-mode port NAME
# on it, and both ends' links up. Exits the test on failure: nothing after it could pass.
guests_attach() {
	local pair g
	for pair in "$@"; do
		g=${pair%%=*}
		gen_start "$g" "$T/$g.sock" "${pair#*=}" || exit 1
		lanctl port add "$g" vhost "$T/$g.sock" || exit 1
	done
	for pair in "$@"; do
		g=${pair%%=*}
		gen_link_up "$g" || { log "guest $g: link did not come up"; exit 1; }
		wait_for "port $g up" 10 '[ "$(port_field '"$g"' .link)" == up ]' || exit 1
	done
}

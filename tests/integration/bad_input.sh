#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bad input of every kind gets a clear error or a counted drop; the switch keeps running,
# keeps answering and loses no state.
ALL_TESTS="test_config_errors test_start_errors test_command_errors test_bad_frames
	test_control_socket"
source "$(dirname "$0")/lib.sh"

A=02:00:00:00:00:0a
B=02:00:00:00:00:0b
PORT_ADD_USAGE='port add NAME vhost PATH [--server] | port add NAME dpdk DEVARGS | port add NAME tap IFNAME [--address CIDR]... [--route DEST via GW]... [--netns NS] [--mac MAC] | port add NAME afxdp IFACE [--queues N] [--mode native|generic] [--zero-copy] [--xdp-prog OBJ]'

# start lanswitchd on a config that must be refused; prints "rc|stderr"
refuse_config() {
	local conf=$T/lanswitch.conf
	printf '%s\n' "$@" >"$conf"
	timeout 30 "$LANSWITCHD" --config "$conf" --socket "$T/bad.sock" --state "$T/bad.state" -- \
		-l 0,1 --file-prefix "${PREFIX}c" --in-memory --no-pci --log-level=error \
		>/dev/null 2>"$T/bad.err"
	echo "$?|$(grep 'lanswitchd: error' "$T/bad.err")"
}

test_config_errors() {
	local g0=$T/cfg-g0.sock
	check "unknown command, line 2" \
		'1|lanswitchd: error: lanswitch.conf:2: unknown command "port frobnicate"' \
		"$(refuse_config '# a comment' 'port frobnicate x' '')"
	check "unknown group" '1|lanswitchd: error: lanswitch.conf:1: unknown command "frobnicate"' \
		"$(refuse_config 'frobnicate')"
	check "unterminated quote" \
		'1|lanswitchd: error: lanswitch.conf:3: unterminated double quote' \
		"$(refuse_config '' '' 'port add "g0 vhost /x.sock')"
	check "usage error" \
		'1|lanswitchd: error: lanswitch.conf:1: port add: missing vhost, dpdk, tap or afxdp after "g0" (usage: '"$PORT_ADD_USAGE"')' \
		"$(refuse_config 'port add g0')"
	check "usage error on the last line, found before any line runs" \
		'1|lanswitchd: error: lanswitch.conf:2: port set: missing N after "vlan" (usage: port set NAME vlan N | port set NAME trunk N[,M...] [--native N] | port set NAME block|unblock MAC | port set NAME mac-limit N [--flood] | port set NAME allowed-mac MAC [MAC]... | port set NAME arp-guard IP/PREFIX [IP/PREFIX]... | port set NAME dhcp-server|ra-guard allow|deny | port set NAME storm broadcast|multicast|unknown-unicast PPS)' \
		"$(refuse_config "port add g0 vhost $g0 --server" 'port set g0 vlan')"
	check "lanctl's own command" \
		'1|lanswitchd: error: lanswitch.conf:1: "help" runs inside lanctl; the switch does not take it' \
		"$(refuse_config 'help')"
	check "query in a config" \
		'1|lanswitchd: error: lanswitch.conf:1: "port list" only reads; it has no place in a configuration file' \
		"$(refuse_config 'port list')"
	check "bad last line refuses the whole config" \
		'1|lanswitchd: error: lanswitch.conf:2: bad VLAN "5000": expected 1-4094' \
		"$(refuse_config "port add g0 vhost $g0 --server" 'port set g0 vlan 5000')"
	check "no state written for a refused config" no "$(test -e "$T/bad.state" && echo yes || echo no)"
	check "its server socket was removed again" no "$(test -e "$g0" && echo yes || echo no)"
	check "no control socket left" no "$(test -e "$T/bad.sock" && echo yes || echo no)"
}

# An FDB that does not fit in memory: the error is the one fdb_init() returned (it said
# "Operation not supported" when rte_errno, stale from another call, was printed instead).
# --socket-limit caps the EAL's memory, so 4 GiB of buckets never fit.
test_start_errors() {
	timeout 30 "$LANSWITCHD" --socket "$T/bad.sock" --state "" --fdb-size 67108864 -- \
		-l 0,1 --file-prefix "${PREFIX}f" --in-memory --no-pci --socket-limit 256 \
		--log-level=error >/dev/null 2>"$T/bad.err"
	check "FDB too large for memory" \
		'1|lanswitchd: error: FDB of 67108864 entries: Cannot allocate memory' \
		"$?|$(grep 'lanswitchd: error' "$T/bad.err")"
	check "no control socket left" no "$(test -e "$T/bad.sock" && echo yes || echo no)"
}

# lanctl must fail with exit code 1 and exactly this message
# lanctl must refuse the words itself: exit code 2 and exactly this message first
usage_error() { # usage_error MESSAGE COMMAND...
	local msg=$1 out rc
	shift
	out=$(lanctl "$@" 2>&1)
	rc=$?
	check "usage error: $*" "2|lanctl: $msg" "$rc|$(head -1 <<<"$out")"
}

test_command_errors() {
	local before
	: >"$T/plain-file"
	before=$(lanctl config show)
	refused 'port "ga": already exists' port add ga vhost "$T/other.sock"
	refused "port \"x\": vhost socket $T/plain-file: exists and is not a socket" \
		port add x vhost "$T/plain-file"
	refused "port \"x\": vhost socket /nonexistent/dir/x.sock: No such file or directory" \
		port add x vhost /nonexistent/dir/x.sock --server
	refused 'port "x": vhost socket rel.sock: must be an absolute path of at most 107 characters, without commas' \
		port add x vhost rel.sock
	refused 'port "x": device net_nonexistent0: probe failed (unknown driver, bad arguments or device in use; drivers: net_vhost net_tap net_ring net_null net_pcap net_af_packet net_virtio net_e1000 net_igc net_ixgbe net_i40e net_ice net_iavf)' \
		port add x dpdk net_nonexistent0
	# a real DPDK driver lanswitchd is not linked with (static build: no plugins)
	refused 'port "x": device net_bonding0,mode=1: probe failed (unknown driver, bad arguments or device in use; drivers: net_vhost net_tap net_ring net_null net_pcap net_af_packet net_virtio net_e1000 net_igc net_ixgbe net_i40e net_ice net_iavf)' \
		port add x dpdk net_bonding0,mode=1
	# lanctl refuses these itself (exit 2, lanctl_cli.sh); the switch's own words: raw below
	usage_error 'port add: expected vhost, dpdk, tap or afxdp, got "frob"' port add x frob y
	usage_error 'unknown command "port frobnicate"' port frobnicate
	refused 'bad VLAN "0": expected 1-4094' port set ga vlan 0
	refused 'bad VLAN list "10,x": expected VLAN IDs 1-4094 separated by commas' \
		port set ga trunk 10,x
	refused 'port "nosuch": no such port' port del nosuch
	refused 'bad MAC address "01:00:5e:00:00:01": expected a unicast address like 02:00:00:00:00:01' \
		fdb add 01:00:5e:00:00:01 ga
	refused 'port "nosuch": no such port' fdb add 02:00:00:00:00:99 nosuch
	refused 'fdb: no entry for 02:00:00:00:00:99' fdb del 02:00:00:00:00:99
	refused 'bad aging time "-1": expected 0 (never) to 1000000 seconds' fdb set aging -1
	refused 'port name "a/b": only letters, digits, '"'-', '_' and '.'"' allowed' \
		port add a/b vhost "$T/x.sock"
	check "configuration unchanged" "$before" "$(lanctl config show)"
	check "daemon alive" yes "$(kill -0 "$DAEMON_PID" && echo yes)"
}

test_bad_frames() {
	local d
	gen_reset_all
	gen ga send 0 3 size 10 >/dev/null		# runt
	gen ga send 0 2 size 16 vlan 10 >/dev/null	# tagged runt: under 18 bytes
	gen ga send 0 4 size 1515 >/dev/null		# MTU 1500 + 14 + 1
	gen ga send 0 1 size 1514 >/dev/null		# the largest that fits
	gen ga send 0 5 src 01:00:5e:00:00:01 >/dev/null # multicast source
	gen gb wait 0 1 3000 >/dev/null
	sleep 0.2
	d=$(port_field ga '.drops | "\(.runt) \(.oversized) \(.bad_src_mac)"')
	check "drops by reason" "5 4 5" "$d"
	check "only the good frame crossed" 1 "$(gen_rx gb)"
	check "rx counts every frame" 15 "$(port_field ga .rx_packets)"
}

# raw bytes on the control socket; prints every reply line
raw() {
	python3 - "$SOCK" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(5)
s.sendall(sys.argv[2].encode().decode('unicode_escape').encode('latin-1'))
out = b''
try:
    while not out.endswith(b'\n') or out.count(b'\n') < sys.argv[2].count('\\n'):
        d = s.recv(65536)
        if not d:
            break
        out += d
except socket.timeout:
    pass
print(out.decode(errors='replace'), end='')
PY
}

test_control_socket() {
	check "garbage" '{"ok":false,"error":"bad request: not JSON"}' "$(raw 'hello\n')"
	check "not an object" '{"ok":false,"error":"bad request: expected {\"args\":[\"word\",...]}"}' \
		"$(raw '[1,2]\n')"
	check "word not a string" '{"ok":false,"error":"bad request: every word must be a string"}' \
		"$(raw '{"args":["port",1]}\n')"
	check "empty command" '{"ok":false,"error":"bad request: no command"}' "$(raw '{"args":[]}\n')"
	check "unknown command" '{"ok":false,"error":"unknown command \"port frobnicate\""}' \
		"$(raw '{"args":["port","frobnicate"]}\n')"
	check "unknown port type" \
		'{"ok":false,"error":"port add: expected vhost, dpdk, tap or afxdp, got \"frob\" (usage: '"$PORT_ADD_USAGE"')"}' \
		"$(raw '{"args":["port","add","x","frob","y"]}\n')"
	check "lanctl's own command" \
		'{"ok":false,"error":"\"help\" runs inside lanctl; the switch does not take it"}' \
		"$(raw '{"args":["help","port"]}\n')"
	check "NUL byte" '{"ok":false,"error":"bad request: NUL byte in request"}' \
		"$(raw '{"args":["stats"]}\x00\n')"
	check "NUL character in a word" '{"ok":false,"error":"bad request: NUL character in a word"}' \
		"$(raw '{"args":["port","del","a\\u0000b"]}\n')"
	check "two requests, two replies" 2 "$(raw '{"args":["stats"]}\n{"args":["fdb","show"]}\n' | wc -l)"
	check "oversized request" '{"ok":false,"error":"bad request: longer than 65536 bytes"}' \
		"$(python3 -c 'import sys; sys.stdout.write("x" * 70000)' | python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(5)
s.sendall(sys.stdin.buffer.read())
print(s.makefile().readline(), end="")' "$SOCK")"
	# many idle clients: the switch keeps answering
	python3 - "$SOCK" <<'PY' &
import socket, sys, time
conns = []
for i in range(100):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); conns.append(s)
time.sleep(4)
PY
	local idle=$!
	sleep 1
	check "answers with 100 idle clients" 0 "$(lanctl stats >/dev/null; echo $?)"
	check "port list still complete" "ga gb" "$(lanctlj port list | jq -r '[.[].name] | join(" ")')"
	wait $idle
	check "daemon alive" yes "$(kill -0 "$DAEMON_PID" && echo yes)"
}

setup() {
	daemon_start || exit 1
	guests_attach ga=$A gb=$B
}

setup
run_tests

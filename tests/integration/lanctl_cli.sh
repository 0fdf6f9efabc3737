#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lanctl's grammar: --help lists every command the switch takes, generated from the grammar,
# with no switch running; a usage error is exit code 2 and the grammar's message, without
# touching the socket; a config file gets the same message from the switch, with its
# file and line; and the switch takes every form --help lists.
ALL_TESTS="t_help_without_switch t_usage_errors_stay_local t_config_same_grammar
	t_switch_takes_every_form"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.sh"

NOSOCK=$T/none.sock # never created: lanctl would exit 3 if it tried it
NS_SW=${PREFIX}sw

lanctl_none() { "$LANCTL" -s "$NOSOCK" "$@"; }

# The command list of lanctl --help: one line per form, exactly.
COMMANDS=$(cat <<'EOF'
  port add NAME vhost PATH [--server]       vhost-user guest port (client mode by default)
  port add NAME dpdk DEVARGS                a DPDK device: 0000:03:00.0, net_pcap0,rx_pcap=...
  port add NAME tap IFNAME [--address CIDR]... [--route DEST via GW]... [--netns NS] [--mac MAC]
                                            the host's own port (replaces br0's address)
  port add NAME afxdp IFACE [--queues N] [--mode native|generic] [--zero-copy] [--xdp-prog OBJ]
                                            the upper NIC through AF_XDP and lanswitch's XDP program
  port del NAME                             remove a port (a tap port's interface goes with it)
  port list                                 name, type, link, rx/tx packets and bytes, drops
  port set NAME vlan N                      untagged (access) port in VLAN N
  port set NAME trunk N[,M...] [--native N] tagged VLANs, untagged frames in the native one
  port set NAME block|unblock MAC           (afxdp) drop frames from MAC in the kernel, by XDP
  port set NAME mac-limit N [--flood]       at most N learned MACs (0: none); past it drop new sources, or flood unlearned
  port set NAME allowed-mac MAC [MAC]...    drop frames from any other source MAC; none: any source
  port set NAME arp-guard IP/PREFIX [IP/PREFIX]...
                                            drop ARP and IPv6 neighbour advertisements for addresses outside; none: off
  port set NAME dhcp-server|ra-guard allow|deny
                                            deny: drop DHCP server replies / IPv6 router advertisements from the port
  port set NAME storm broadcast|multicast|unknown-unicast PPS
                                            at most PPS such frames a second from the port (0: no limit)
  fdb show                                  mac, port, vlan, age_s, static
  fdb add MAC PORT [vlan N]                 static entry: never aged, never moved
  fdb del MAC [vlan N]                      without vlan: the MAC in every VLAN
  fdb flush [PORT]                          learned entries (of one port)
  fdb set aging SECONDS                     0: never age
  worker set mode adaptive|poll             adaptive (default): sleep when idle, woken by the ports; poll: never sleep
  worker set idle-us N                      adaptive: sleep after N microseconds without a frame (default 50)
  stats                                     per worker: packets, cycles/packet, busy %, fdb_full, sleeps; the mbuf pool
  config show                               the running configuration, as config-file lines
  monitor                                   print events as they happen (ports, links, FDB) until interrupted
  hosts                                     hosts seen: MAC, VLAN, port, domain, IPv4/IPv6 addresses, last seen
  probe PORT dhcp [--vlan N]                send a DHCPDISCOVER into PORT alone; a server's offer is a dhcp_server event
  probe PORT arp IP [--vlan N]              ask who has IP, into PORT alone; the answer is an arp_reply event
  wait PORT link-up [--timeout S]           until PORT's link is up
  wait PORT dhcp-server [--vlan N] [--timeout S]
                                            until a DHCP server answers the switch's DHCPDISCOVER on PORT
  wait PORT arp IP [--vlan N] [--timeout S] until IP answers the switch's ARP probe on PORT
  vm attach DOMAIN [--mac MAC] [--vlan N] [--trunk N[,M...] [--native N]] [--queues N] [--add] [--dhcp-server] [--socket-dir DIR]
                                            a guarded port, and an interface on it in the domain (--dhcp-server: the router)
  vm detach DOMAIN                          remove the domain's switch interfaces and their ports
  vm list                                   domain, state, port, MAC, link, rx/tx packets, drops
  vm convert DOMAIN [DOMAIN]... --bridge BR [--model-virtio] [--dhcp-server DOMAIN]... [--dry-run] [--socket-dir DIR]
                                            bridge interfaces on BR become guarded vhost-user ports (--dhcp-server: the router)
  vm convert --all --bridge BR [--model-virtio] [--dhcp-server DOMAIN]... [--dry-run] [--socket-dir DIR]
                                            the same in every persistent domain
  vm follow [--socket-dir DIR]              keep the switch in step with libvirt's domains, until stopped (the agent)
  vm start-order FILE                       start domains in the order FILE gives, each when the last is ready
  doctor [--socket-dir DIR]                 check what breaks such setups: one line per finding, with its fix
  help [GROUP [COMMAND]]                    this help, or that of a group or a command
EOF
)

# the lines between "Commands:" and the next empty line
commands_of() { sed -n '/^Commands:$/,/^$/p' | sed '1d;$d'; }

t_help_without_switch() {
	local out rc
	out=$(lanctl_none --help)
	check "--help: exit 0" 0 $?
	check "--help: every command" "$COMMANDS" "$(commands_of <<<"$out")"
	check_match "--help: the options" $'\n  -t, --timeout SECS ' "$out"
	check "help is --help" "$out" "$(lanctl_none help)"
	check "-h is --help" "$out" "$(lanctl_none -h)"
	out=$(lanctl_none port --help)
	check "port --help: exit 0" 0 $?
	check "port --help" "Usage: lanctl [OPTION]... port COMMAND...

$(awk '/^  [a-z]/ { port = /^  port / } port' <<<"$COMMANDS")

The options and every command: lanctl --help." "$out"
	check "help port is port --help" "$out" "$(lanctl_none help port)"
	check "-h port is port --help" "$out" "$(lanctl_none -h port)"
	out=$(lanctl_none fdb set --help)
	check "fdb set --help: exit 0" 0 $?
	check "fdb set --help" "Usage: lanctl [OPTION]... fdb set ARGS...
0: never age.

  fdb set aging SECONDS

A change: saved in the state file, and allowed in the config file.

The options and every command: lanctl --help." "$out"
	check "help fdb set" "$out" "$(lanctl_none help fdb set)"
	check "fdb set aging 5 -h" "$out" "$(lanctl_none fdb set aging 5 -h)"
	out=$(lanctl_none stats --help)
	check "stats --help" "Usage: lanctl [OPTION]... stats
Per worker: packets, cycles/packet, busy %, fdb_full, sleeps; the mbuf pool.

  stats

Only reads: not allowed in the config file.

The options and every command: lanctl --help." "$out"
	out=$(lanctl_none 2>&1)
	rc=$?
	check "no command: exit 2" 2 $rc
	check "no command: the help" "$COMMANDS" "$(commands_of <<<"$out")"
}

# fails RC ARGS... <<< STDERR: lanctl, with no switch, exits RC and prints exactly STDERR
fails() {
	local want_rc=$1 want out rc
	shift
	want=$(cat)
	out=$(lanctl_none "$@" 2>"$T/err")
	rc=$?
	check "lanctl $*: exit code" "$want_rc" "$rc"
	check "lanctl $*: stderr" "$want" "$(cat "$T/err")"
	check "lanctl $*: nothing on stdout" "" "$out"
}

t_usage_errors_stay_local() {
	fails 2 port add x frob y <<'EOF'
lanctl: port add: expected vhost, dpdk, tap or afxdp, got "frob"
usage: lanctl port add NAME vhost PATH [--server]
       lanctl port add NAME dpdk DEVARGS
       lanctl port add NAME tap IFNAME [--address CIDR]... [--route DEST via GW]... [--netns NS] [--mac MAC]
       lanctl port add NAME afxdp IFACE [--queues N] [--mode native|generic] [--zero-copy] [--xdp-prog OBJ]
Try 'lanctl port add --help'.
EOF
	fails 2 port del <<'EOF'
lanctl: port del: missing NAME
usage: lanctl port del NAME
Try 'lanctl port del --help'.
EOF
	fails 2 port set g0 trunk 10 --native 2 --native 3 <<'EOF'
lanctl: port set: "--native" given twice
usage: lanctl port set NAME vlan N
       lanctl port set NAME trunk N[,M...] [--native N]
       lanctl port set NAME block|unblock MAC
       lanctl port set NAME mac-limit N [--flood]
       lanctl port set NAME allowed-mac MAC [MAC]...
       lanctl port set NAME arp-guard IP/PREFIX [IP/PREFIX]...
       lanctl port set NAME dhcp-server|ra-guard allow|deny
       lanctl port set NAME storm broadcast|multicast|unknown-unicast PPS
Try 'lanctl port set --help'.
EOF
	fails 2 fdb add 02:00:00:00:00:01 <<'EOF'
lanctl: fdb add: missing PORT after "02:00:00:00:00:01"
usage: lanctl fdb add MAC PORT [vlan N]
Try 'lanctl fdb add --help'.
EOF
	fails 2 stats now <<'EOF'
lanctl: stats: unexpected "now"
usage: lanctl stats
Try 'lanctl stats --help'.
EOF
	fails 2 port frobnicate <<'EOF'
lanctl: unknown command "port frobnicate"
Try 'lanctl port --help'.
EOF
	fails 2 port <<'EOF'
lanctl: incomplete command "port": expected add, del, list or set
Try 'lanctl port --help'.
EOF
	fails 2 frobnicate <<'EOF'
lanctl: unknown command "frobnicate"
Try 'lanctl --help'.
EOF
	fails 2 help port frob <<'EOF'
lanctl: unknown command "port frob"
Try 'lanctl port --help'.
EOF
	fails 2 port frob --help <<'EOF'
lanctl: unknown command "port frob"
Try 'lanctl port --help'.
EOF
	fails 2 vm <<'EOF'
lanctl: incomplete command "vm": expected attach, detach, list, convert, follow or start-order
Try 'lanctl vm --help'.
EOF
	fails 2 vm convert ha <<'EOF'
lanctl: vm convert: missing DOMAIN or --bridge after "ha"
usage: lanctl vm convert DOMAIN [DOMAIN]... --bridge BR [--model-virtio] [--dhcp-server DOMAIN]... [--dry-run] [--socket-dir DIR]
       lanctl vm convert --all --bridge BR [--model-virtio] [--dhcp-server DOMAIN]... [--dry-run] [--socket-dir DIR]
Try 'lanctl vm convert --help'.
EOF
	# values are checked before libvirt or the switch is asked
	fails 2 vm attach ha --vlan 10 --trunk 20 <<'EOF'
lanctl: vm attach: --vlan and --trunk exclude each other: a port is untagged in one VLAN or a trunk
usage: lanctl vm attach DOMAIN [--mac MAC] [--vlan N] [--trunk N[,M...] [--native N]] [--queues N] [--add] [--dhcp-server] [--socket-dir DIR]
Try 'lanctl vm attach --help'.
EOF
	fails 2 vm attach ha --vlan 5000 <<'EOF'
lanctl: vm attach: --vlan: expected a VLAN 1-4094, got "5000"
usage: lanctl vm attach DOMAIN [--mac MAC] [--vlan N] [--trunk N[,M...] [--native N]] [--queues N] [--add] [--dhcp-server] [--socket-dir DIR]
Try 'lanctl vm attach --help'.
EOF
	fails 2 vm attach ha --mac 01:00:5e:00:00:01 <<'EOF'
lanctl: vm attach: --mac: expected a unicast MAC such as 52:54:00:12:34:56, got "01:00:5e:00:00:01"
usage: lanctl vm attach DOMAIN [--mac MAC] [--vlan N] [--trunk N[,M...] [--native N]] [--queues N] [--add] [--dhcp-server] [--socket-dir DIR]
Try 'lanctl vm attach --help'.
EOF
	fails 2 vm convert --all --bridge br0 --socket-dir run/vhost <<'EOF'
lanctl: vm convert: --socket-dir: expected an absolute directory, got "run/vhost"
usage: lanctl vm convert DOMAIN [DOMAIN]... --bridge BR [--model-virtio] [--dhcp-server DOMAIN]... [--dry-run] [--socket-dir DIR]
       lanctl vm convert --all --bridge BR [--model-virtio] [--dhcp-server DOMAIN]... [--dry-run] [--socket-dir DIR]
Try 'lanctl vm convert --help'.
EOF
	# --dhcp-server: a flag of attach (the domain is the router), a domain's name in convert
	fails 2 vm attach ha --dhcp-server pf <<'EOF'
lanctl: vm attach: unexpected "pf"
usage: lanctl vm attach DOMAIN [--mac MAC] [--vlan N] [--trunk N[,M...] [--native N]] [--queues N] [--add] [--dhcp-server] [--socket-dir DIR]
Try 'lanctl vm attach --help'.
EOF
	fails 2 vm convert --all --bridge br0 $(printf -- '--dhcp-server r%d ' $(seq 17)) <<'EOF'
lanctl: vm convert: --dhcp-server: at most 16 domains
usage: lanctl vm convert DOMAIN [DOMAIN]... --bridge BR [--model-virtio] [--dhcp-server DOMAIN]... [--dry-run] [--socket-dir DIR]
       lanctl vm convert --all --bridge BR [--model-virtio] [--dhcp-server DOMAIN]... [--dry-run] [--socket-dir DIR]
Try 'lanctl vm convert --help'.
EOF
	# a good command does go to the socket: 3, there is none
	fails 3 port add h tap h0 --route default via 10.0.0.1 --address 10.0.0.2/24 <<EOF
lanctl: $NOSOCK: No such file or directory
EOF
}

# start lanswitchd on a config that must be refused; prints "rc|error line"
refuse_config() {
	printf '%s\n' "$@" >"$T/lanswitch.conf"
	timeout 30 "$LANSWITCHD" --config "$T/lanswitch.conf" --socket "$T/bad.sock" \
		--state "$T/bad.state" -- -l 0,1 --file-prefix "${PREFIX}c" --in-memory --no-pci \
		--log-level=error >/dev/null 2>"$T/bad.err"
	echo "$?|$(grep 'lanswitchd: error' "$T/bad.err")"
}

# same_message LINE USAGE: lanctl's message for LINE, from the switch for a config line
same_message() {
	local msg words
	read -ra words <<<"$1"
	msg=$(lanctl_none "${words[@]}" 2>&1 | head -1)
	check "config line \"$1\"" "1|lanswitchd: error: lanswitch.conf:2: ${msg#lanctl: } (usage: $2)" \
		"$(refuse_config 'fdb set aging 60' "$1")"
}

t_config_same_grammar() {
	same_message 'port del' 'port del NAME'
	same_message 'port set g0 trunk 10 --native 2 --native 3' \
		'port set NAME vlan N | port set NAME trunk N[,M...] [--native N] | port set NAME block|unblock MAC | port set NAME mac-limit N [--flood] | port set NAME allowed-mac MAC [MAC]... | port set NAME arp-guard IP/PREFIX [IP/PREFIX]... | port set NAME dhcp-server|ra-guard allow|deny | port set NAME storm broadcast|multicast|unknown-unicast PPS'
	same_message 'fdb add 02:00:00:00:00:01 g0 vlan' 'fdb add MAC PORT [vlan N]'
	check "config line port add h tap" \
		'1|lanswitchd: error: lanswitch.conf:1: port add: missing CIDR after "--address" (usage: port add NAME vhost PATH [--server] | port add NAME dpdk DEVARGS | port add NAME tap IFNAME [--address CIDR]... [--route DEST via GW]... [--netns NS] [--mac MAC] | port add NAME afxdp IFACE [--queues N] [--mode native|generic] [--zero-copy] [--xdp-prog OBJ])' \
		"$(refuse_config 'port add h tap h0 --address')"
	check "no state written" no "$(test -e "$T/bad.state" && echo yes || echo no)"
}

# Every form --help lists of a command the switch takes, as a command: with no optional part,
# and with each once. Values that the switch refuses for what they mean (a relative PATH, lo
# already there, no port zz), never for their shape: nothing is made. The commands that run
# inside lanctl (help, vm ...) are never sent: lanctl runs them.
# Prints one JSON request per line.
forms_as_requests() {
	python3 -c '
import json, re, sys
values = {"NAME": "zz", "PATH": "zz.sock", "DEVARGS": "net_nonexistent0",
          "IFNAME": "lo", "IFACE": "nonexistent0", "CIDR": "10.0.0.1/33", "DEST": "default",
          "GW": "10.0.0.1", "NS": "lsit-nonexistent", "MAC": "02:00:00:00:00:99",
          "N": "5000", "N[,M...]": "5000", "OBJ": "/nonexistent.o", "PORT": "zz",
          "SECONDS": "x", "GROUP": "port", "COMMAND": "add", "IP": "10.0.0.300", "S": "1",
          "IP/PREFIX": "10.0.0.0/33", "PPS": "5"}
def expand(form, full):
    out, depth, skip = [], 0, 0
    for tok in re.findall(r"\[|\]\.\.\.|\]|[^ \[\]]+(?:\[[^\]]*\])?", form):
        if tok == "[":
            depth += 1
            if not full and skip == 0:
                skip = depth
        elif tok.startswith("]"):
            if skip == depth:
                skip = 0
            depth -= 1
        elif skip == 0:
            # of a|b: the first alone, the last with every option
            out.append(values[tok] if tok[0].isupper() else tok.split("|")[-1 if full else 0])
    return out
lines = sys.stdin.read().split("\n")
for i, line in enumerate(lines):
    if not line.startswith("  ") or line.startswith("   "):
        continue
    # the help starts at column 44, or on the next line under a longer form
    beside = i + 1 == len(lines) or not lines[i + 1].startswith("   ")
    form = (line[2:43] if beside else line[2:]).rstrip()
    if form.split()[0] in ("help", "vm", "wait", "doctor"):
        continue
    for full in (False, True):
        print(json.dumps({"args": expand(form, full)}))
'
}

# send every request line of stdin to the switch; print "REQUEST -> REPLY" per line
send_all() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(10)
f = s.makefile("rw")
for req in sys.stdin:
    f.write(req)
    f.flush()
    print(req.strip(), "->", f.readline().strip())
' "$SOCK"
}

t_switch_takes_every_form() {
	local replies n
	netns_add "$NS_SW" || return 1
	DAEMON_NETNS=$NS_SW # tap ports, had one been made, would be in there
	daemon_start || { FAILS=$((FAILS + 1)); return; }
	replies=$(lanctl_none --help | commands_of | forms_as_requests | send_all)
	n=$(grep -c . <<<"$replies")
	check "two commands per form the switch takes" \
		$((2 * $(grep '^  [a-z]' <<<"$COMMANDS" | grep -cv '^  \(help\|vm\|wait\|doctor\) '))) "$n"
	check "none refused for its words" "" \
		"$(grep -E 'unknown command|usage|only reads|runs inside' <<<"$replies")"
	# a raw client that sends one anyway is told where it runs
	check "the switch leaves lanctl's own commands to lanctl" \
		'{"args": ["help"]} -> {"ok":false,"error":"\"help\" runs inside lanctl; the switch does not take it"}
{"args": ["help", "port", "add"]} -> {"ok":false,"error":"\"help\" runs inside lanctl; the switch does not take it"}
{"args": ["vm", "list"]} -> {"ok":false,"error":"\"vm list\" runs inside lanctl; the switch does not take it"}
{"args": ["vm", "attach", "ha"]} -> {"ok":false,"error":"\"vm attach\" runs inside lanctl; the switch does not take it"}' \
		"$(printf '%s\n' '{"args": ["help"]}' '{"args": ["help", "port", "add"]}' \
			'{"args": ["vm", "list"]}' '{"args": ["vm", "attach", "ha"]}' | send_all)"
	check "these taken" '{"args": ["config", "show"]}
{"args": ["fdb", "flush"]}
{"args": ["fdb", "show"]}
{"args": ["hosts"]}
{"args": ["monitor"]}
{"args": ["port", "list"]}
{"args": ["stats"]}
{"args": ["worker", "set", "idle-us", "5000"]}
{"args": ["worker", "set", "mode", "adaptive"]}
{"args": ["worker", "set", "mode", "poll"]}' "$(grep '"ok":true' <<<"$replies" | sed 's/ ->.*//' | sort -u)"
	check "no port made" 0 "$(lanctlj port list | jq length)"
	check "no static entry made" 0 "$(lanctlj fdb show | jq length)"
}

run_tests

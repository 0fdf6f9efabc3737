#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bad input to the afxdp and tap ports: each gets its own clear error, leaves no port, no
# XDP program, no promiscuity and no interface behind, and the switch goes on working.
# lanswitchd runs in a namespace of its own (SW), with two veths whose peers are in LAN.
ALL_TESTS=${ONLY:-"t_no_such_interface t_bad_options t_bad_xdp_objects t_loopback
	t_interface_in_use t_foreign_xdp_program t_generic_fallback t_promisc_kept
	t_bad_cidr t_set_on_wrong_type t_interface_deleted"}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.sh"

NS_SW=${PREFIX}sw NS_LAN=${PREFIX}lan NS_HOST=${PREFIX}host
XSK_DEF_PROG=$(dpkg -L libxdp1 2>/dev/null | grep '/xsk_def_xdp_prog.o$' | head -1)
XDP_OBJ=$(dirname "$LANSWITCHD")/../bpf/lanswitch_xdp.bpf.o

setup() {
	netns_add "$NS_SW" && netns_add "$NS_LAN" && netns_add "$NS_HOST" || exit 1
	veth_add "$NS_SW" up0 "$NS_LAN" lan0 && veth_add "$NS_SW" up1 "$NS_LAN" lan1 || exit 1
	DAEMON_NETNS=$NS_SW
	daemon_start || exit 1
}

# add_fails EXPECTED_ERROR ARGS...: "port add ARGS" fails with exactly that message
add_fails() {
	local want=$1 out
	shift
	out=$(lanctl port add "$@" 2>&1)
	check "port add $* fails" 1 $?
	check "port add $*: message" "lanctl: $want" "$out"
}

# add_usage MESSAGE ARGS...: lanctl refuses "port add ARGS" itself (exit 2), with exactly
# that message first (then the usage lanctl_cli.sh checks), before reaching the switch
add_usage() {
	local want=$1 out
	shift
	out=$(lanctl port add "$@" 2>&1)
	check "port add $* is a usage error" 2 $?
	check "port add $*: message" "lanctl: $want" "$(head -1 <<<"$out")"
}

xdp_on() { ip -n "$NS_SW" -d link show "$1" | grep -o 'prog/xdp id [0-9]*' | head -1; }
promisc() { ip -n "$NS_SW" -d link show "$1" | grep -o 'promiscuity [0-9]*'; }

# Nothing half-made: no port, no program, promiscuity untouched.
nothing_left() { # nothing_left IFACE
	check "no port left" 0 "$(lanctlj port list | jq length)"
	check "no XDP program left on $1" "" "$(xdp_on "$1")"
	check "$1 not made promiscuous" "promiscuity 0" "$(promisc "$1")"
}

t_no_such_interface() {
	add_fails 'port "lan": interface nope0: no such interface' lan afxdp nope0
	add_fails 'port "lan": interface name "a-name-far-too-long0": longer than 15' \
		lan afxdp a-name-far-too-long0
	nothing_left up0
}

t_bad_options() {
	add_usage 'port add: missing IFACE after "afxdp"' lan afxdp
	add_usage 'port add: expected IFACE, got "--queues"' lan afxdp --queues 2
	add_fails 'port "lan": bad queue count "0": expected 1-64' lan afxdp up0 --queues 0
	add_fails 'port "lan": bad queue count "x": expected 1-64' lan afxdp up0 --queues x
	add_usage 'port add: missing N after "--queues"' lan afxdp up0 --queues
	add_fails 'port "lan": interface up0 has 1 RX queue(s), 2 asked' lan afxdp up0 --queues 2
	add_usage 'port add: expected native or generic, got "turbo"' lan afxdp up0 --mode turbo
	add_usage 'port add: unknown option "--frob"' lan afxdp up0 --frob
	add_fails 'port "lan": --xdp-prog needs an absolute path' lan afxdp up0 --xdp-prog x.o
	nothing_left up0
}

# An XDP program that fails to load: not an object, not ours, not there.
t_bad_xdp_objects() {
	echo "not an ELF file" >"$T/junk.o"
	add_fails "port \"lan\": XDP object $T/junk.o: cannot open: BPF object format invalid" \
		lan afxdp up0 --xdp-prog "$T/junk.o"
	add_fails "port \"lan\": XDP object $T/none.o: cannot open: No such file or directory" \
		lan afxdp up0 --xdp-prog "$T/none.o"
	add_fails "port \"lan\": XDP object $XSK_DEF_PROG: not a lanswitch program (its maps are missing)" \
		lan afxdp up0 --xdp-prog "$XSK_DEF_PROG"
	nothing_left up0
	# and the real object file works the same as the built-in program
	lanctl port add lan afxdp up0 --xdp-prog "$(realpath "$XDP_OBJ")"
	check "port with --xdp-prog is up" up "$(port_field lan .link)"
	check_match "its program is attached" "prog/xdp id $(port_field lan .xdp_prog_id)\$" \
		"$(xdp_on up0)"
	lanctl port del lan
	nothing_left up0
}

t_loopback() {
	add_fails 'port "lan": interface lo is a loopback: no LAN behind it' lan afxdp lo
	check "lo left alone" "" "$(xdp_on lo)"
}

t_interface_in_use() {
	lanctl port add lan afxdp up0 || return
	add_fails 'port "lan2": interface up0: already used by port "lan"' lan2 afxdp up0
	check "the first port still works" up "$(port_field lan .link)"
	check "one port" 1 "$(lanctlj port list | jq length)"
	lanctl port del lan
	nothing_left up0
}

# Someone else's program stays where it is: replacing it could cut the host off its LAN.
t_foreign_xdp_program() {
	local id
	ip -n "$NS_SW" link set dev up1 xdpgeneric obj "$XSK_DEF_PROG" sec xdp || return
	id=$(xdp_on up1)
	add_fails "port \"lan\": interface up1 already has an XDP program (${id#prog/xdp }); lanswitch does not replace it" \
		lan afxdp up1
	check "the foreign program is still attached" "$id" "$(xdp_on up1)"
	ip -n "$NS_SW" link set dev up1 xdpgeneric off
}

# A driver without native XDP (ifb here): generic mode, said aloud; zero-copy likewise.
t_generic_fallback() {
	local out
	ip -n "$NS_SW" link add ifb0 type ifb && ip -n "$NS_SW" link set ifb0 up || return
	out=$(lanctl port add f afxdp ifb0 --zero-copy 2>&1)
	check "fallback is no error" 0 $?
	check "fallback said aloud" "warning: native XDP refused by ifb0's driver (Operation not supported): using generic mode; zero-copy needs native XDP: using copy mode" "$out"
	check "mode reported" generic "$(port_field f .mode)"
	check_match "status says generic" "generic XDP, copy" "$(port_field f .status)"
	check "warning kept in port list" "$(port_field f .warning)" "${out#warning: }"
	lanctl port del f
	check "no XDP program left on ifb0" "" "$(xdp_on ifb0)"
	# asked for generic, generic it is: nothing to warn about
	out=$(lanctl port add f afxdp up0 --mode generic 2>&1)
	check "generic asked: no warning" "" "$out"
	check_match "generic attached" "xdpgeneric" "$(ip -n "$NS_SW" link show up0)"
	lanctl port del f
	ip -n "$NS_SW" link del ifb0
}

# An interface someone else made promiscuous stays promiscuous after the port goes.
t_promisc_kept() {
	ip -n "$NS_SW" link set up0 promisc on
	lanctl port add lan afxdp up0 || return
	check "promiscuous while a port" "promiscuity 1" "$(promisc up0)"
	lanctl port del lan
	check "still promiscuous as it was" "promiscuity 1" "$(promisc up0)"
	ip -n "$NS_SW" link set up0 promisc off
	check "off again" "promiscuity 0" "$(promisc up0)"
}

t_bad_cidr() {
	add_fails 'port "h": bad address "10.0.0.1/33": expected ADDRESS/PREFIX, like 192.168.1.2/24' \
		h tap h0 --netns "$NS_HOST" --address 10.0.0.1/33
	add_fails 'port "h": bad address "10.0.0.300/24": expected ADDRESS/PREFIX, like 192.168.1.2/24' \
		h tap h0 --netns "$NS_HOST" --address 10.0.0.300/24
	check "no tap left in the namespace" "" "$(ip -n "$NS_HOST" -o link show h0 2>/dev/null)"
	check "no port left" 0 "$(lanctlj port list | jq length)"
}

t_set_on_wrong_type() {
	local out
	lanctl port add h tap h0 --netns "$NS_HOST" || return
	out=$(lanctl port set h block 02:00:00:00:00:01 2>&1)
	check "block on a tap port fails" 1 $?
	check_match "and says why" 'a tap port has no setting "block"' "$out"
	lanctl port add lan afxdp up0
	out=$(lanctl port set lan block 01:00:5e:00:00:01x 2>&1)
	check "bad MAC refused" 'lanctl: port "lan": bad MAC address "01:00:5e:00:00:01x"' "$out"
	out=$(lanctl port set lan unblock 02:00:00:00:00:09 2>&1)
	check "unblocking what is not blocked" 'lanctl: port "lan": 02:00:00:00:00:09 is not blocked' "$out"
	lanctl port del lan
	lanctl port del h
}

# The interface vanishes under a live port: the port goes down, nothing crashes, and it can
# be removed.
t_interface_deleted() {
	lanctl port add lan afxdp up1 || return
	ip -n "$NS_SW" link del up1
	wait_for "port down" 10 '[ "$(port_field lan .link)" == down ]'
	check_match "status says why" "interface deleted" "$(port_field lan .status)"
	check "lanswitchd survived" yes "$(kill -0 "$DAEMON_PID" 2>/dev/null && echo yes)"
	lanctl port del lan
	check "removed cleanly" 0 "$(lanctlj port list | jq length)"
	check "still answering" 0 "$(lanctl stats >/dev/null; echo $?)"
}

setup
run_tests

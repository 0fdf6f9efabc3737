#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lanctl vm follow, the agent, against a real libvirtd and lanswitchd: after each thing that
# happens to one of them (the agent starting late, a domain undefined, lanswitchd restarted with
# and without its state, libvirtd restarted, a domain defined or its metadata changed), the
# switch's ports and the socket files exactly, within seconds, and every line the agent said.
# The agent never stops on its own, and SIGTERM ends it with exit code 0.
#
# The domains never run: what the agent follows is their persistent definitions' metadata. The
# agent's socket directory is the test's own, so that it keeps no port but the test's.
# libvirtd is restarted only when this test started it; one that ran before is never touched
# (that case then says it skipped the restart).
ALL_TESTS="t_start t_undefine t_switch_restart t_metadata t_libvirt_restart t_stop"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/libvirt.sh"

P=$VM_PREFIX
VHOST=$T/vhost
AGENT_LOG=$T/agent.log
AGENT_SEEN=0 # lines of the agent's log checked so far

# SAID: what the agent said since the last call (not in $(...): AGENT_SEEN must move on).
agent_said() {
	local total
	total=$(wc -l <"$AGENT_LOG")
	SAID=$(tail -n "+$((AGENT_SEEN + 1))" "$AGENT_LOG" | head -n "$((total - AGENT_SEEN))")
	AGENT_SEEN=$total
}

# agent_waits SECONDS REGEX: until a line the agent said since the last agent_said matches.
agent_waits() {
	wait_for "the agent to say /$2/" "$1" \
		"tail -n +$((AGENT_SEEN + 1)) '$AGENT_LOG' | grep -qE '$2'"
}

# The test's ports on the switch, sorted, with what the agent sets: VLANs and guard.
ports() {
	lanctlj port list | jq -c --arg p "$P" "$GUARD_OF"'
		[.[] | select(.name | startswith($p))] | sort_by(.name) |
		 [.[] | {name, path, mode, vlan, trunk, native, guard: guard_of}]'
}
port_json() { # port_json NAME VLAN TRUNK NATIVE GUARD: one element of ports
	printf '{"name":"%s","path":"%s","mode":"client","vlan":%s,"trunk":%s,"native":%s,"guard":%s}' \
		"$1" "$VHOST/$1.sock" "$2" "$3" "$4" "$5"
}
# a a guest's port, b the router's (attached with --dhcp-server)
A_GUARD=$(guard_json 52:54:00:f0:00:0a deny deny)
B_GUARD=$(guard_json 52:54:00:f0:00:0b allow allow)
A_PORT=$(port_json "${P}a" 20 "[]" null "$A_GUARD")
B_PORT=$(port_json "${P}b" null "[20,30]" 1 "$B_GUARD")

# A socket file nobody listens on, as a QEMU that stopped may leave one.
mksock() { python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$1"; }
exists() { if [ -e "$1" ]; then echo yes; else echo no; fi; }

setup() {
	libvirt_start || return 1
	daemon_start || return 1
	vm_define "${P}a" "" && vm_define "${P}b" "" || return 1
	lanctl vm attach "${P}a" --mac 52:54:00:f0:00:0a --vlan 20 --socket-dir "$VHOST" \
		>/dev/null || return 1
	lanctl vm attach "${P}b" --mac 52:54:00:f0:00:0b --trunk 30,20 --native 1 --dhcp-server \
		--socket-dir "$VHOST" >/dev/null || return 1
	# the agent was not running: the ports were deleted by hand, and a domain that had port
	# "old" was undefined, leaving its port and its socket file behind
	lanctl port del "${P}a" && lanctl port del "${P}b" || return 1
	lanctl port add "${P}old" vhost "$VHOST/${P}old.sock" >/dev/null || return 1
	mksock "$VHOST/${P}old.sock" || return 1
	# someone's own port, its socket elsewhere: never the agent's business
	lanctl port add "${P}mine" vhost "$T/${P}mine.sock" >/dev/null || return 1
}

t_start() {
	local start=$SECONDS
	agent_start
	agent_waits 5 '^in step' || return
	check "start: in step within 5 s" yes "$([ $((SECONDS - start)) -le 5 ] && echo yes)"
	agent_said
	check "start: what the agent said" "vm follow: socket directory $VHOST, libvirt $LIBVIRT_URI, switch $SOCK
libvirt $LIBVIRT_URI: connected; following its domains
switch $SOCK: answering; subscribed to its events
port ${P}old removed: no domain names it any more; its socket $VHOST/${P}old.sock deleted
domain \"${P}a\": port ${P}a added (socket $VHOST/${P}a.sock, vlan 20; allowed-mac 52:54:00:f0:00:0a, dhcp-server deny, ra-guard deny)
domain \"${P}b\": port ${P}b added (socket $VHOST/${P}b.sock, trunk 20,30 native 1; allowed-mac 52:54:00:f0:00:0b, dhcp-server allow, ra-guard allow)
in step: 2 ports of 2 domains" "$SAID"
	check "start: both ports, on their sockets, with their VLANs and guards" "[$A_PORT,$B_PORT]" \
		"$(ports | jq -c --arg m "${P}mine" 'map(select(.name != $m))')"
	check "start: the orphan's socket file gone" no "$(exists "$VHOST/${P}old.sock")"
	check "start: someone's own port kept, on its socket" "$T/${P}mine.sock" \
		"$(port_field "${P}mine" .path)"
	lanctl port del "${P}mine"
}

t_undefine() {
	mksock "$VHOST/${P}a.sock" # as if its QEMU had run
	virsh_ undefine "${P}a" >/dev/null || return
	agent_waits 5 '^in step' || return
	agent_said
	check "undefine: what the agent said" "domain \"${P}a\": undefined
port ${P}a removed: no domain names it any more; its socket $VHOST/${P}a.sock deleted
in step: 1 port of 1 domain" "$SAID"
	check "undefine: its port gone, the other kept" "[$B_PORT]" "$(ports)"
	check "undefine: its socket file gone" no "$(exists "$VHOST/${P}a.sock")"
}

t_switch_restart() {
	# with its state file: lanswitchd restores the port itself, the agent finds it there
	daemon_stop
	agent_waits 5 'gone' || return
	daemon_start || return
	agent_waits 5 '^in step' || return
	agent_said
	check "switch restarted: what the agent said" "switch $SOCK: gone (its event stream ended); trying again every 1 s
switch $SOCK: back; subscribed to its events
in step: 1 port of 1 domain" "$SAID"
	check "switch restarted: the port" "[$B_PORT]" "$(ports)"

	# without it: the agent makes the port again
	daemon_stop
	agent_waits 5 'gone' || return
	rm -f "$STATE"
	daemon_start || return
	# (whether it came up without the port is in what the agent says next: it added it)
	agent_waits 5 '^in step' || return
	agent_said
	check "switch restarted empty: what the agent said" "switch $SOCK: gone (its event stream ended); trying again every 1 s
switch $SOCK: back; subscribed to its events
domain \"${P}b\": port ${P}b added (socket $VHOST/${P}b.sock, trunk 20,30 native 1; allowed-mac 52:54:00:f0:00:0b, dhcp-server allow, ra-guard allow)
in step: 1 port of 1 domain" "$SAID"
	check "switch restarted empty: the port again, as its domain says, guard too" "[$B_PORT]" \
		"$(ports)"
}

# b_meta ATTRS: b's metadata set alone (no define) to one port with ATTRS; SAID: what the agent
# said once it was in step again.
b_meta() {
	virsh_ metadata "${P}b" "$VM_NS" --key lanswitch --config --set \
		"<ports><port name='${P}b' mac='52:54:00:f0:00:0b' socket='$VHOST/${P}b.sock' $1/></ports>" ||
		return
	agent_waits 5 '^in step' || return
	agent_said
}

# lanswitch's metadata changed alone (no define): a trunk becomes an access port, the router a
# guest with an arp-guard; a guard changed by hand on the switch is put back as it says; and
# a <port> without guard attributes (as before lanctl set guards) leaves the switch's alone.
t_metadata() {
	lanctl port set "${P}b" allowed-mac none && lanctl port set "${P}b" ra-guard deny || return
	b_meta "vlan='40' allowed-mac='52:54:00:f0:00:0b' arp-guard='192.168.1.11/32' dhcp-server='deny' ra-guard='deny'" ||
		return
	check "metadata: what the agent said" "domain \"${P}b\": lanswitch metadata changed
domain \"${P}b\": port ${P}b set to vlan 40 (the switch had trunk 20,30 native 1)
domain \"${P}b\": port ${P}b's guard set to allowed-mac 52:54:00:f0:00:0b, arp-guard 192.168.1.11/32, dhcp-server deny, ra-guard deny (the switch had allowed-mac none, dhcp-server allow, ra-guard deny)
in step: 1 port of 1 domain" "$SAID"
	B_GUARD=$(guard_json 52:54:00:f0:00:0b deny deny 192.168.1.11/32)
	B_PORT=$(port_json "${P}b" 40 "[]" null "$B_GUARD")
	check "metadata: the port's VLAN and guard" "[$B_PORT]" "$(ports)"

	# the guard left out of the metadata: the switch's, as a user set it, stays (the VLAN
	# changes too, so that the pass says it ran)
	lanctl port set "${P}b" dhcp-server allow || return
	b_meta "vlan='50'" || return
	check "metadata without a guard: what the agent said" "domain \"${P}b\": lanswitch metadata changed
domain \"${P}b\": port ${P}b set to vlan 50 (the switch had vlan 40)
in step: 1 port of 1 domain" "$SAID"
	B_GUARD=$(guard_json 52:54:00:f0:00:0b allow deny 192.168.1.11/32)
	B_PORT=$(port_json "${P}b" 50 "[]" null "$B_GUARD")
	check "metadata without a guard: the switch's guard kept" "[$B_PORT]" "$(ports)"
}

t_libvirt_restart() {
	local pid=
	# libvirt.sh started libvirtd last, after virtlogd when that was not running either
	[ ${#LIBVIRT_PIDS[@]} -gt 0 ] && pid=${LIBVIRT_PIDS[-1]}
	if [ -z "$pid" ]; then
		log "  SKIP: libvirtd was running before this test: not restarting it"
	else
		kill -TERM "$pid"
		wait_pid "$pid" 15 || { log "  libvirtd $pid did not stop"; return 1; }
		agent_waits 5 'connection lost' || return
		libvirtd -d || return
		wait_for "libvirtd answering" 30 libvirt_up || return
		LIBVIRT_PIDS[-1]=$(cat /var/run/libvirtd.pid)
		agent_waits 10 '^in step' || return
		agent_said
		check "libvirtd restarted: what the agent said" "libvirt $LIBVIRT_URI: connection lost (end of file); reconnecting every 2 s
libvirt $LIBVIRT_URI: reconnected; following its domains
in step: 1 port of 1 domain" "$SAID"
	fi
	# a domain defined with lanswitch's metadata (as on another host, or restored from a
	# backup) gets its port through the reconnected connection's events
	vm_define "${P}c" "" "  <metadata>
    <lanswitch:ports xmlns:lanswitch='$VM_NS'>
      <lanswitch:port name='${P}c' mac='52:54:00:f0:00:0c' socket='$VHOST/${P}c.sock' vlan='30'/>
    </lanswitch:ports>
  </metadata>" || return
	agent_waits 5 '^in step' || return
	agent_said
	check "defined with metadata: what the agent said" "domain \"${P}c\": defined
domain \"${P}c\": port ${P}c added (socket $VHOST/${P}c.sock, vlan 30)
in step: 2 ports of 2 domains" "$SAID"
	# metadata from before guards: the port gets none (every protection off, the switch's
	# default for a new port)
	check "defined with metadata: its port" \
		"[$B_PORT,$(port_json "${P}c" 30 "[]" null "$(guard_json "" allow allow)")]" "$(ports)"
}

t_stop() {
	local rc
	check "the agent never stopped on its own" yes \
		"$(kill -0 "$AGENT_PID" 2>/dev/null && echo yes)"
	check "nothing went wrong on the way (no error line)" "" \
		"$(grep '^lanctl:' "$AGENT_LOG")"
	kill -TERM "$AGENT_PID"
	wait_pid "$AGENT_PID" 5
	wait "$AGENT_PID"
	rc=$?
	AGENT_PID=
	check "SIGTERM: exit code" 0 $rc
	agent_said
	check "SIGTERM: what the agent said" "vm follow: stopped by SIGTERM" "$SAID"
}

setup || exit 1
run_tests

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libvirt for the vm tests, sourced after lib.sh. A libvirtd that answers is used as it is;
# otherwise this starts virtlogd and libvirtd as a machine without systemd does (DESIGN.md:
# as root, after mkdir -p /var/run/libvirt /var/log/libvirt) and at the end stops only what it
# started, by the PIDs they wrote. The test's domains and networks are named $VM_PREFIX...
# and undefined on every exit path (lib.sh's cleanup runs libvirt_cleanup); nothing else of
# libvirt's is touched. virsh is fine here: it only looks, and defines the test's domains.

LIBVIRT_URI=${LIBVIRT_URI:-qemu:///system}
VM_PREFIX="lstest-$$-"
VM_NS=https://lanswitch.dev/xmlns/libvirt/1
LIBVIRT_PIDS=() # started here, stopped in reverse order

virsh_() { virsh -q -c "$LIBVIRT_URI" "$@"; }

libvirt_up() { virsh_ uri >/dev/null 2>&1; }

libvirt_start() {
	libvirt_up && return 0
	if [ "$(id -u)" -ne 0 ]; then
		log "libvirtd does not answer on $LIBVIRT_URI, and only root may start it"
		return 1
	fi
	mkdir -p /var/run/libvirt /var/log/libvirt
	if ! pgrep -x virtlogd >/dev/null; then
		rm -f /var/run/virtlogd.pid
		virtlogd -d || return 1
		wait_for "virtlogd's pid file" 10 test -s /var/run/virtlogd.pid || return 1
		LIBVIRT_PIDS+=("$(cat /var/run/virtlogd.pid)")
	fi
	libvirtd -d || return 1
	wait_for "libvirtd answering" 30 libvirt_up || return 1
	LIBVIRT_PIDS+=("$(cat /var/run/libvirtd.pid)")
	log "started libvirt: PIDs ${LIBVIRT_PIDS[*]}"
}

libvirt_cleanup() {
	local d n i pid
	if libvirt_up; then
		for d in $(virsh_ list --all --name | grep "^$VM_PREFIX"); do
			virsh_ destroy "$d" >/dev/null 2>&1
			virsh_ undefine "$d" >/dev/null || log "could not undefine domain $d"
		done
		for n in $(virsh_ net-list --all --name | grep "^$VM_PREFIX"); do
			virsh_ net-destroy "$n" >/dev/null 2>&1
			virsh_ net-undefine "$n" >/dev/null || log "could not undefine network $n"
		done
	fi
	for ((i = ${#LIBVIRT_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${LIBVIRT_PIDS[i]}
		kill -TERM "$pid" 2>/dev/null
		wait_pid "$pid" 15 || kill -KILL "$pid" 2>/dev/null
	done
	LIBVIRT_PIDS=()
}
CLEANUP_HOOKS+=(libvirt_cleanup)

# vm_define NAME DEVICES [MEMORY_BACKING]: a persistent domain of the test's, never started
# (TCG, machine pc, a direct kernel boot from a path that need not exist: enough to define)
vm_define() {
	cat >"$T/$1.xml" <<EOF
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>128</memory>
${3:-}
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>/nonexistent/vmlinuz</kernel>
  </os>
  <devices>
$2
  </devices>
</domain>
EOF
	virsh_ define "$T/$1.xml" >/dev/null
}

vm_xml() { virsh_ dumpxml --inactive "$1"; }

# One line per <interface> of the persistent definition, in order: type, MAC, source,
# model, PCI slot, boot order, and what else it holds beyond those.
vm_ifaces() {
	vm_xml "$1" | python3 -c '
import sys, xml.etree.ElementTree as ET
usual = {"mac", "source", "model", "address", "boot", "alias"}
for i in ET.parse(sys.stdin).getroot().find("devices").findall("interface"):
    s, m, a, b = (i.find(t) for t in ("source", "model", "address", "boot"))
    line = [i.get("type"), i.find("mac").get("address"),
            " ".join(k + "=" + v for k, v in s.attrib.items()),
            "model=" + (m.get("type") if m is not None else "-"),
            "slot=" + (a.get("slot") if a is not None else "-"),
            "boot=" + (b.get("order") if b is not None else "-")]
    line += [c.tag for c in i if c.tag not in usual]
    print(" ".join(line))
'
}

# The persistent definition's <memoryBacking>, as "source=memfd access=shared", or "none".
vm_memory() {
	vm_xml "$1" | python3 -c '
import sys, xml.etree.ElementTree as ET
mb = ET.parse(sys.stdin).getroot().find("memoryBacking")
print(" ".join(c.tag + "=" + ",".join(c.attrib.values()) for c in mb) if mb is not None else "none")
'
}

# lanswitch's metadata as virDomainGetMetadata hands it back, or "none".
vm_meta() { virsh_ metadata "$1" "$VM_NS" --config 2>/dev/null || echo none; }

# The port's guard as lanctl sets it (port list's "guard", without what lanctl leaves alone):
# a jq function, and the guard of the switch's port NAME, compact.
GUARD_OF='def guard_of: .guard | if . == null then null else {allowed_macs, arp_guard, dhcp_server, ra_guard} end;'
guard() {
	lanctlj port list | jq -c --arg n "$1" "$GUARD_OF"' .[] | select(.name == $n) | guard_of'
}
# guard_json MAC DHCP RA [PREFIX...]: what guard prints for a port lanctl made (MAC "": none)
guard_json() {
	local macs= nets=
	[ -n "$1" ] && macs="\"$1\""
	[ $# -gt 3 ] && nets=$(printf '"%s",' "${@:4}")
	printf '{"allowed_macs":[%s],"arp_guard":[%s],"dhcp_server":"%s","ra_guard":"%s"}' \
		"$macs" "${nets%,}" "$2" "$3"
}

# The follow agent (lanctl vm follow) of a test: started on $VHOST, its output appended to
# $AGENT_LOG; stopped first at the end, so that it sees neither the test's domains undefined
# nor the switch stopped.
AGENT_PID=
agent_start() {
	"$LANCTL" -s "$SOCK" -c "$LIBVIRT_URI" vm follow --socket-dir "$VHOST" >>"$AGENT_LOG" 2>&1 &
	AGENT_PID=$!
}

agent_stop() {
	[ -n "$AGENT_PID" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null
	wait_pid "$AGENT_PID" 10 || kill -KILL "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
}
CLEANUP_HOOKS=(agent_stop "${CLEANUP_HOOKS[@]}")

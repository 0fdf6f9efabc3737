#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The libvirt side end to end, with a real libvirtd and real QEMU guests (TCG): three domains
# defined as people have them on br0 (type='bridge' interfaces, plain memory) are moved to
# the switch with `lanctl vm convert --all --dhcp-server ROUTER`, and started by `lanctl vm
# start-order` from a file: the router (busybox udhcpd) first, then a rogue guest with a DHCP
# server of its own (its port guarded: dhcp-server deny, as every guest's but the router's),
# the client (udhcpc) only once the switch's own DHCPDISCOVER got an offer on the router's
# port. The rogue's offers are dropped and counted at its port; the client gets its lease
# from the router and pings the
# router and the host port; `lanctl hosts` lists both; lanswitchd restarted under them, they
# forward again without a restart; with the follow agent running, libvirtd restarted under
# them changes nothing (the agent reconnects) and an undefined domain's port and socket go;
# a hot-plug into the running router reaches its live XML and its port connects.
#
# Guests boot the e2e image (guest-image.sh, cached in E2E_IMAGE_DIR) with guest-init.sh's
# dhcpd/dhcp steps. QEMU 7.2 under TCG crashes on a vhost-user virtio-net-pci with MSI-X
# (DESIGN.md): the domains carry libvirt's qemu:override of vectors=0 for net0. A hot-plugged
# NIC cannot have it, and the guest's driver would crash QEMU on it: the router ignores ACPI
# hot-plug (acpiphp.disable=1), so the check goes up to the live XML and the port connecting
# to QEMU's new socket, as far as TCG lets it.
ALL_TESTS="t_convert t_start_order t_rogue_dhcp t_host_pings t_hosts t_switch_restart t_libvirtd_restart
	t_undefine t_hotplug"
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$E2E_DIR/../integration/lib.sh"
. "$E2E_DIR/../integration/libvirt.sh"

E2E_IMAGE_DIR=${E2E_IMAGE_DIR:-/var/tmp/lanswitch-e2e}
P=$VM_PREFIX
R=${P}router
C=${P}client
X=${P}rogue # a guest that runs a DHCP server of its own: the port guard keeps it off the LAN
R_MAC=52:54:00:88:00:01
C_MAC=52:54:00:88:00:02
X_MAC=52:54:00:88:00:03
BR=lsbr$$ # a bridge of the test's own name: it need not exist
NS=lse2e-host-$$
HOST_IF=lse2eh$$
HOST_IP=10.88.0.2
ROUTER_IP=10.88.0.1
# what QEMU (libvirt-qemu) writes: the consoles and the vhost-user sockets; mktemp's 0700
# would keep it out
RUN=$(mktemp -d /var/tmp/lanswitch-e2e-run.XXXXXX)
chmod 0755 "$RUN"
VHOST=$RUN/vhost
AGENT_LOG=$RUN/agent.log

cleanup_e2e() {
	ip netns del "$NS" 2>/dev/null
	# a failure's consoles say what the guests saw
	[ "$FAILS" -eq 0 ] || grep -a -H '^@@' "$RUN"/*.log 2>/dev/null | tr -d '\r' >&2
	if [ -n "${KEEP:-}" ]; then log "kept $RUN"; else rm -rf "$RUN"; fi
}
CLEANUP_HOOKS+=(cleanup_e2e)

vm() { "$LANCTL" -s "$SOCK" vm "$@"; }

# domain_define NAME MAC SLOT GUEST-ARGS: a domain as people define it on br0
domain_define() {
	local args="console=ttyS0 quiet loglevel=3 edd=off rodata=off mitigations=off panic=-1"
	cat >"$RUN/$1.xml" <<EOF
<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>$1</name>
  <memory unit='MiB'>192</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$E2E_IMAGE_DIR/kernel</kernel>
    <initrd>$E2E_IMAGE_DIR/initrd.cpio</initrd>
    <cmdline>$args ls.name=$1 $4</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <interface type='bridge'>
      <mac address='$2'/>
      <source bridge='$BR'/>
      <model type='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='$3' function='0x0'/>
    </interface>
    <serial type='file'>
      <source path='$RUN/$1.log'/>
    </serial>
  </devices>
  <qemu:override>
    <qemu:device alias='net0'>
      <qemu:frontend>
        <qemu:property name='vectors' type='unsigned' value='0'/>
      </qemu:frontend>
    </qemu:device>
  </qemu:override>
</domain>
EOF
	virsh_ define "$RUN/$1.xml" >/dev/null
}

# console NAME WHAT: the last "@@WHAT ..." line of the guest's serial console
console() { grep -a "^@@$2\b" "$RUN/$1.log" 2>/dev/null | tr -d '\r' | tail -n 1; }

t_convert() {
	local out
	# --all, as a newcomer runs it: BR is the test's own, so only its two domains are on it
	out=$(vm convert --all --bridge "$BR" --dhcp-server "$R" --socket-dir "$VHOST" 2>&1)
	check "convert: exit code" 0 $?
	check_match "convert: the router's interface is its port" \
		"domain \"$R\": interface #1 \\($R_MAC\\) on $BR is now port $R " "$out"
	check "router: one vhost-user interface, its MAC and PCI slot kept" \
		"vhostuser $R_MAC type=unix path=$VHOST/$R.sock mode=server model=virtio slot=0x05 boot=-" \
		"$(vm_ifaces "$R")"
	check "router: memory shared with the switch" "source=memfd access=shared" "$(vm_memory "$R")"
	check "client: memory shared with the switch" "source=memfd access=shared" "$(vm_memory "$C")"
	check "the override that TCG needs is kept" 1 \
		"$(virsh_ dumpxml --inactive "$R" | grep -c "name='vectors'")"
	check "ports on the switch" "$C $X $R" \
		"$(lanctlj port list | jq -r '[.[] | select(.type == "vhost") | .name] | sort | join(" ")')"
	check "each port's guard: its own MAC; DHCP servers and RAs only from the router" \
		"$C $C_MAC deny deny
$X $X_MAC deny deny
$R $R_MAC allow allow" \
		"$(lanctlj port list | jq -r '.[] | select(.type == "vhost") |
			"\(.name) \(.guard.allowed_macs | join(",")) \(.guard.dhcp_server) \(.guard.ra_guard)"' | sort)"
}

t_start_order() {
	local out rc order=$RUN/start-order offer_ts client_up_ts
	printf '%s\n' "start $R" "wait $R dhcp-server --timeout 240" "start $X" "start $C" >"$order"
	"$LANCTL" -s "$SOCK" -j monitor >"$RUN/events.json" 2>/dev/null &
	MONITOR=$!
	sleep 0.5
	out=$(vm start-order "$order" 2>&1)
	rc=$?
	check "start-order: exit code" 0 "$rc"
	check "start-order: what it did, in order" "domain $R: libvirt's autostart turned off: this start order starts it
domain $R: started
port $R: DHCP server $ROUTER_IP ($R_MAC) answered
domain $X: started
domain $C: started" "$out"
	wait_for "the client's lease" 240 '[ -n "$(console "$C" DHCP)" ]'
	check_match "the client got its address from the router" \
		"^@@DHCP OK ip=10\\.88\\.0\\.1[0-2][0-9]/24 server=$ROUTER_IP " "$(console "$C" DHCP)"
	wait_for "the client's pings" 120 '[ -n "$(console "$C" DONE)" ]'
	check_match "the client pinged the router" "^@@PING OK peer=$ROUTER_IP sent=3 received=3 " \
		"$(grep -a "^@@PING.*peer=$ROUTER_IP" "$RUN/$C.log" | tr -d '\r' | tail -1)"
	check_match "the client pinged the host" "^@@PING OK peer=$HOST_IP sent=3 received=3 " \
		"$(grep -a "^@@PING.*peer=$HOST_IP" "$RUN/$C.log" | tr -d '\r' | tail -1)"
	# the client's link came up only after the switch's probe got the router's offer
	offer_ts=$(jq -s --arg p "$R" '[.[] | select(.event == "dhcp_server" and .port == $p)][0].ts' "$RUN/events.json")
	client_up_ts=$(jq -s --arg p "$C" '[.[] | select(.event == "link" and .port == $p and .link == "up")][0].ts' "$RUN/events.json")
	check "the client came up after the router's offer" 1 \
		"$(python3 -c "print(int($client_up_ts > $offer_ts))" 2>/dev/null)"
	kill "$MONITOR" 2>/dev/null
	wait "$MONITOR" 2>/dev/null
	check "start-order turned the router's autostart off" disable \
		"$(virsh_ dominfo "$R" | awk '/^Autostart/ {print $2}')"
}

# The rogue serves addresses too: its offers, to the client's DISCOVERs and to the switch's
# own, are dropped at its port and counted; the client's lease came from the router.
t_rogue_dhcp() {
	local d0
	wait_for "the rogue's DHCP server" 240 '[ -n "$(console "$X" DHCPD)" ]'
	check_match "the rogue runs a DHCP server" "^@@DHCPD OK range=10\\.88\\.0\\.200-" \
		"$(console "$X" DHCPD)"
	d0=$(port_field "$X" .drops.dhcp_guard)
	check "the switch hears no DHCP server on the rogue's port" 1 \
		"$(lanctl wait "$X" dhcp-server --timeout 10 >/dev/null 2>&1; echo $?)"
	check_match "its offers were dropped and counted there" '^[1-9][0-9]*$' \
		"$(($(port_field "$X" .drops.dhcp_guard) - d0))"
	check "none of the router's" 0 "$(port_field "$R" .drops.dhcp_guard)"
	check_match "the client's lease is the router's" "^@@DHCP OK ip=10\\.88\\.0\\.1[0-2][0-9]/24 server=$ROUTER_IP " \
		"$(console "$C" DHCP)"
}

host_ping() { ip netns exec "$NS" ping -c 1 -W 2 "$1" >/dev/null 2>&1; }

t_host_pings() {
	local lease=${LEASE:-$(console "$C" DHCP | sed -n 's/.* ip=\([0-9.]*\)\/.*/\1/p')}
	LEASE=$lease
	check "the host pings the router" 0 "$(host_ping "$ROUTER_IP"; echo $?)"
	check "the host pings the client" 0 "$(host_ping "$lease"; echo $?)"
}

t_hosts() {
	check "hosts: the router and the client, with their addresses, ports and domains" \
		"$R_MAC $ROUTER_IP $R $R
$C_MAC $LEASE $C $C" \
		"$(lanctlj hosts | jq -r --arg r "$R_MAC" --arg c "$C_MAC" \
			'.[] | select(.mac == $r or .mac == $c) | "\(.mac) \(.ipv4 | join(",")) \(.port) \(.vm)"' | sort)"
	check_match "hosts, as text: the domain's name" "^$C_MAC +1 +$C +$C +$LEASE " \
		"$(lanctl hosts | grep "$C_MAC")"
}

t_switch_restart() {
	local qemu_before
	qemu_before=$(pgrep -f "guest=$P" | sort | tr '\n' ' ')
	daemon_stop
	daemon_start || { FAILS=$((FAILS + 1)); return; }
	wait_for "the router's port up again" 30 '[ "$(port_field "$R" .link)" == up ]'
	wait_for "the host reaches the router again" 30 host_ping "$ROUTER_IP"
	check "the host pings the router after the restart" 0 "$(host_ping "$ROUTER_IP"; echo $?)"
	check "the host pings the client after the restart" 0 "$(host_ping "$LEASE"; echo $?)"
	check "no guest was restarted" "$qemu_before" "$(pgrep -f "guest=$P" | sort | tr '\n' ' ')"
}

# Only a libvirtd this test started is restarted; one that ran before is never touched.
t_libvirtd_restart() {
	local pid=
	[ ${#LIBVIRT_PIDS[@]} -gt 0 ] && pid=${LIBVIRT_PIDS[-1]}
	if [ -z "$pid" ]; then
		log "  SKIP: libvirtd was running before this test: not restarting it"
		return
	fi
	kill -TERM "$pid"
	wait_pid "$pid" 15 || { log "  libvirtd $pid did not stop"; FAILS=$((FAILS + 1)); return; }
	libvirtd -d || { FAILS=$((FAILS + 1)); return; }
	wait_for "libvirtd answering" 30 libvirt_up || { FAILS=$((FAILS + 1)); return; }
	LIBVIRT_PIDS[-1]=$(cat /var/run/libvirtd.pid)
	wait_for "the agent reconnected" 20 "grep -q 'reconnected; following its domains' '$AGENT_LOG'"
	check "the agent lost libvirt and reconnected" 1 \
		"$(grep -c "^libvirt $LIBVIRT_URI: reconnected; following its domains$" "$AGENT_LOG")"
	check "the guests ran on: libvirt still has them running" "running running" \
		"$(virsh_ domstate "$R") $(virsh_ domstate "$C")"
	check "the host still pings the client" 0 "$(host_ping "$LEASE"; echo $?)"
	check "the agent is still running" yes "$(kill -0 "$AGENT_PID" && echo yes)"
}

t_undefine() {
	local seen
	# what the agent said before (a vm convert that defines one domain after the other can
	# cross one of its passes, and a port is removed and made again: README, the agent)
	seen=$(wc -l <"$AGENT_LOG")
	virsh_ destroy "$C" >/dev/null
	virsh_ undefine "$C" >/dev/null
	wait_for "the client's port gone" 10 '[ -z "$(port_field "$C" .name)" ]'
	check "undefined: its port is gone" "" "$(port_field "$C" .name)"
	check "undefined: its socket too" no "$(test -e "$VHOST/$C.sock" && echo yes || echo no)"
	# QEMU removed its socket when the domain was destroyed: the agent found none to delete
	check "the agent said so" 1 \
		"$(tail -n +$((seen + 1)) "$AGENT_LOG" | grep -c "^port $C removed: no domain names it any more")"
	check "the router's port stays" "$R" "$(port_field "$R" .name)"
}

t_hotplug() {
	local out
	out=$(vm attach "$R" --add --socket-dir "$VHOST" 2>&1)
	check "hot-plug: exit code" 0 $?
	log "  vm attach --add: $out"
	check "hot-plug: the live definition has both interfaces" 2 \
		"$(virsh_ dumpxml "$R" | grep -c "<interface type='vhostuser'>")"
	check "hot-plug: the persistent one too" 2 \
		"$(virsh_ dumpxml --inactive "$R" | grep -c "<interface type='vhostuser'>")"
	wait_for "QEMU's new socket" 20 test -S "$VHOST/$R.1.sock"
	wait_for "the new port connecting" 20 \
		'[ "$(port_field "$R.1" .status)" != "waiting for socket $VHOST/$R.1.sock" ]'
	check_match "hot-plug: the new port connects to QEMU's socket" "^(connecting to|connected)" \
		"$(port_field "$R.1" .status)"
}

setup() {
	"$E2E_DIR/guest-image.sh" "$E2E_IMAGE_DIR" >"$T/image.log" 2>&1 || {
		cat "$T/image.log" >&2
		exit 1
	}
	libvirt_start || exit 1
	ip netns add "$NS" || exit 1
	ip -n "$NS" link set lo up
	daemon_start || exit 1
	lanctl port add host tap "$HOST_IF" --netns "$NS" --address "$HOST_IP/24" || exit 1
	domain_define "$R" "$R_MAC" 0x05 \
		"acpiphp.disable=1 ls.ip=$ROUTER_IP/24 ls.role=dhcpd:10.88.0.100:10.88.0.120 ls.hold=900" &&
		domain_define "$C" "$C_MAC" 0x05 \
			"ls.ip=dhcp ls.role=dhcp,ping:$ROUTER_IP:3,ping:$HOST_IP:3 ls.pingwait=60 ls.hold=900" &&
		domain_define "$X" "$X_MAC" 0x05 \
			"ls.ip=10.88.0.66/24 ls.role=dhcpd:10.88.0.200:10.88.0.210 ls.hold=900" ||
		exit 1
	virsh_ autostart "$R" >/dev/null
	agent_start
}

setup
run_tests

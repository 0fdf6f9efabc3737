#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lanctl vm convert, attach, list and detach against a real libvirtd and lanswitchd: after each
# command the domains' persistent definitions (virsh dumpxml --inactive: interfaces in order
# with their MACs, PCI slots and boot order, shared memory, lanswitch's metadata) and the
# switch's ports (lanctl -j port list), exactly; and every bad input refused with its exact
# message and exit code, leaving both as they were.
#
# The domains never run: these commands change persistent definitions, which is what a
# stopped domain has. Hot-plug into a running domain needs a booted guest: not tested here.
# BR is a bridge name of the test's own (it need not exist), so that `vm convert --all` can
# touch no domain but the test's.
ALL_TESTS="t_bad_input t_convert_dry_run t_convert t_attach t_list t_detach t_port_from_config"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/libvirt.sh"

P=$VM_PREFIX
BR=lst$$
VHOST=$T/vhost
NOSOCK_URI='qemu+unix:///system?socket=/nonexistent'

vm() { "$LANCTL" -s "$SOCK" vm "$@"; }

# What a command must leave as it was: every test domain's definition and the switch's ports.
snapshot() {
	local d
	for d in $(virsh_ list --all --name | grep "^$P" | sort); do
		echo "== $d"
		vm_xml "$d"
	done
	echo "== ports"
	lanctlj port list | jq -c "$GUARD_OF"' [.[] | {name, path, mode, vlan, trunk, native, guard: guard_of}]'
}

# refused RC STDERR ARGS...: lanctl vm ARGS exits RC, prints STDERR exactly and nothing on
# stdout, and changes nothing.
refused() {
	local want_rc=$1 want=$2 before out rc
	shift 2
	before=$(snapshot)
	out=$(vm "$@" 2>"$T/err")
	rc=$?
	check "vm $*: exit code" "$want_rc" "$rc"
	check "vm $*: message" "$want" "$(cat "$T/err")"
	check "vm $*: nothing on stdout" "" "$out"
	check "vm $*: nothing changed" "$before" "$(snapshot)"
}

# What lanctl says a port's guard is: a guest's, and the router's (--dhcp-server).
guest() { echo "allowed-mac $1, ${2:+arp-guard $2, }dhcp-server deny, ra-guard deny"; }
router() { echo "allowed-mac $1, dhcp-server allow, ra-guard allow"; }

# Home Assistant: its LAN NIC on BR with an nwfilter and a boot order, a NAT NIC on 'default'
HA_IFACES="    <interface type='bridge'>
      <mac address='52:54:00:3e:a1:20'/>
      <source bridge='$BR'/>
      <model type='virtio'/>
      <filterref filter='clean-traffic'>
        <parameter name='IP' value='192.168.1.20'/>
      </filterref>
      <boot order='2'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>
    </interface>
    <interface type='network'>
      <mac address='52:54:00:3e:a1:21'/>
      <source network='default'/>
      <model type='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x06' function='0x0'/>
    </interface>"
# a router: two NICs on BR, one on another bridge (left as it is)
PF_IFACES="    <interface type='bridge'>
      <mac address='52:54:00:8a:1c:01'/>
      <source bridge='$BR'/>
      <model type='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:8a:1c:03'/>
      <source bridge='lso$$'/>
      <model type='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:8a:1c:02'/>
      <source bridge='$BR'/>
      <model type='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>
    </interface>"
E1K_IFACE="    <interface type='bridge'>
      <mac address='52:54:00:e1:00:01'/>
      <source bridge='$BR'/>
      <model type='e1000'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>
    </interface>"
NET_IFACE="    <interface type='network'>
      <mac address='52:54:00:4e:00:01'/>
      <source network='${P}lan'/>
      <model type='virtio'/>
    </interface>"

# A port the switch has already as the domain needs it (the config file's `port add NAME vhost
# SOCKET`): attach uses it as it is; one of the same name on another socket is refused.
t_port_from_config() {
	local out rc
	vm_define "${P}cf" "" || { FAILS=$((FAILS + 1)); return; }
	lanctl port add "${P}cf" vhost "$VHOST/${P}cf.sock"
	out=$(vm attach "${P}cf" --mac 52:54:00:71:9a:cf --socket-dir "$VHOST" 2>&1)
	rc=$?
	check "a port from the config file: exit code" 0 $rc
	check "a port from the config file: used as it is" "port ${P}cf: on the switch already, on socket $VHOST/${P}cf.sock: used as it is
domain \"${P}cf\": attached on port ${P}cf (MAC 52:54:00:71:9a:cf, socket $VHOST/${P}cf.sock, vlan 1; $(guest 52:54:00:71:9a:cf))" \
		"$(grep -v 'memory\|cold start' <<<"$out")"
	# every setting sent to a port the switch had: it may have had any
	check "a port from the config file: guarded" \
		"$(guard_json 52:54:00:71:9a:cf deny deny)" "$(guard "${P}cf")"
	check "one port of that name" 1 \
		"$(lanctlj port list | jq --arg n "${P}cf" '[.[] | select(.name == $n)] | length')"
	vm detach "${P}cf" >/dev/null
	lanctl port add "${P}cf" vhost "$T/elsewhere.sock"
	refused 1 "lanctl: port \"${P}cf\": already exists
lanctl: undone: domain \"${P}cf\" defined as it was" attach "${P}cf" --socket-dir "$VHOST"
	lanctl port del "${P}cf"
}

setup() {
	libvirt_start || return 1
	daemon_start || return 1
	vm_define "${P}ha" "$HA_IFACES" &&
		vm_define "${P}pf" "$PF_IFACES" &&
		vm_define "${P}pi" "" &&
		vm_define "${P}e1k" "$E1K_IFACE" &&
		vm_define "${P}netd" "$NET_IFACE" || return 1
	# a libvirt network that is BR under another name (a host bridge in bridge mode)
	cat >"$T/lan.xml" <<EOF
<network>
  <name>${P}lan</name>
  <forward mode='bridge'/>
  <bridge name='$BR'/>
</network>
EOF
	virsh_ net-define "$T/lan.xml" >/dev/null
}

t_bad_input() {
	local before out rc cmd
	# libvirtd not reachable: -c is lanctl's option, before the command
	for cmd in "list" "convert ${P}ha --bridge $BR" "attach ${P}pi" "detach ${P}ha"; do
		before=$(snapshot)
		out=$("$LANCTL" -s "$SOCK" -c "$NOSOCK_URI" vm $cmd 2>&1)
		rc=$?
		check "vm $cmd, libvirtd unreachable: exit code" 1 $rc
		check "vm $cmd, libvirtd unreachable: message" "lanctl: libvirt $NOSOCK_URI: Failed to connect socket to '/nonexistent': No such file or directory" "$out"
		check "vm $cmd, libvirtd unreachable: nothing changed" "$before" "$(snapshot)"
	done

	refused 1 "lanctl: domain \"${P}nosuch\": not found on qemu:///system" \
		attach "${P}nosuch" --socket-dir "$VHOST"
	refused 1 "lanctl: domain \"${P}nosuch\": not found on qemu:///system" \
		convert "${P}ha" "${P}nosuch" --bridge "$BR" --socket-dir "$VHOST"
	refused 1 "lanctl: vm attach: --queues 2: the switch serves one queue pair per port for now, and a guest with more would lose frames" \
		attach "${P}pi" --queues 2 --socket-dir "$VHOST"
	refused 1 "lanctl: domain \"${P}e1k\": interface 52:54:00:e1:00:01 (#1 on $BR): model 'e1000' is not virtio, which vhost-user requires, and a virtio NIC is a new device to the guest (pfSense renames em0 to vtnet0, Windows needs the NetKVM driver): --model-virtio converts it anyway" \
		convert "${P}e1k" --bridge "$BR" --socket-dir "$VHOST"
	refused 1 "lanctl: domain \"${P}netd\": interface 52:54:00:4e:00:01 (#1): type='network' on network '${P}lan', whose bridge is $BR: make it type='bridge' (<source bridge='$BR'/>) first" \
		convert "${P}netd" --bridge "$BR" --socket-dir "$VHOST"
	# --all: one refused domain, and none is converted
	refused 1 "lanctl: domain \"${P}e1k\": interface 52:54:00:e1:00:01 (#1 on $BR): model 'e1000' is not virtio, which vhost-user requires, and a virtio NIC is a new device to the guest (pfSense renames em0 to vtnet0, Windows needs the NetKVM driver): --model-virtio converts it anyway
lanctl: domain \"${P}netd\": interface 52:54:00:4e:00:01 (#1): type='network' on network '${P}lan', whose bridge is $BR: make it type='bridge' (<source bridge='$BR'/>) first" \
		convert --all --bridge "$BR" --socket-dir "$VHOST"
	check "no socket directory made" no "$(test -e "$VHOST" && echo yes || echo no)"
	virsh_ undefine "${P}netd" >/dev/null
}

t_convert_dry_run() {
	local before out rc
	before=$(snapshot)
	out=$(vm convert "${P}ha" --bridge "$BR" --dry-run --socket-dir "$VHOST" 2>&1)
	rc=$?
	check "dry run: exit code" 0 $rc
	check "dry run: old and new elements, the memory change" "domain \"${P}ha\": interface #1 (52:54:00:3e:a1:20) on $BR would become port ${P}ha (socket $VHOST/${P}ha.sock, vlan 1; $(guest 52:54:00:3e:a1:20 192.168.1.20/32))
- <interface type=\"bridge\">
-   <mac address=\"52:54:00:3e:a1:20\"/>
-   <source bridge=\"$BR\"/>
-   <model type=\"virtio\"/>
-   <filterref filter=\"clean-traffic\">
-     <parameter name=\"IP\" value=\"192.168.1.20\"/>
-   </filterref>
-   <boot order=\"2\"/>
-   <address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x05\" function=\"0x0\"/>
- </interface>
+ <interface type=\"vhostuser\">
+   <mac address=\"52:54:00:3e:a1:20\"/>
+   <source type=\"unix\" path=\"$VHOST/${P}ha.sock\" mode=\"server\"/>
+   <model type=\"virtio\"/>
+   <boot order=\"2\"/>
+   <address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x05\" function=\"0x0\"/>
+ </interface>
domain \"${P}ha\": interface 52:54:00:3e:a1:20: nwfilter 'clean-traffic' (IP=192.168.1.20) became allowed-mac 52:54:00:3e:a1:20, arp-guard 192.168.1.20/32
domain \"${P}ha\": memory shared with the switch: added <memoryBacking>; added <source type='memfd'/>; added <access mode='shared'/>
+ <memoryBacking>
+   <source type=\"memfd\"/>
+   <access mode=\"shared\"/>
+ </memoryBacking>
dry run: nothing changed" "$out"
	check "dry run: nothing changed" "$before" "$(snapshot)"
	check "dry run: no socket directory" no "$(test -e "$VHOST" && echo yes || echo no)"
	out=$(vm convert --all --bridge "$BR" --model-virtio --dhcp-server "${P}pf" --dry-run \
		--socket-dir "$VHOST" | grep '^domain')
	check "dry run --all: every domain on BR" "domain \"${P}e1k\": interface #1 (52:54:00:e1:00:01) on $BR would become port ${P}e1k (socket $VHOST/${P}e1k.sock, vlan 1; $(guest 52:54:00:e1:00:01))
domain \"${P}e1k\": memory shared with the switch: added <memoryBacking>; added <source type='memfd'/>; added <access mode='shared'/>
domain \"${P}ha\": interface #1 (52:54:00:3e:a1:20) on $BR would become port ${P}ha (socket $VHOST/${P}ha.sock, vlan 1; $(guest 52:54:00:3e:a1:20 192.168.1.20/32))
domain \"${P}ha\": interface 52:54:00:3e:a1:20: nwfilter 'clean-traffic' (IP=192.168.1.20) became allowed-mac 52:54:00:3e:a1:20, arp-guard 192.168.1.20/32
domain \"${P}ha\": memory shared with the switch: added <memoryBacking>; added <source type='memfd'/>; added <access mode='shared'/>
domain \"${P}pf\": interface #1 (52:54:00:8a:1c:01) on $BR would become port ${P}pf (socket $VHOST/${P}pf.sock, vlan 1; $(router 52:54:00:8a:1c:01))
domain \"${P}pf\": interface #3 (52:54:00:8a:1c:02) on $BR would become port ${P}pf.1 (socket $VHOST/${P}pf.1.sock, vlan 1; $(router 52:54:00:8a:1c:02))
domain \"${P}pf\": memory shared with the switch: added <memoryBacking>; added <source type='memfd'/>; added <access mode='shared'/>" "$out"
	check "dry run --all: nothing changed" "$before" "$(snapshot)"
}

t_convert() {
	local before out rc group=root
	getent group lanswitch >/dev/null && group=lanswitch

	# e1000 with --model-virtio, by name, saying what the guest sees
	out=$(vm convert "${P}e1k" --bridge "$BR" --model-virtio --socket-dir "$VHOST" 2>&1)
	check "e1000 --model-virtio: exit code" 0 $?
	check "e1000 --model-virtio: output" "domain \"${P}e1k\": interface #1 (52:54:00:e1:00:01) on $BR is now port ${P}e1k (socket $VHOST/${P}e1k.sock, vlan 1; $(guest 52:54:00:e1:00:01))
warning: domain \"${P}e1k\": interface 52:54:00:e1:00:01: model 'e1000' became virtio: the guest sees a new NIC (pfSense renames em0 to vtnet0, Windows needs the NetKVM driver)
domain \"${P}e1k\": memory shared with the switch: added <memoryBacking>; added <source type='memfd'/>; added <access mode='shared'/>" "$out"
	check "e1000: its interface" "vhostuser 52:54:00:e1:00:01 type=unix path=$VHOST/${P}e1k.sock mode=server model=virtio slot=0x03 boot=-" "$(vm_ifaces "${P}e1k")"
	check "socket directory: QEMU's, 0770" "libvirt-qemu $group 770" "$(stat -c '%U %G %a' "$VHOST")"

	# the switch refuses pf's port after ha was converted and pf defined (a domain goes
	# before its ports, which the follow agent would otherwise remove): both are undone,
	# nothing is left half done (their definitions as they were, ha's port deleted)
	lanctl port add "${P}pf" vhost "$T/someone-else.sock" || return
	refused 1 "lanctl: port \"${P}pf\": already exists
lanctl: undone: domain \"${P}pf\" defined as it was
lanctl: undone: domain \"${P}ha\" defined as it was
lanctl: undone: port ${P}ha deleted again" convert --all --bridge "$BR" --socket-dir "$VHOST"
	lanctl port del "${P}pf"
	# the router named wrong: refused before anything changes (a typo would leave the real
	# router's ports denying DHCP)
	refused 1 "lanctl: vm convert: --dhcp-server ${P}pff: not one of the domains converted (no persistent domain of that name)" \
		convert --all --bridge "$BR" --dhcp-server "${P}pf" --dhcp-server "${P}pff" --socket-dir "$VHOST"
	refused 1 "lanctl: vm convert: --dhcp-server ${P}pf: not one of the domains converted" \
		convert "${P}ha" --bridge "$BR" --dhcp-server "${P}pf" --socket-dir "$VHOST"

	out=$(vm convert --all --bridge "$BR" --dhcp-server "${P}pf" --socket-dir "$VHOST" 2>&1)
	rc=$?
	check "convert --all: exit code" 0 $rc
	check "convert --all: output" "domain \"${P}ha\": interface #1 (52:54:00:3e:a1:20) on $BR is now port ${P}ha (socket $VHOST/${P}ha.sock, vlan 1; $(guest 52:54:00:3e:a1:20 192.168.1.20/32))
domain \"${P}ha\": interface 52:54:00:3e:a1:20: nwfilter 'clean-traffic' (IP=192.168.1.20) became allowed-mac 52:54:00:3e:a1:20, arp-guard 192.168.1.20/32
domain \"${P}ha\": memory shared with the switch: added <memoryBacking>; added <source type='memfd'/>; added <access mode='shared'/>
domain \"${P}pf\": interface #1 (52:54:00:8a:1c:01) on $BR is now port ${P}pf (socket $VHOST/${P}pf.sock, vlan 1; $(router 52:54:00:8a:1c:01))
domain \"${P}pf\": interface #3 (52:54:00:8a:1c:02) on $BR is now port ${P}pf.1 (socket $VHOST/${P}pf.1.sock, vlan 1; $(router 52:54:00:8a:1c:02))
domain \"${P}pf\": memory shared with the switch: added <memoryBacking>; added <source type='memfd'/>; added <access mode='shared'/>" "$out"

	# same MACs, slots, boot order and order; the NIC on 'default' and on another bridge stay
	check "ha: interfaces" "vhostuser 52:54:00:3e:a1:20 type=unix path=$VHOST/${P}ha.sock mode=server model=virtio slot=0x05 boot=2
network 52:54:00:3e:a1:21 network=default model=virtio slot=0x06 boot=-" "$(vm_ifaces "${P}ha")"
	check "pf: interfaces" "vhostuser 52:54:00:8a:1c:01 type=unix path=$VHOST/${P}pf.sock mode=server model=virtio slot=0x03 boot=-
bridge 52:54:00:8a:1c:03 bridge=lso$$ model=virtio slot=0x07 boot=-
vhostuser 52:54:00:8a:1c:02 type=unix path=$VHOST/${P}pf.1.sock mode=server model=virtio slot=0x04 boot=-" "$(vm_ifaces "${P}pf")"
	check "ha: memory shared" "source=memfd access=shared" "$(vm_memory "${P}ha")"
	check "pf: memory shared" "source=memfd access=shared" "$(vm_memory "${P}pf")"
	check "ha: metadata" "<ports>
  <port name=\"${P}ha\" mac=\"52:54:00:3e:a1:20\" socket=\"$VHOST/${P}ha.sock\" vlan=\"1\" allowed-mac=\"52:54:00:3e:a1:20\" arp-guard=\"192.168.1.20/32\" dhcp-server=\"deny\" ra-guard=\"deny\"/>
</ports>" "$(vm_meta "${P}ha")"
	check "pf: metadata" "<ports>
  <port name=\"${P}pf\" mac=\"52:54:00:8a:1c:01\" socket=\"$VHOST/${P}pf.sock\" vlan=\"1\" allowed-mac=\"52:54:00:8a:1c:01\" dhcp-server=\"allow\" ra-guard=\"allow\"/>
  <port name=\"${P}pf.1\" mac=\"52:54:00:8a:1c:02\" socket=\"$VHOST/${P}pf.1.sock\" vlan=\"1\" allowed-mac=\"52:54:00:8a:1c:02\" dhcp-server=\"allow\" ra-guard=\"allow\"/>
</ports>" "$(vm_meta "${P}pf")"
	check "the switch has the ports, client mode, on the sockets" \
		"[{\"name\":\"${P}e1k\",\"path\":\"$VHOST/${P}e1k.sock\",\"mode\":\"client\",\"vlan\":1},{\"name\":\"${P}ha\",\"path\":\"$VHOST/${P}ha.sock\",\"mode\":\"client\",\"vlan\":1},{\"name\":\"${P}pf\",\"path\":\"$VHOST/${P}pf.sock\",\"mode\":\"client\",\"vlan\":1},{\"name\":\"${P}pf.1\",\"path\":\"$VHOST/${P}pf.1.sock\",\"mode\":\"client\",\"vlan\":1}]" \
		"$(lanctlj port list | jq -c 'sort_by(.name) | [.[] | {name, path, mode, vlan}]')"
	# the guests' ports deny DHCP servers and RAs, the router's allow them; ha's nwfilter
	# became its arp-guard
	check "the switch guards each port" "$(guard_json 52:54:00:e1:00:01 deny deny)
$(guard_json 52:54:00:3e:a1:20 deny deny 192.168.1.20/32)
$(guard_json 52:54:00:8a:1c:01 allow allow)
$(guard_json 52:54:00:8a:1c:02 allow allow)" \
		"$(for n in e1k ha pf pf.1; do guard "${P}$n"; done)"
	check "the switch's own words for them" "port set ${P}e1k allowed-mac 52:54:00:e1:00:01
port set ${P}e1k dhcp-server deny
port set ${P}e1k ra-guard deny
port set ${P}ha allowed-mac 52:54:00:3e:a1:20
port set ${P}ha arp-guard 192.168.1.20/32
port set ${P}ha dhcp-server deny
port set ${P}ha ra-guard deny
port set ${P}pf allowed-mac 52:54:00:8a:1c:01
port set ${P}pf.1 allowed-mac 52:54:00:8a:1c:02" \
		"$(lanctl config show | grep -E "^port set ${P}[^ ]* (allowed-mac|arp-guard|dhcp-server|ra-guard) " | LC_ALL=C sort)"

	# a guest's guard loosened by hand: the doctor says so, and its fix puts it back
	lanctl port set "${P}ha" allowed-mac none && lanctl port set "${P}ha" dhcp-server allow
	out=$("$LANCTL" -s "$SOCK" doctor --socket-dir "$VHOST" | grep '^doctor: vm-port:')
	check "doctor: a guard loosened by hand" "doctor: vm-port: domain \"${P}ha\": its port ${P}ha's guard is not what its metadata says (the switch has allowed-mac none, dhcp-server allow, the metadata allowed-mac 52:54:00:3e:a1:20, dhcp-server deny): lanctl port set ${P}ha allowed-mac 52:54:00:3e:a1:20; lanctl port set ${P}ha dhcp-server deny" \
		"$out"
	eval "${out##*): }" >/dev/null # the fix: lanctl (lib.sh's, on the test's switch) twice
	check "doctor: the fix done, no finding" "" \
		"$("$LANCTL" -s "$SOCK" doctor --socket-dir "$VHOST" | grep '^doctor: vm-port:')"
	check "doctor: the fix done, the guard as before" \
		"$(guard_json 52:54:00:3e:a1:20 deny deny 192.168.1.20/32)" "$(guard "${P}ha")"

	# converted: nothing left on BR, nothing changes
	before=$(snapshot)
	check "again: nothing to do" "domain \"${P}ha\" has no interface on bridge $BR: nothing to do" \
		"$(vm convert "${P}ha" --bridge "$BR" --socket-dir "$VHOST")"
	check "again: nothing changed" "$before" "$(snapshot)"
}

t_attach() {
	local before out rc mac
	out=$(vm attach "${P}pi" --mac 52:54:00:71:9A:40 --vlan 20 --socket-dir "$VHOST" 2>&1)
	rc=$?
	check "attach: exit code" 0 $rc
	check "attach: output" "domain \"${P}pi\": attached on port ${P}pi (MAC 52:54:00:71:9a:40, socket $VHOST/${P}pi.sock, vlan 20; $(guest 52:54:00:71:9a:40))
domain \"${P}pi\": memory shared with the switch, as vhost-user needs: added <memoryBacking>; added <source type='memfd'/>; added <access mode='shared'/>
domain \"${P}pi\": the shared memory takes effect at its next cold start (shut it down, then start it: a reboot from inside the guest is not enough)" "$out"
	check "attach: the interface" "vhostuser 52:54:00:71:9a:40 type=unix path=$VHOST/${P}pi.sock mode=server model=virtio slot=0x03 boot=-" \
		"$(vm_ifaces "${P}pi")"
	check "attach: memory shared" "source=memfd access=shared" "$(vm_memory "${P}pi")"
	check "attach: metadata" "<ports>
  <port name=\"${P}pi\" mac=\"52:54:00:71:9a:40\" socket=\"$VHOST/${P}pi.sock\" vlan=\"20\" allowed-mac=\"52:54:00:71:9a:40\" dhcp-server=\"deny\" ra-guard=\"deny\"/>
</ports>" "$(vm_meta "${P}pi")"
	check "attach: the port, in VLAN 20" \
		"{\"name\":\"${P}pi\",\"path\":\"$VHOST/${P}pi.sock\",\"mode\":\"client\",\"vlan\":20,\"trunk\":[],\"native\":null}" \
		"$(lanctlj port list | jq -c --arg n "${P}pi" '.[] | select(.name == $n) | {name, path, mode, vlan, trunk, native}')"
	check "attach: a guest's port, guarded" "$(guard_json 52:54:00:71:9a:40 deny deny)" \
		"$(guard "${P}pi")"

	refused 1 "lanctl: domain \"${P}pi\" is on the switch already (port ${P}pi, MAC 52:54:00:71:9a:40): --add attaches another interface" \
		attach "${P}pi" --socket-dir "$VHOST"
	refused 1 "lanctl: domain \"${P}pi\": MAC 52:54:00:71:9a:40 is its interface #1's already" \
		attach "${P}pi" --add --mac 52:54:00:71:9a:40 --socket-dir "$VHOST"

	# --add: a second port, a trunk, a MAC of libvirt's range; this interface is a router's
	out=$("$LANCTL" -s "$SOCK" -j vm attach "${P}pi" --add --trunk 30,20 --native 1 \
		--dhcp-server --socket-dir "$VHOST")
	check "attach --add: exit code" 0 $?
	mac=$(jq -r .mac <<<"$out")
	check_match "attach --add: a MAC of libvirt's range" '^52:54:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$' "$mac"
	check "attach --add: JSON" "{\"domain\":\"${P}pi\",\"port\":\"${P}pi.1\",\"mac\":\"$mac\",\"socket\":\"$VHOST/${P}pi.1.sock\",\"vlan\":null,\"trunk\":[20,30],\"native\":1,\"guard\":{\"allowed_macs\":[\"$mac\"],\"arp_guard\":[],\"dhcp_server\":\"allow\",\"ra_guard\":\"allow\"},\"running\":false,\"hotplugged\":false,\"memory\":{\"changed\":false,\"what\":\"\"}}" "$out"
	check "attach --add: interfaces" "vhostuser 52:54:00:71:9a:40 type=unix path=$VHOST/${P}pi.sock mode=server model=virtio slot=0x03 boot=-
vhostuser $mac type=unix path=$VHOST/${P}pi.1.sock mode=server model=virtio slot=0x04 boot=-" \
		"$(vm_ifaces "${P}pi")"
	check "attach --add: metadata" "<ports>
  <port name=\"${P}pi\" mac=\"52:54:00:71:9a:40\" socket=\"$VHOST/${P}pi.sock\" vlan=\"20\" allowed-mac=\"52:54:00:71:9a:40\" dhcp-server=\"deny\" ra-guard=\"deny\"/>
  <port name=\"${P}pi.1\" mac=\"$mac\" socket=\"$VHOST/${P}pi.1.sock\" trunk=\"20,30\" native=\"1\" allowed-mac=\"$mac\" dhcp-server=\"allow\" ra-guard=\"allow\"/>
</ports>" "$(vm_meta "${P}pi")"
	check "attach --add: the port, a trunk" \
		"{\"name\":\"${P}pi.1\",\"path\":\"$VHOST/${P}pi.1.sock\",\"mode\":\"client\",\"vlan\":null,\"trunk\":[20,30],\"native\":1}" \
		"$(lanctlj port list | jq -c --arg n "${P}pi.1" '.[] | select(.name == $n) | {name, path, mode, vlan, trunk, native}')"
	check "attach --add --dhcp-server: the router's port allows DHCP and RAs" \
		"$(guard_json "$mac" allow allow)" "$(guard "${P}pi.1")"

	# the switch refuses the port (its name is taken): libvirt has the definition as it was
	vm_define "${P}sw" ""
	lanctl port add "${P}sw" vhost "$T/someone-else.sock" || return
	refused 1 "lanctl: port \"${P}sw\": already exists
lanctl: undone: domain \"${P}sw\" defined as it was" attach "${P}sw" --socket-dir "$VHOST"
	lanctl port del "${P}sw"
	# no switch: exit code 3, and nothing is changed in libvirt either
	before=$(snapshot)
	out=$("$LANCTL" -s "$T/none.sock" vm attach "${P}sw" --socket-dir "$VHOST" 2>&1)
	rc=$?
	check "no switch: exit code" 3 $rc
	check "no switch: message" "lanctl: $T/none.sock: No such file or directory" "$out"
	check "no switch: nothing changed" "$before" "$(snapshot)"
	virsh_ undefine "${P}sw" >/dev/null
}

# vm_list_row DOMAIN PORT MAC LINK RX TX DROPS: a row of `vm list`, aligned as the test's
# names make the columns (the longest domain and port names are e1k's and pi.1's).
vm_list_row() {
	printf "%-*s  %-8s  %-*s  %-17s  %-7s  %7s  %7s  %5s\n" $((${#P} + 3)) "$1" "$2" \
		$((${#P} + 4)) "$3" "$4" "$5" "$6" "$7" "$8"
}

t_list() {
	local mac want out rc
	mac=$(vm_meta "${P}pi" | sed -n 's/.*name="'"${P}"'pi.1" mac="\([^"]*\)".*/\1/p')
	# a port the domain has but the switch lost: said as such
	lanctl port del "${P}e1k"
	want=$(vm_list_row DOMAIN STATE PORT MAC LINK RX_PKTS TX_PKTS DROPS
		vm_list_row "${P}e1k" "shut off" "${P}e1k" 52:54:00:e1:00:01 "no port" - - -
		vm_list_row "${P}ha" "shut off" "${P}ha" 52:54:00:3e:a1:20 down 0 0 0
		vm_list_row "${P}pf" "shut off" "${P}pf" 52:54:00:8a:1c:01 down 0 0 0
		vm_list_row "${P}pf" "shut off" "${P}pf.1" 52:54:00:8a:1c:02 down 0 0 0
		vm_list_row "${P}pi" "shut off" "${P}pi" 52:54:00:71:9a:40 down 0 0 0
		vm_list_row "${P}pi" "shut off" "${P}pi.1" "$mac" down 0 0 0)
	check "vm list" "$want" "$(vm list | sed 's/ *$//')"
	check "vm list -j" "[{\"domain\":\"${P}e1k\",\"state\":\"shut off\",\"port\":\"${P}e1k\",\"mac\":\"52:54:00:e1:00:01\",\"socket\":\"$VHOST/${P}e1k.sock\",\"vlan\":1,\"link\":null,\"rx_packets\":null,\"tx_packets\":null,\"drops\":null},{\"domain\":\"${P}ha\",\"state\":\"shut off\",\"port\":\"${P}ha\",\"mac\":\"52:54:00:3e:a1:20\",\"socket\":\"$VHOST/${P}ha.sock\",\"vlan\":1,\"link\":\"down\",\"rx_packets\":0,\"tx_packets\":0,\"drops\":0},{\"domain\":\"${P}pf\",\"state\":\"shut off\",\"port\":\"${P}pf\",\"mac\":\"52:54:00:8a:1c:01\",\"socket\":\"$VHOST/${P}pf.sock\",\"vlan\":1,\"link\":\"down\",\"rx_packets\":0,\"tx_packets\":0,\"drops\":0},{\"domain\":\"${P}pf\",\"state\":\"shut off\",\"port\":\"${P}pf.1\",\"mac\":\"52:54:00:8a:1c:02\",\"socket\":\"$VHOST/${P}pf.1.sock\",\"vlan\":1,\"link\":\"down\",\"rx_packets\":0,\"tx_packets\":0,\"drops\":0},{\"domain\":\"${P}pi\",\"state\":\"shut off\",\"port\":\"${P}pi\",\"mac\":\"52:54:00:71:9a:40\",\"socket\":\"$VHOST/${P}pi.sock\",\"vlan\":20,\"link\":\"down\",\"rx_packets\":0,\"tx_packets\":0,\"drops\":0},{\"domain\":\"${P}pi\",\"state\":\"shut off\",\"port\":\"${P}pi.1\",\"mac\":\"$mac\",\"socket\":\"$VHOST/${P}pi.1.sock\",\"vlan\":null,\"link\":\"down\",\"rx_packets\":0,\"tx_packets\":0,\"drops\":0}]" \
		"$("$LANCTL" -s "$SOCK" -j vm list | jq -c --arg p "$P" '[.[] | select(.domain | startswith($p)) | {domain, state, port, mac, socket, vlan, link, rx_packets, tx_packets, drops}]')"
	check "vm list: no switch" "lanctl: $T/none.sock: No such file or directory|3" \
		"$("$LANCTL" -s "$T/none.sock" vm list 2>&1)|$?"

	# a domain whose metadata lanctl cannot read is said, and hides no one else's rows
	vm_define "${P}bad" "" "  <metadata>
    <lanswitch:ports xmlns:lanswitch='$VM_NS'>
      <lanswitch:port name='x y' mac='52:54:00:00:00:01' socket='/x.sock'/>
    </lanswitch:ports>
  </metadata>"
	out=$(vm list 2>"$T/err")
	rc=$?
	check "vm list, bad metadata: exit code" 1 $rc
	check "vm list, bad metadata: the reason" "lanctl: domain \"${P}bad\": metadata: port 1: name \"x y\" is not a port name" "$(cat "$T/err")"
	check "vm list, bad metadata: the others' rows" "$want" "$(sed 's/ *$//' <<<"$out")"
	virsh_ undefine "${P}bad" >/dev/null
}

t_detach() {
	local out rc before
	out=$(vm detach "${P}e1k" 2>&1)
	check "detach, the port gone already: exit code" 0 $?
	check "detach, the port gone already: output" "domain \"${P}e1k\": detached from port ${P}e1k (MAC 52:54:00:e1:00:01), which the switch did not have" "$out"
	check "detach: no interface left" "" "$(vm_ifaces "${P}e1k")"
	check "detach: no metadata left" none "$(vm_meta "${P}e1k")"

	out=$(vm detach "${P}pi" 2>&1)
	rc=$?
	check "detach: exit code" 0 $rc
	check_match "detach: output" "^domain \"${P}pi\": detached from port ${P}pi \\(MAC 52:54:00:71:9a:40\\)
domain \"${P}pi\": detached from port ${P}pi.1 \\(MAC 52:54:00:[0-9a-f:]{8}\\)$" "$out"
	check "detach: interfaces gone" "" "$(vm_ifaces "${P}pi")"
	check "detach: metadata gone" none "$(vm_meta "${P}pi")"
	check "detach: its <metadata> gone" 0 "$(vm_xml "${P}pi" | grep -c metadata)"
	check "detach: ports gone" "[]" \
		"$(lanctlj port list | jq -c --arg p "${P}pi" '[.[] | select(.name | startswith($p))]')"

	refused 1 "lanctl: domain \"${P}pi\" has no port on the switch (no lanswitch metadata)" detach "${P}pi"
	refused 1 "lanctl: domain \"${P}nosuch\": not found on qemu:///system" detach "${P}nosuch"
	before=$(snapshot)
	out=$("$LANCTL" -s "$T/none.sock" vm detach "${P}ha" 2>&1)
	rc=$?
	check "detach, no switch: exit code" 3 $rc
	check "detach, no switch: message" "lanctl: $T/none.sock: No such file or directory" "$out"
	check "detach, no switch: nothing changed" "$before" "$(snapshot)"

	vm detach "${P}ha" >/dev/null && vm detach "${P}pf" >/dev/null
	check "detach all: the switch has no port left" 0 "$(lanctlj port list | jq length)"
	check "detach all: ha keeps its NAT NIC" "network 52:54:00:3e:a1:21 network=default model=virtio slot=0x06 boot=-" \
		"$(vm_ifaces "${P}ha")"
	check "vm list: nothing left" "" "$(vm list)"
}

setup || exit 1
run_tests

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lanctl vm convert and list against a real libvirtd and lanswitchd: after each
# command the domains' persistent definitions (virsh dumpxml --inactive: interfaces in order
# with their MACs, PCI slots and boot order, shared memory, lanswitch's metadata) and the
# switch's ports (lanctl -j port list), exactly; and every bad input refused with its exact
# message and exit code, leaving both as they were.
#
# The domains never run: these commands change persistent definitions, which is what a
# stopped domain has. Hot-plug into a running domain needs a booted guest: not tested here.
# BR is a bridge name of the test's own (it need not exist), so that `vm convert --all` can
# touch no domain but the test's.
ALL_TESTS="t_bad_input t_convert_dry_run t_convert t_list"
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
	lanctlj port list | jq -c '[.[] | {name, path, mode, vlan, trunk, native}]'
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

setup() {
	libvirt_start || return 1
	daemon_start || return 1
	vm_define "${P}ha" "$HA_IFACES" &&
		vm_define "${P}pf" "$PF_IFACES" &&
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
	for cmd in "list" "convert ${P}ha --bridge $BR"; do
		before=$(snapshot)
		out=$("$LANCTL" -s "$SOCK" -c "$NOSOCK_URI" vm $cmd 2>&1)
		rc=$?
		check "vm $cmd, libvirtd unreachable: exit code" 1 $rc
		check "vm $cmd, libvirtd unreachable: message" "lanctl: libvirt $NOSOCK_URI: Failed to connect socket to '/nonexistent': No such file or directory" "$out"
		check "vm $cmd, libvirtd unreachable: nothing changed" "$before" "$(snapshot)"
	done

	refused 1 "lanctl: domain \"${P}nosuch\": not found on qemu:///system" \
		convert "${P}ha" "${P}nosuch" --bridge "$BR" --socket-dir "$VHOST"
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
	check "dry run: old and new elements, the memory change" "domain \"${P}ha\": interface #1 (52:54:00:3e:a1:20) on $BR would become port ${P}ha (socket $VHOST/${P}ha.sock, vlan 1)
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
warning: domain \"${P}ha\": interface 52:54:00:3e:a1:20: nwfilter 'clean-traffic' (IP=192.168.1.20) removed: libvirt filters on the host's tap device, which a vhost-user interface does not have; its protection is gone
domain \"${P}ha\": memory shared with the switch: added <memoryBacking>; added <source type='memfd'/>; added <access mode='shared'/>
+ <memoryBacking>
+   <source type=\"memfd\"/>
+   <access mode=\"shared\"/>
+ </memoryBacking>
dry run: nothing changed" "$out"
	check "dry run: nothing changed" "$before" "$(snapshot)"
	check "dry run: no socket directory" no "$(test -e "$VHOST" && echo yes || echo no)"
	out=$(vm convert --all --bridge "$BR" --model-virtio --dry-run --socket-dir "$VHOST" | grep '^domain')
	check "dry run --all: every domain on BR" "domain \"${P}e1k\": interface #1 (52:54:00:e1:00:01) on $BR would become port ${P}e1k (socket $VHOST/${P}e1k.sock, vlan 1)
domain \"${P}e1k\": memory shared with the switch: added <memoryBacking>; added <source type='memfd'/>; added <access mode='shared'/>
domain \"${P}ha\": interface #1 (52:54:00:3e:a1:20) on $BR would become port ${P}ha (socket $VHOST/${P}ha.sock, vlan 1)
domain \"${P}ha\": memory shared with the switch: added <memoryBacking>; added <source type='memfd'/>; added <access mode='shared'/>
domain \"${P}pf\": interface #1 (52:54:00:8a:1c:01) on $BR would become port ${P}pf (socket $VHOST/${P}pf.sock, vlan 1)
domain \"${P}pf\": interface #3 (52:54:00:8a:1c:02) on $BR would become port ${P}pf.1 (socket $VHOST/${P}pf.1.sock, vlan 1)
domain \"${P}pf\": memory shared with the switch: added <memoryBacking>; added <source type='memfd'/>; added <access mode='shared'/>" "$out"
	check "dry run --all: nothing changed" "$before" "$(snapshot)"
}

t_convert() {
	local before out rc group=root
	getent group lanswitch >/dev/null && group=lanswitch

	# e1000 with --model-virtio, by name, saying what the guest sees
	out=$(vm convert "${P}e1k" --bridge "$BR" --model-virtio --socket-dir "$VHOST" 2>&1)
	check "e1000 --model-virtio: exit code" 0 $?
	check "e1000 --model-virtio: output" "domain \"${P}e1k\": interface #1 (52:54:00:e1:00:01) on $BR is now port ${P}e1k (socket $VHOST/${P}e1k.sock, vlan 1)
warning: domain \"${P}e1k\": interface 52:54:00:e1:00:01: model 'e1000' became virtio: the guest sees a new NIC (pfSense renames em0 to vtnet0, Windows needs the NetKVM driver)
domain \"${P}e1k\": memory shared with the switch: added <memoryBacking>; added <source type='memfd'/>; added <access mode='shared'/>" "$out"
	check "e1000: its interface" "vhostuser 52:54:00:e1:00:01 type=unix path=$VHOST/${P}e1k.sock mode=server model=virtio slot=0x03 boot=-" "$(vm_ifaces "${P}e1k")"
	check "socket directory: QEMU's, 0770" "libvirt-qemu $group 770" "$(stat -c '%U %G %a' "$VHOST")"

	out=$(vm convert --all --bridge "$BR" --socket-dir "$VHOST" 2>&1)
	rc=$?
	check "convert --all: exit code" 0 $rc
	check "convert --all: output" "domain \"${P}ha\": interface #1 (52:54:00:3e:a1:20) on $BR is now port ${P}ha (socket $VHOST/${P}ha.sock, vlan 1)
warning: domain \"${P}ha\": interface 52:54:00:3e:a1:20: nwfilter 'clean-traffic' (IP=192.168.1.20) removed: libvirt filters on the host's tap device, which a vhost-user interface does not have; its protection is gone
domain \"${P}ha\": memory shared with the switch: added <memoryBacking>; added <source type='memfd'/>; added <access mode='shared'/>
domain \"${P}pf\": interface #1 (52:54:00:8a:1c:01) on $BR is now port ${P}pf (socket $VHOST/${P}pf.sock, vlan 1)
domain \"${P}pf\": interface #3 (52:54:00:8a:1c:02) on $BR is now port ${P}pf.1 (socket $VHOST/${P}pf.1.sock, vlan 1)
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
  <port name=\"${P}ha\" mac=\"52:54:00:3e:a1:20\" socket=\"$VHOST/${P}ha.sock\" vlan=\"1\"/>
</ports>" "$(vm_meta "${P}ha")"
	check "pf: metadata" "<ports>
  <port name=\"${P}pf\" mac=\"52:54:00:8a:1c:01\" socket=\"$VHOST/${P}pf.sock\" vlan=\"1\"/>
  <port name=\"${P}pf.1\" mac=\"52:54:00:8a:1c:02\" socket=\"$VHOST/${P}pf.1.sock\" vlan=\"1\"/>
</ports>" "$(vm_meta "${P}pf")"
	check "the switch has the ports, client mode, on the sockets" \
		"[{\"name\":\"${P}e1k\",\"path\":\"$VHOST/${P}e1k.sock\",\"mode\":\"client\",\"vlan\":1},{\"name\":\"${P}ha\",\"path\":\"$VHOST/${P}ha.sock\",\"mode\":\"client\",\"vlan\":1},{\"name\":\"${P}pf\",\"path\":\"$VHOST/${P}pf.sock\",\"mode\":\"client\",\"vlan\":1},{\"name\":\"${P}pf.1\",\"path\":\"$VHOST/${P}pf.1.sock\",\"mode\":\"client\",\"vlan\":1}]" \
		"$(lanctlj port list | jq -c 'sort_by(.name) | [.[] | {name, path, mode, vlan}]')"

	# converted: nothing left on BR, nothing changes
	before=$(snapshot)
	check "again: nothing to do" "domain \"${P}ha\" has no interface on bridge $BR: nothing to do" \
		"$(vm convert "${P}ha" --bridge "$BR" --socket-dir "$VHOST")"
	check "again: nothing changed" "$before" "$(snapshot)"
}

# vm_list_row DOMAIN PORT MAC LINK RX TX DROPS: a row of `vm list`, aligned as the test's
# names make the columns (the longest domain and port names are e1k's and pf.1's).
vm_list_row() {
	printf "%-*s  %-8s  %-*s  %-17s  %-7s  %7s  %7s  %5s\n" $((${#P} + 3)) "$1" "$2" \
		$((${#P} + 4)) "$3" "$4" "$5" "$6" "$7" "$8"
}

t_list() {
	local want
	# a port the domain has but the switch lost: said as such
	lanctl port del "${P}e1k"
	want=$(vm_list_row DOMAIN STATE PORT MAC LINK RX_PKTS TX_PKTS DROPS
		vm_list_row "${P}e1k" "shut off" "${P}e1k" 52:54:00:e1:00:01 "no port" - - -
		vm_list_row "${P}ha" "shut off" "${P}ha" 52:54:00:3e:a1:20 down 0 0 0
		vm_list_row "${P}pf" "shut off" "${P}pf" 52:54:00:8a:1c:01 down 0 0 0
		vm_list_row "${P}pf" "shut off" "${P}pf.1" 52:54:00:8a:1c:02 down 0 0 0)
	check "vm list" "$want" "$(vm list | sed 's/ *$//')"
	check "vm list -j" "[{\"domain\":\"${P}e1k\",\"state\":\"shut off\",\"port\":\"${P}e1k\",\"mac\":\"52:54:00:e1:00:01\",\"socket\":\"$VHOST/${P}e1k.sock\",\"vlan\":1,\"link\":null,\"rx_packets\":null,\"tx_packets\":null,\"drops\":null},{\"domain\":\"${P}ha\",\"state\":\"shut off\",\"port\":\"${P}ha\",\"mac\":\"52:54:00:3e:a1:20\",\"socket\":\"$VHOST/${P}ha.sock\",\"vlan\":1,\"link\":\"down\",\"rx_packets\":0,\"tx_packets\":0,\"drops\":0},{\"domain\":\"${P}pf\",\"state\":\"shut off\",\"port\":\"${P}pf\",\"mac\":\"52:54:00:8a:1c:01\",\"socket\":\"$VHOST/${P}pf.sock\",\"vlan\":1,\"link\":\"down\",\"rx_packets\":0,\"tx_packets\":0,\"drops\":0},{\"domain\":\"${P}pf\",\"state\":\"shut off\",\"port\":\"${P}pf.1\",\"mac\":\"52:54:00:8a:1c:02\",\"socket\":\"$VHOST/${P}pf.1.sock\",\"vlan\":1,\"link\":\"down\",\"rx_packets\":0,\"tx_packets\":0,\"drops\":0}]" \
		"$("$LANCTL" -s "$SOCK" -j vm list | jq -c --arg p "$P" '[.[] | select(.domain | startswith($p)) | {domain, state, port, mac, socket, vlan, link, rx_packets, tx_packets, drops}]')"
	check "vm list: no switch" "lanctl: $T/none.sock: No such file or directory|3" \
		"$("$LANCTL" -s "$T/none.sock" vm list 2>&1)|$?"
}

setup || exit 1
run_tests

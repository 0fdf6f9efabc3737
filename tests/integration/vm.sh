#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lanctl's vm commands against a real libvirtd and lanswitchd: their exact output and exit
# codes, and that a bad input (libvirtd unreachable, no switch) changes nothing.
#
# The domains never run: the vm commands read and change persistent definitions, which is
# what a stopped domain has. Hot-plug into a running domain needs a booted guest: not tested
# here.
ALL_TESTS="t_bad_input t_list"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/libvirt.sh"

P=$VM_PREFIX
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

# A domain on the switch as `vm attach` leaves it: its interfaces, and its ports in its
# metadata (vm_meta_port NAME MAC VLANS for each).
vm_iface() {
	echo "    <interface type='vhostuser'>
      <mac address='$2'/>
      <source type='unix' path='$VHOST/$1.sock' mode='server'/>
      <model type='virtio'/>
    </interface>"
}
vm_meta_port() {
	echo "      <lanswitch:port name='$1' mac='$2' socket='$VHOST/$1.sock' $3/>"
}
SHARED="  <memoryBacking>
    <source type='memfd'/>
    <access mode='shared'/>
  </memoryBacking>"

setup() {
	libvirt_start || return 1
	daemon_start || return 1
	vm_define "${P}ha" "$(vm_iface "${P}ha" 52:54:00:3e:a1:20)" "$SHARED
  <metadata>
    <lanswitch:ports xmlns:lanswitch='$VM_NS'>
$(vm_meta_port "${P}ha" 52:54:00:3e:a1:20 "vlan='1'")
    </lanswitch:ports>
  </metadata>" &&
		vm_define "${P}pf" "$(vm_iface "${P}pf" 52:54:00:8a:1c:01)
$(vm_iface "${P}pf.1" 52:54:00:8a:1c:02)" "$SHARED
  <metadata>
    <lanswitch:ports xmlns:lanswitch='$VM_NS'>
$(vm_meta_port "${P}pf" 52:54:00:8a:1c:01 "vlan='20'")
$(vm_meta_port "${P}pf.1" 52:54:00:8a:1c:02 "trunk='20,30' native='1'")
    </lanswitch:ports>
  </metadata>" &&
		vm_define "${P}pi" "" || return 1
	lanctl port add "${P}ha" vhost "$VHOST/${P}ha.sock" &&
		lanctl port add "${P}pf" vhost "$VHOST/${P}pf.sock" &&
		lanctl port set "${P}pf" vlan 20
}

t_bad_input() {
	local before out rc
	# libvirtd not reachable: -c is lanctl's option, before the command
	before=$(snapshot)
	out=$("$LANCTL" -s "$SOCK" -c "$NOSOCK_URI" vm list 2>&1)
	rc=$?
	check "libvirtd unreachable: exit code" 1 $rc
	check "libvirtd unreachable: message" "lanctl: libvirt $NOSOCK_URI: Failed to connect socket to '/nonexistent': No such file or directory" "$out"
	check "libvirtd unreachable: nothing changed" "$before" "$(snapshot)"
	out=$("$LANCTL" -s "$T/none.sock" vm list 2>&1)
	rc=$?
	check "no switch: exit code" 3 $rc
	check "no switch: message" "lanctl: $T/none.sock: No such file or directory" "$out"
}

# vm_list_row DOMAIN STATE PORT MAC LINK RX TX DROPS: a row of `vm list`, aligned as the
# test's names make the columns (the longest port name is pf.1's).
vm_list_row() {
	printf "%-*s  %-8s  %-*s  %-17s  %-7s  %7s  %7s  %5s\n" $((${#P} + 2)) "$1" "$2" \
		$((${#P} + 4)) "$3" "$4" "$5" "$6" "$7" "$8"
}

t_list() {
	local want
	# a domain without metadata has no row; a port the switch lacks is said as such
	want=$(vm_list_row DOMAIN STATE PORT MAC LINK RX_PKTS TX_PKTS DROPS
		vm_list_row "${P}ha" "shut off" "${P}ha" 52:54:00:3e:a1:20 down 0 0 0
		vm_list_row "${P}pf" "shut off" "${P}pf" 52:54:00:8a:1c:01 down 0 0 0
		vm_list_row "${P}pf" "shut off" "${P}pf.1" 52:54:00:8a:1c:02 "no port" - - -)
	check "vm list" "$want" "$(vm list | sed 's/ *$//')"
	check "vm list -j" "[{\"domain\":\"${P}ha\",\"state\":\"shut off\",\"port\":\"${P}ha\",\"mac\":\"52:54:00:3e:a1:20\",\"socket\":\"$VHOST/${P}ha.sock\",\"vlan\":1,\"trunk\":[],\"native\":null,\"link\":\"down\",\"rx_packets\":0,\"tx_packets\":0,\"drops\":0},{\"domain\":\"${P}pf\",\"state\":\"shut off\",\"port\":\"${P}pf\",\"mac\":\"52:54:00:8a:1c:01\",\"socket\":\"$VHOST/${P}pf.sock\",\"vlan\":20,\"trunk\":[],\"native\":null,\"link\":\"down\",\"rx_packets\":0,\"tx_packets\":0,\"drops\":0},{\"domain\":\"${P}pf\",\"state\":\"shut off\",\"port\":\"${P}pf.1\",\"mac\":\"52:54:00:8a:1c:02\",\"socket\":\"$VHOST/${P}pf.1.sock\",\"vlan\":null,\"trunk\":[20,30],\"native\":1,\"link\":null,\"rx_packets\":null,\"tx_packets\":null,\"drops\":null}]" \
		"$("$LANCTL" -s "$SOCK" -j vm list | jq -c --arg p "$P" '[.[] | select(.domain | startswith($p)) | {domain, state, port, mac, socket, vlan, trunk, native, link, rx_packets, tx_packets, drops}]')"
}

setup || exit 1
run_tests

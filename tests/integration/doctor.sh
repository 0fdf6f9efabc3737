#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lanctl doctor, on a setup that is healthy, then broken one thing at a time: its exact lines
# and exit code for each, and "all well" again once the thing is repaired (by the fix the
# doctor printed, where that is one command).
#
# The setup: lanswitchd in a namespace of its own with an upper NIC (an afxdp port on a veth
# whose other end is the "LAN"), a DHCP server (busybox udhcpd behind tap port r), a socket
# directory of the test's own, and two domains of the test's attached with lanctl vm attach
# (one never started, one started in the link test: no disk, no kernel, no option ROM, so
# its guest never drives its NIC and the port stays down). A fresh switch has seen no DHCP
# server: that is the first thing broken, and `lanctl wait r dhcp-server` repairs it.
#
# The host's hugepages are never touched: the doctor reads a fake /proc/meminfo and
# /proc/mounts through LANCTL_DOCTOR_MEMINFO and LANCTL_DOCTOR_MOUNTS.
ALL_TESTS="t_no_dhcp_server t_healthy t_hugepages t_hugetlbfs t_sockdir t_sockdir_parent
	t_sockdir_missing t_shared_memory t_port_missing t_link_down t_upper_nic t_bridge
	t_libvirt_unreachable t_switch_down t_usage"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.sh"
. "$(dirname "$0")/libvirt.sh"

P=$VM_PREFIX
NS_SW=${PREFIX}sw NS_LAN=${PREFIX}lan NS_R=${PREFIX}r
IFR=lsdr$$
VHOST=$T/vhost
BR=lsdbr$$
NOSOCK_URI='qemu+unix:///system?socket=/nonexistent'
GROUP=root
getent group lanswitch >/dev/null && GROUP=lanswitch
ALL_WELL="doctor: all well (12 checks)"

doc() { "$LANCTL" -s "$SOCK" "$@" doctor --socket-dir "$VHOST"; } # doc [lanctl options]

# expect WHAT RC OUTPUT [lanctl options]: the doctor's exit code and its whole output, exactly
expect() {
	local what=$1 want_rc=$2 want=$3 out rc
	shift 3
	out=$(doc "$@" 2>"$T/doctor.err")
	rc=$?
	check "$what: exit code" "$want_rc" "$rc"
	check "$what: output" "$want" "$out"
	check "$what: nothing on stderr" "" "$(cat "$T/doctor.err")"
}
healthy() { expect "$1: repaired" 0 "$ALL_WELL"; }
fix_of() { doc -j | jq -r --arg c "$1" '.[] | select(.check == $c) | .fix'; } # fix_of CHECK

setup() {
	libvirt_start || exit 1
	netns_add "$NS_SW" && netns_add "$NS_LAN" && netns_add "$NS_R" || exit 1
	veth_add "$NS_SW" up0 "$NS_LAN" lan0 || exit 1
	DAEMON_NETNS=$NS_SW
	daemon_start || exit 1
	lanctl port add lan afxdp up0 >/dev/null || exit 1
	lanctl port add r tap "$IFR" --netns "$NS_R" --address 10.78.0.1/24 || exit 1
	cat >"$T/udhcpd.conf" <<EOF
start 10.78.0.100
end 10.78.0.120
interface $IFR
lease_file $T/leases
pidfile $T/udhcpd.pid
option subnet 255.255.255.0
EOF
	touch "$T/leases"
	netns_bg "$NS_R" busybox udhcpd -f "$T/udhcpd.conf" >"$T/udhcpd.log" 2>&1
	# QEMU (libvirt-qemu) reaches the socket directory through $T (mktemp made it 0700)
	chmod 0711 "$T"
	install -d -o libvirt-qemu -g "$GROUP" -m 0770 "$VHOST" || exit 1
	vm_define "${P}a" "" || exit 1
	# no kernel, no disk: SeaBIOS finds nothing to boot and waits, its vCPU halted
	cat >"$T/${P}run.xml" <<EOF
<domain type='qemu'>
  <name>${P}run</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <devices>
  </devices>
</domain>
EOF
	virsh_ define "$T/${P}run.xml" >/dev/null || exit 1
	lanctl vm attach "${P}a" --mac 52:54:00:d0:c7:0a --socket-dir "$VHOST" >/dev/null &&
		lanctl vm attach "${P}run" --socket-dir "$VHOST" >/dev/null || exit 1
	# without its option ROM (iPXE) nothing in the guest starts the NIC
	vm_xml "${P}run" | sed "/<model type='virtio'\/>/a <rom enabled='no'/>" >"$T/${P}run.xml" &&
		virsh_ define "$T/${P}run.xml" >/dev/null || exit 1
	wait_for "port lan up" 10 '[ "$(port_field lan .link)" == up ]' || exit 1
}

t_no_dhcp_server() {
	expect "a switch that saw no DHCP server" 1 "doctor: dhcp: no DHCP server seen on the LAN since lanswitchd started (lanctl hosts marks none): make the switch ask on the router's port: lanctl wait PORT dhcp-server (PORT: the router domain's port, or the upper NIC's when the router is elsewhere); no answer: the router's DHCP service, or that port's VLAN"
	lanctl wait r dhcp-server --timeout 20 >/dev/null
	check "the server is marked" true \
		"$(lanctlj hosts | jq -r '.[] | select(.port == "r") | .dhcp_server')"
}

t_healthy() {
	expect "healthy" 0 "$ALL_WELL"
	expect "healthy, -j" 0 "[]" -j
}

t_hugepages() {
	printf 'MemTotal:       24000000 kB\nHugePages_Total:       0\nHugePages_Free:        0\nHugepagesize:       2048 kB\n' >"$T/meminfo"
	LANCTL_DOCTOR_MEMINFO=$T/meminfo expect "no hugepages" 1 \
		"doctor: hugepages: none reserved (HugePages_Total 0), and lanswitchd needs them: echo 512 > /proc/sys/vm/nr_hugepages, and vm.nr_hugepages = 512 in /etc/sysctl.d/80-lanswitch.conf for every boot"
	# a switch that runs holds its pages: none free is no finding then
	printf 'HugePages_Total:      44\nHugePages_Free:        0\nHugepagesize:       2048 kB\n' >"$T/meminfo"
	LANCTL_DOCTOR_MEMINFO=$T/meminfo expect "none free, the switch running" 0 "$ALL_WELL"
	healthy "hugepages"
}

t_hugetlbfs() {
	grep -v hugetlbfs /proc/mounts >"$T/mounts"
	LANCTL_DOCTOR_MOUNTS=$T/mounts expect "no hugetlbfs" 1 \
		"doctor: hugetlbfs: none mounted (/dev/hugepages is not): lanswitchd with --huge-unlink and guests with <hugepages/> memory need it: mount -t hugetlbfs nodev /dev/hugepages, and for every boot in /etc/fstab: hugetlbfs /dev/hugepages hugetlbfs defaults 0 0"
	healthy "hugetlbfs"
}

t_sockdir() {
	chown root:root "$VHOST" && chmod 0700 "$VHOST"
	expect "socket directory root's, 0700" 1 \
		"doctor: socket-dir: $VHOST is root:root 0700: QEMU (user libvirt-qemu) cannot create its sockets in it: chown libvirt-qemu:$GROUP $VHOST && chmod 0770 $VHOST"
	eval "$(fix_of socket-dir)"
	healthy "socket directory, by its fix"
}

t_sockdir_parent() {
	chmod 0700 "$T"
	expect "a directory above it closed" 1 \
		"doctor: socket-dir: $VHOST: QEMU (user libvirt-qemu) cannot reach it: $T is root:root 0700: chmod o+x $T"
	eval "$(fix_of socket-dir)"
	healthy "the directory above, by its fix"
}

t_sockdir_missing() {
	mv "$VHOST" "$T/vhost.away"
	expect "no socket directory" 1 \
		"doctor: socket-dir: $VHOST does not exist: QEMU cannot create the sockets of the domains on the switch: install -d -o libvirt-qemu -g $GROUP -m 0770 $VHOST (lanctl vm attach makes it too)"
	mv "$T/vhost.away" "$VHOST"
	healthy "socket directory back"
}

t_shared_memory() {
	vm_xml "${P}a" >"$T/a.xml"
	python3 -c 'import re, sys; sys.stdout.write(re.sub(r"\s*<memoryBacking>.*?</memoryBacking>", "", sys.stdin.read(), flags=re.S))' \
		<"$T/a.xml" >"$T/a-unshared.xml"
	virsh_ define "$T/a-unshared.xml" >/dev/null
	check "its memoryBacking is gone" none "$(vm_memory "${P}a")"
	expect "a domain without shared memory" 1 \
		"doctor: shared-memory: domain \"${P}a\" is on the switch, but its memory is not shared with it (no memfd, file or hugepage backing; no <access mode='shared'/> in <memoryBacking>): the guest gets no network: virsh edit ${P}a: <memoryBacking><source type=\"memfd\"/><access mode=\"shared\"/></memoryBacking> (what lanctl vm attach adds), then shut it down and start it: a reboot inside the guest is not enough"
	virsh_ define "$T/a.xml" >/dev/null
	healthy "shared memory"
}

t_port_missing() {
	lanctl port del "${P}a"
	expect "a domain's port deleted" 1 \
		"doctor: vm-port: domain \"${P}a\": its port ${P}a (socket $VHOST/${P}a.sock) is not on the switch: its interface is connected to nothing: lanctl port add ${P}a vhost $VHOST/${P}a.sock; lanctl port set ${P}a allowed-mac 52:54:00:d0:c7:0a; lanctl port set ${P}a dhcp-server deny; lanctl port set ${P}a ra-guard deny"
	eval "$(fix_of vm-port)" >/dev/null
	healthy "the port, by its fix"
}

t_link_down() {
	local pidfile=/run/libvirt/qemu/${P}run.pid
	# mode='server': QEMU waits for the switch, which connects once the socket is there
	if ! timeout 60 virsh -q -c "$LIBVIRT_URI" start "${P}run" >"$T/start.log" 2>&1; then
		check "domain ${P}run started" ok "$(cat "$T/start.log")"
		return
	fi
	check "it runs" running "$(virsh_ domstate "${P}run")"
	check "its port's link is down" down "$(port_field "${P}run" .link)"
	expect "a domain that just started: booting, not flagged" 0 "$ALL_WELL"
	touch -d '5 minutes ago' "$pidfile"
	expect "a domain that runs for minutes, its port down" 1 \
		"doctor: vm-link: domain \"${P}run\" has run for over 2 minutes, but its port ${P}run's link is down: its guest has not started its virtio-net driver: the interface up inside the guest, a virtio driver in it (Windows: NetKVM, from virtio-win)"
	virsh_ destroy "${P}run" >/dev/null
	healthy "the domain stopped"
}

t_upper_nic() {
	ip -n "$NS_LAN" link set lan0 down
	wait_for "port lan down" 10 '[ "$(port_field lan .link)" == down ]'
	expect "the upper NIC's link down" 1 \
		"doctor: upper-nic: port lan (afxdp on up0): link down, the LAN beyond it is cut off: ip link set up0 up; if it is up, its cable or the switch at its other end (ip link show up0 says NO-CARRIER)"
	ip -n "$NS_LAN" link set lan0 up
	wait_for "port lan up" 10 '[ "$(port_field lan .link)" == up ]'
	healthy "upper NIC"
}

t_bridge() {
	vm_define "${P}br" "    <interface type='bridge'>
      <mac address='52:54:00:dc:00:01'/>
      <source bridge='$BR'/>
      <model type='virtio'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:dc:00:02'/>
      <source bridge='$BR'/>
      <model type='virtio'/>
    </interface>" || return
	expect "a domain on a kernel bridge" 1 \
		"doctor: bridge: domain \"${P}br\" is still on a kernel bridge: 2 interfaces on $BR: lanctl vm convert ${P}br --bridge $BR (every domain on it at once: lanctl vm convert --all --bridge $BR)"
	expect "a domain on a kernel bridge, -j" 1 \
		"[{\"check\":\"bridge\",\"message\":\"domain \\\"${P}br\\\" is still on a kernel bridge: 2 interfaces on $BR\",\"fix\":\"lanctl vm convert ${P}br --bridge $BR (every domain on it at once: lanctl vm convert --all --bridge $BR)\"}]" -j
	virsh_ undefine "${P}br" >/dev/null
	healthy "bridge domain"
}

t_libvirt_unreachable() {
	expect "libvirtd not reachable" 1 \
		"doctor: libvirt: $NOSOCK_URI does not answer: Failed to connect socket to '/nonexistent': No such file or directory (not checked: shared-memory, vm-port, vm-link, bridge): start libvirtd: systemctl start libvirtd (without systemd: mkdir -p /var/run/libvirt /var/log/libvirt; virtlogd -d; libvirtd -d), or name another with lanctl -c URI" \
		-c "$NOSOCK_URI"
}

t_switch_down() {
	local out rc
	# and, with the switch down, too few hugepages free for it to start
	printf 'HugePages_Total:      44\nHugePages_Free:       10\nHugepagesize:       2048 kB\n' >"$T/meminfo"
	out=$(LANCTL_DOCTOR_MEMINFO=$T/meminfo "$LANCTL" -s "$T/nosuch.sock" doctor \
		--socket-dir "$VHOST" 2>"$T/doctor.err")
	rc=$?
	check "switch not answering: exit code" 3 "$rc"
	check "switch not answering: what it says, and the checks that need no switch" \
		"doctor: switch: lanswitchd does not answer on $T/nosuch.sock: No such file or directory (not checked: upper-nic, dhcp, state-file, vm-port, vm-link): start it: systemctl start lanswitchd (its log: journalctl -u lanswitchd)
doctor: hugepages: 10 of 44 free (HugePages_Free, 2048 kB each), and lanswitchd needs 64 free to start: echo 98 > /proc/sys/vm/nr_hugepages (54 more), and the same in /etc/sysctl.d/80-lanswitch.conf; or stop what holds them" \
		"$out"
	check "switch not answering: nothing on stderr" "" "$(cat "$T/doctor.err")"
	healthy "the switch's socket"
}

t_usage() {
	local out
	out=$("$LANCTL" -s "$SOCK" doctor --socket-dir relative 2>&1)
	check "a relative socket directory: usage error" "2 lanctl: doctor: --socket-dir: expected an absolute directory, got \"relative\"
usage: lanctl doctor [--socket-dir DIR]
Try 'lanctl doctor --help'." "$? $out"
}

setup
run_tests

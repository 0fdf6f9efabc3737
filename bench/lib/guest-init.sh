#!/bin/busybox sh
# SPDX-License-Identifier: BSD-3-Clause
#
# bench/lib/guest-init.sh - PID 1 of the restart-outage guests (busybox sh, copied into the
# initramfs by tests/e2e/guest-image.sh --init). It loads the virtio-net driver, configures eth0,
# and then either answers pings (ls.role=idle) or pings ls.peer every ls.interval seconds
# until the host powers it off (ls.role=pinger). Lines on the serial console:
#
#   @@BOOT t=UPTIME
#   @@NET ip=ADDR mac=MAC arp_evict_nocarrier=0|1 t=UPTIME
#   @@P UPTIME LINE          every line of ping's output, LINE as busybox prints it, stamped
#                            with the guest's /proc/uptime when it was read
#   @@RESTART run=N t=UPTIME busybox ping exits on a send error (EHOSTUNREACH once an ARP
#                            request has failed): it is started again at once
#   @@M UPTIME carrier=0|1 arp=FLAGS/MAC|none   (pinger) eth0's carrier and the ARP entry
#                            of the peer, whenever either changes (polled every 0.1 s)
#
# Kernel command line: ls.ip=ADDR/LEN, ls.role=pinger|idle, ls.peer=ADDR,
# ls.interval=SECONDS (default 0.1), ls.arpkeep=1 (net.ipv4.conf.{all,default,eth0}.
# arp_evict_nocarrier=0: keep ARP entries when the link drops, as QEMU makes it do on every
# switch restart).

PATH=/bin
export PATH
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo 1 >/proc/sys/kernel/printk

say() {
	local u rest
	read -r u rest </proc/uptime
	echo "@@$* t=$u"
}

cmdline_arg() {
	local w
	for w in $(cat /proc/cmdline); do
		case "$w" in
		"$1="*) echo "${w#*=}" ;;
		esac
	done
}

say BOOT
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
	failover net_failover virtio_net; do
	[ -e /lib/modules/$m.ko ] || continue
	insmod /lib/modules/$m.ko || say INSMOD_FAIL module=$m
done
IP=$(cmdline_arg ls.ip)
ROLE=$(cmdline_arg ls.role)
PEER=$(cmdline_arg ls.peer)
INTERVAL=$(cmdline_arg ls.interval)
INTERVAL=${INTERVAL:-0.1}
hostname "$(cmdline_arg ls.name)"

i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ "$(cmdline_arg ls.arpkeep)" = 1 ]; then
	for c in all default eth0; do
		echo 0 >/proc/sys/net/ipv4/conf/$c/arp_evict_nocarrier || say ARPKEEP_FAIL conf=$c
	done
fi
ip link set lo up
ip link set eth0 up
ip addr add "$IP" dev eth0
say NET ip=$IP mac=$(cat /sys/class/net/eth0/address) \
	arp_evict_nocarrier=$(cat /proc/sys/net/ipv4/conf/eth0/arp_evict_nocarrier)

monitor() {
	local last="" c a aip afl amac u rest
	while :; do
		read -r c </sys/class/net/eth0/carrier
		a=none
		while read -r aip _ afl amac _; do
			[ "$aip" = "$PEER" ] && a=$afl/$amac
		done </proc/net/arp
		if [ "carrier=$c arp=$a" != "$last" ]; then
			last="carrier=$c arp=$a"
			read -r u rest </proc/uptime
			echo "@@M $u $last"
		fi
		sleep 0.1
	done
}

if [ "$ROLE" = pinger ]; then
	monitor &
	runs=0
	while :; do
		[ $runs -gt 0 ] && { say RESTART run=$runs; sleep "$INTERVAL"; }
		runs=$((runs + 1))
		ping -i "$INTERVAL" "$PEER" 2>&1 | while IFS= read -r l; do
			read -r u rest </proc/uptime
			echo "@@P $u $l"
		done
	done
fi
# idle: answer pings until the host stops QEMU
while :; do
	sleep 3600
done

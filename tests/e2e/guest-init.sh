#!/bin/busybox sh
# SPDX-License-Identifier: BSD-3-Clause
#
# guest-init.sh - PID 1 of the e2e test guests (busybox sh, copied into the initramfs by
# guest-image.sh). It loads the virtio-net driver, configures eth0 and runs the steps that
# the kernel command line names, printing one machine-readable line per result on the serial
# console, each starting with "@@" and ending with the guest's uptime "t=SECONDS":
#
#   @@BOOT t=                                   init started
#   @@NET ip=10.99.0.1/24 mac=52:54:00:00:00:0a eth0 configured
#   @@LINK up|down wait_s=                      carrier seen (or not) after waiting
#   @@PING OK|FAIL peer= sent= received= rtt_min_ms= rtt_avg_ms= rtt_max_ms= first_reply_s=
#   @@IPERF OK|FAIL peer= secs= bytes= bits_per_second= sender_bytes= retransmits=
#   @@IPERF_SERVER OK|FAIL bytes= bits_per_second=
#   @@DHCPD OK|FAIL range=FIRST-LAST            a DHCP server (busybox udhcpd) serves eth0
#   @@DHCP OK|FAIL ip=ADDR/LEN server=ADDR       eth0's address from a DHCP server
#   @@DONE t=                                   all steps done; the guest powers off after
#                                               ls.hold seconds
#
# PING says OK when the peer answered at all: the host decides how many replies are enough.
#
# Kernel command line (read from /proc/cmdline; the dotted names keep them away from init's
# environment):
#   ls.ip=ADDR/LEN|dhcp     eth0's address (required): dhcp leaves it to the dhcp step
#   ls.role=STEP[,STEP...]  steps, in order:
#       ping:PEER[:COUNT]       wait for PEER to answer (up to ls.pingwait s), then COUNT pings
#       iperf:PEER[:SECS]       iperf3 TCP client to PEER for SECS s (default 4)
#       iperf-server            one iperf3 server run (up to ls.serverwait s)
#       dhcpd:FIRST:LAST        serve addresses FIRST to LAST (/24) with busybox udhcpd
#       dhcp                    get eth0's address from a DHCP server (busybox udhcpc)
#       idle                    nothing
#   ls.linkwait=S   how long to wait for carrier (default 60)
#   ls.pingwait=S   how long to wait for the first ping reply (default 30)
#   ls.serverwait=S how long the iperf3 server waits for its client (default 120)
#   ls.hold=S       stay up S seconds after @@DONE, so the host can inspect the switch while
#                   the link is still up (default 0)

PATH=/bin
export PATH
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# keep the kernel's own messages from cutting our lines on the shared console
echo 1 >/proc/sys/kernel/printk

uptime_s() {
	local u rest
	read -r u rest </proc/uptime
	echo "$u"
}

say() {
	echo "@@$* t=$(uptime_s)"
}

cmdline_arg() {
	local w
	for w in $(cat /proc/cmdline); do
		case "$w" in
		"$1="*) echo "${w#*=}" ;;
		esac
	done
}

power_off() {
	sync
	poweroff -f
}

# The order matters: each module needs the symbols of the ones before it.
load_virtio_net() {
	local m
	for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
		failover net_failover virtio_net; do
		[ -e /lib/modules/$m.ko ] || continue # built into this kernel
		insmod /lib/modules/$m.ko || say INSMOD_FAIL module=$m
	done
}

# Seconds (integer) since boot.
now_s() {
	local u
	u=$(uptime_s)
	echo "${u%.*}"
}

configure_eth0() {
	local ip=$1 i=0
	while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -e /sys/class/net/eth0 ]; then
		say NET FAIL reason=no-eth0
		return 1
	fi
	ip link set lo up
	ip link set eth0 up
	[ "$ip" = dhcp ] || ip addr add "$ip" dev eth0
	say NET ip=$ip mac=$(cat /sys/class/net/eth0/address)
}

wait_for_carrier() {
	local wait=$1 t0 c
	t0=$(now_s)
	while :; do
		read -r c </sys/class/net/eth0/carrier 2>/dev/null
		[ "$c" = 1 ] && break
		[ $(($(now_s) - t0)) -ge "$wait" ] && break
		sleep 0.1
	done
	if [ "$c" = 1 ]; then
		say LINK up wait_s=$(($(now_s) - t0))
	else
		say LINK down wait_s=$(($(now_s) - t0))
	fi
}

step_ping() {
	local peer=$1 count=${2:-5} t0 ok=0 sent received rtt
	t0=$(now_s)
	# busybox ping returns at once on a send error (no ARP answer yet): pace by the clock
	while [ $(($(now_s) - t0)) -lt "$PING_WAIT" ]; do
		if ping -c 1 -W 1 "$peer" >/dev/null 2>&1; then
			ok=1
			break
		fi
		sleep 0.2
	done
	if [ $ok = 0 ]; then
		say PING FAIL peer=$peer sent=0 received=0 reason=no-reply-in-${PING_WAIT}s
		return
	fi
	ping -q -c "$count" -i 0.2 -W 2 "$peer" >/tmp/ping.log 2>&1
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' /tmp/ping.log)
	received=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' /tmp/ping.log)
	# "round-trip min/avg/max = 0.844/1.155/1.642 ms"
	rtt=$(sed -n 's/^round-trip .* = \([0-9.]*\)\/\([0-9.]*\)\/\([0-9.]*\) ms/\1 \2 \3/p' \
		/tmp/ping.log)
	set -- $rtt
	[ "${received:-0}" -gt 0 ] && ok=OK || ok=FAIL
	say PING $ok peer=$peer sent=${sent:-0} received=${received:-0} rtt_min_ms=${1:-0} \
		rtt_avg_ms=${2:-0} rtt_max_ms=${3:-0} first_reply_s=$(($(now_s) - t0))
}

# Prints "bytes=.. bits_per_second=.. sender_bytes=.. retransmits=.." from iperf3 -J output:
# the first "bytes" etc. after the "sum_received" and "sum_sent" keys of the "end" object.
iperf_json_summary() {
	awk -F'[:,]' '
		/"sum_sent"/ { s = "sent"; next }
		/"sum_received"/ { s = "received"; next }
		s != "" && /}/ { s = ""; next }
		s != "" {
			k = $1; gsub(/[ \t"]/, "", k); v = $2; gsub(/[ \t]/, "", v)
			if (!((s, k) in val)) val[s, k] = v
		}
		END {
			printf "bytes=%s bits_per_second=%s sender_bytes=%s retransmits=%s",
				val["received", "bytes"] + 0, val["received", "bits_per_second"] + 0,
				val["sent", "bytes"] + 0, val["sent", "retransmits"] + 0
		}' "$1"
}

iperf_json_error() {
	sed -n 's/.*"error":[ \t]*"\([^"]*\)".*/\1/p' "$1" | head -n 1 | tr ' ' '_'
}

step_iperf() {
	local peer=$1 secs=${2:-4} n=0 err
	# the server may still be starting: "connection refused" comes back at once, so retry
	while [ $n -lt 40 ]; do
		n=$((n + 1))
		iperf3 -c "$peer" -t "$secs" -J >/tmp/iperf.json 2>&1 && break
		sleep 0.5
	done
	err=$(iperf_json_error /tmp/iperf.json)
	if [ -n "$err" ] || ! grep -q '"sum_received"' /tmp/iperf.json; then
		say IPERF FAIL peer=$peer secs=$secs tries=$n error=${err:-no-result}
		return
	fi
	say IPERF OK peer=$peer secs=$secs $(iperf_json_summary /tmp/iperf.json)
}

step_iperf_server() {
	local err
	timeout "$SERVER_WAIT" iperf3 -s -1 -J >/tmp/iperf-server.json 2>&1
	err=$(iperf_json_error /tmp/iperf-server.json)
	if [ -n "$err" ] || ! grep -q '"sum_received"' /tmp/iperf-server.json; then
		say IPERF_SERVER FAIL error=${err:-no-client-in-${SERVER_WAIT}s}
		return
	fi
	say IPERF_SERVER OK $(iperf_json_summary /tmp/iperf-server.json)
}

step_dhcpd() {
	cat >/tmp/udhcpd.conf <<EOF
start $1
end $2
interface eth0
lease_file /tmp/udhcpd.leases
option subnet 255.255.255.0
EOF
	touch /tmp/udhcpd.leases
	if udhcpd /tmp/udhcpd.conf; then # it goes to the background itself
		say DHCPD OK range=$1-$2
	else
		say DHCPD FAIL range=$1-$2
	fi
}

step_dhcp() {
	local ip server
	# udhcpc runs this with the lease in its environment
	cat >/tmp/udhcpc.sh <<'EOF'
#!/bin/sh
[ "$1" = bound ] || exit 0
ip addr add "$ip/24" dev "$interface"
echo "$ip $serverid" >/tmp/lease
EOF
	chmod +x /tmp/udhcpc.sh
	udhcpc -i eth0 -n -q -t 20 -T 3 -s /tmp/udhcpc.sh >/tmp/udhcpc.log 2>&1
	if [ -s /tmp/lease ]; then
		read -r ip server </tmp/lease
		say DHCP OK ip=$ip/24 server=$server
	else
		say DHCP FAIL reason=no-lease
	fi
}

run_steps() {
	local step IFS_SAVE=$IFS
	IFS=,
	set -- $1
	IFS=$IFS_SAVE
	for step in "$@"; do
		IFS=:
		set -- $step
		IFS=$IFS_SAVE
		case "$1" in
		ping) step_ping "$2" "${3:-}" ;;
		iperf) step_iperf "$2" "${3:-}" ;;
		iperf-server) step_iperf_server ;;
		dhcpd) step_dhcpd "$2" "$3" ;;
		dhcp) step_dhcp ;;
		idle) ;;
		*) say STEP FAIL step=$step reason=unknown ;;
		esac
	done
}

say BOOT
load_virtio_net
IP=$(cmdline_arg ls.ip)
ROLE=$(cmdline_arg ls.role)
LINK_WAIT=$(cmdline_arg ls.linkwait)
PING_WAIT=$(cmdline_arg ls.pingwait)
SERVER_WAIT=$(cmdline_arg ls.serverwait)
HOLD=$(cmdline_arg ls.hold)
LINK_WAIT=${LINK_WAIT:-60}
PING_WAIT=${PING_WAIT:-30}
SERVER_WAIT=${SERVER_WAIT:-120}
hostname "$(cmdline_arg ls.name)"
if [ -z "$IP" ]; then
	say NET FAIL reason=no-ls.ip
elif configure_eth0 "$IP"; then
	wait_for_carrier "$LINK_WAIT"
	run_steps "${ROLE:-idle}"
fi
say DONE
[ "${HOLD:-0}" -gt 0 ] && sleep "$HOLD"
power_off

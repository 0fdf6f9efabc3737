#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The upper NIC and the host port in network namespaces: lanswitchd runs in its own
# namespace (SW) with an afxdp port on a veth whose other end is the "LAN" (a namespace with
# its own address), a tap port whose interface lives in a "host" namespace, and guests on
# vhost-user ports. Frames come from user space (rawsend.py: the kernel has no pktgen and
# no 802.1Q module) and every count is exact.
#
# A veth hands the XDP program TCP frames whose checksum the sender left to "hardware"
# (CHECKSUM_PARTIAL); an AF_XDP socket sees the bytes only, so the LAN end sends with
# checksum offload off, as a real NIC's wire would deliver them: complete.
ALL_TESTS=${ONLY:-"t_ping_iperf t_flood_counts t_unicast_counts t_jumbo_mtu t_guest_to_lan
	t_tx_oversized t_rx_oversized_counted t_xdp_drops t_link_down_counted
	t_link_flap_under_traffic t_two_queues t_state_restart"}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.sh"
. "$(dirname "$0")/afxdp_lib.sh"

NS_SW=${PREFIX}sw NS_LAN=${PREFIX}lan NS_HOST=${PREFIX}host NS_VM=${PREFIX}vm
LAN_IP=192.168.90.1 HOST_IP=192.168.90.2 VM_IP=192.168.90.3
G1=02:00:00:00:01:01     # the counting guest (lsgen)
STA_A=02:00:00:00:0a:01  # a station behind the LAN
STA_B=02:00:00:00:0a:02  # one that gets blocked
BCAST=ff:ff:ff:ff:ff:ff
SIZES="60 128 512 1514" # 64 to 1518 bytes with the FCS

host_rx() { if_stat "$NS_HOST" host0 rx_packets; }
lan0_rx() { if_stat "$NS_LAN" lan0 rx_packets; }
g1_rx_bytes() { gen g1 stats | jq -r '.ports[0].rx_bytes'; }

setup() {
	netns_add "$NS_SW" && netns_add "$NS_LAN" && netns_add "$NS_HOST" && netns_add "$NS_VM" ||
		exit 1
	veth_add "$NS_SW" up0 "$NS_LAN" lan0 || exit 1
	ip -n "$NS_LAN" addr add "$LAN_IP/24" dev lan0
	ip netns exec "$NS_LAN" ethtool -K lan0 tx off >/dev/null || exit 1
	DAEMON_NETNS=$NS_SW
	daemon_start || exit 1
	lanctl port add lan afxdp up0 || exit 1
	lanctl port add host tap host0 --netns "$NS_HOST" --address "$HOST_IP/24" || exit 1
	guests_attach g1=$G1
	wait_for "port lan up" 10 '[ "$(lanp .link)" == up ]' || exit 1
}

# The guest with an IP stack: testpmd forwards between its vhost-user port (a socket it
# owns, as QEMU does) and a TAP in the guest's namespace, whose kernel answers pings.
vm_start() {
	netns_bg "$NS_VM" dpdk-testpmd -l 0,1 --main-lcore 1 --no-pci --in-memory \
		--single-file-segments -m 256 \
		--file-prefix "${PREFIX}vm" --log-level=warning \
		--vdev "net_virtio_user0,path=$T/vm.sock,server=1" --vdev net_tap0,iface=g0 -- \
		--forward-mode=io --port-topology=paired --auto-start --stats-period 3600 \
		</dev/null >"$T/vm.log" 2>&1
	VM_PID=$!
	wait_for "guest socket" 20 test -S "$T/vm.sock" || return 1
	lanctl port add vm vhost "$T/vm.sock" || return 1
	wait_for "port vm up" 20 '[ "$(port_field vm .link)" == up ]' || return 1
	wait_for "guest tap" 10 ip -n "$NS_VM" link show g0 || return 1
	ip -n "$NS_VM" addr add "$VM_IP/24" dev g0 && ip -n "$NS_VM" link set g0 up
}

vm_stop() {
	lanctl port del vm
	kill -TERM "$VM_PID" 2>/dev/null
	wait_pid "$VM_PID" 10 || kill -KILL "$VM_PID" 2>/dev/null
}

ping_ok() { # ping_ok FROM_NS TO_IP -> replies out of 3
	ip netns exec "$1" ping -c 3 -i 0.2 -W 2 "$2" 2>/dev/null |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

iperf_bytes() { # iperf_bytes CLIENT_NS SERVER_NS SERVER_IP [-R] -> bytes received
	netns_bg "$2" iperf3 -s -1 -p 5299 >/dev/null 2>&1
	wait_for "iperf3 server" 10 "ip netns exec $2 ss -ltn | grep -q :5299"
	ip netns exec "$1" iperf3 -c "$3" -p 5299 -t 2 -J ${4:-} 2>/dev/null |
		jq -r '.end.sum_received.bytes // 0'
}

t_ping_iperf() {
	local b
	if ! vm_start; then
		check "guest with an IP stack started" ok failed
		cat "$T/vm.log" >&2
		return
	fi
	check "ping LAN -> host" 3 "$(ping_ok "$NS_LAN" $HOST_IP)"
	check "ping host -> LAN" 3 "$(ping_ok "$NS_HOST" $LAN_IP)"
	check "ping LAN -> guest" 3 "$(ping_ok "$NS_LAN" $VM_IP)"
	check "ping guest -> LAN" 3 "$(ping_ok "$NS_VM" $LAN_IP)"
	check "ping host -> guest" 3 "$(ping_ok "$NS_HOST" $VM_IP)"
	check "ping guest -> host" 3 "$(ping_ok "$NS_VM" $HOST_IP)"
	vm_stop
	b=$(iperf_bytes "$NS_HOST" "$NS_LAN" $LAN_IP)
	check "iperf3 host -> LAN moved 10 MB or more" yes "$([ "${b:-0}" -ge 10000000 ] && echo yes || echo "$b")"
	b=$(iperf_bytes "$NS_HOST" "$NS_LAN" $LAN_IP -R)
	check "iperf3 LAN -> host moved 10 MB or more" yes "$([ "${b:-0}" -ge 10000000 ] && echo yes || echo "$b")"
}

# Broadcast from the LAN reaches the guest and the host port, every frame, every size.
t_flood_counts() {
	local host0 lan0 red0 s n=0 bytes=0
	gen_reset_all
	host0=$(host_rx) lan0=$(lanp .rx_packets) red0=$(lanp .xdp.redirected)
	for s in $SIZES; do
		lan_send 100 --src $STA_A --dst $BCAST --size "$s"
		n=$((n + 100)) bytes=$((bytes + 100 * s))
	done
	settle "guest received every broadcast frame" $n 'gen_rx g1'
	check "guest received every byte" $bytes "$(g1_rx_bytes)"
	settle "host port received every broadcast frame" $((host0 + n)) host_rx
	check "lan port counted them in" $((lan0 + n)) "$(lanp .rx_packets)"
	check "XDP redirected them" $((red0 + n)) "$(lanp .xdp.redirected)"
}

# Once the guest's MAC is learned, frames to it go to it alone.
t_unicast_counts() {
	local host0 s n=0
	gen g1 send 0 1 dst $STA_A >/dev/null # the switch learns G1 behind port g1
	wait_for "G1 learned" 10 "lanctl fdb show | grep -q $G1"
	gen_reset_all
	host0=$(host_rx)
	for s in $SIZES; do
		lan_send 50 --src $STA_A --dst $G1 --size "$s"
		n=$((n + 50))
	done
	settle "guest received every unicast frame" $n 'gen_rx g1'
	check "host port received none of them" "$host0" "$(host_rx)"
}

# The port's MTU follows the interface's: jumbo frames come in, longer ones are oversized.
# They go no further than a port whose MTU takes them: the guest's is 1500.
t_jumbo_mtu() {
	local over0
	# lan0 a little larger, so that it can send what up0's port must refuse
	ip -n "$NS_SW" link set up0 mtu 2000 && ip -n "$NS_LAN" link set lan0 mtu 2004
	wait_for "port MTU 2000" 10 '[ "$(lanp .mtu)" == 2000 ]'
	check "port MTU follows the interface" 2000 "$(lanp .mtu)"
	gen_reset_all
	over0=$(lanp .drops.oversized)
	# a guest takes what its buffers hold: the switch does not hold it to an MTU it is not told
	lan_send 20 --src $STA_A --dst $G1 --size 2014
	settle "guest received every 2014-byte frame" 20 'gen_rx g1'
	check "guest received every byte of them" $((20 * 2014)) "$(g1_rx_bytes)"
	check "none counted tx_oversized at the guest's port" 0 "$(drops g1 tx_oversized)"
	# a veth takes up to its MTU + 14 + a tag's 4; the switch, untagged, MTU + 14
	lan_send 20 --src $STA_A --dst $G1 --size 2018
	settle "frames over the MTU counted oversized" $((over0 + 20)) 'lanp .drops.oversized'
	ip -n "$NS_SW" link set up0 mtu 1500 && ip -n "$NS_LAN" link set lan0 mtu 1500
	wait_for "port MTU 1500" 10 '[ "$(lanp .mtu)" == 1500 ]'
	check "port MTU back to 1500" 1500 "$(lanp .mtu)"
}

t_guest_to_lan() {
	local rx0 tx0
	rx0=$(lan0_rx) tx0=$(lanp .tx_packets)
	gen g1 send 0 300 dst $STA_A size 512 >/dev/null
	settle "LAN received every frame from the guest" $((rx0 + 300)) lan0_rx
	check "lan port counted them out" $((tx0 + 300)) "$(lanp .tx_packets)"
}

# in_drops PORT: the port's drops charged to its ingress (drop.h's "in" reasons), which with
# the frames it forwarded make its rx_packets
in_drops() {
	port_field "$1" '.drops | .runt + .oversized + .rx_no_mbuf + .vlan_not_allowed +
		.bad_src_mac + .hairpin + .port_down + .no_egress'
}

# The LAN's interface with a smaller MTU than the guest's port: what the guest sends longer
# than it never leaves, counted tx_oversized at the afxdp port; the rest arrives, in order.
t_tx_oversized() {
	local rx0 tx0 over0 g_rx0 g_in0 host0
	lan_send 1 --src $STA_A --dst $BCAST # STA_A behind the lan port
	wait_for "STA_A learned" 10 "lanctl fdb show | grep -q $STA_A"
	ip -n "$NS_SW" link set up0 mtu 1000
	wait_for "port MTU 1000" 10 '[ "$(lanp .mtu)" == 1000 ]'
	rx0=$(lan0_rx) tx0=$(lanp .tx_packets) over0=$(drops lan tx_oversized)
	g_rx0=$(port_field g1 .rx_packets) g_in0=$(in_drops g1) host0=$(host_rx)
	# 1014 bytes: the MTU's 1000 and a header; 1015: one too many
	gen g1 send 0 40 dst $STA_A size 1200 >/dev/null
	gen g1 send 0 30 dst $STA_A size 1014 >/dev/null
	gen g1 send 0 20 dst $STA_A size 1015 >/dev/null
	settle "unicast frames over the lan port's MTU counted tx_oversized" $((over0 + 60)) \
		'drops lan tx_oversized'
	settle "the LAN received exactly the frames that fit" $((rx0 + 30)) lan0_rx
	check "lan port counted those out" $((tx0 + 30)) "$(lanp .tx_packets)"
	# flooded: the host port (MTU 1500) takes them, the lan port counts them
	gen g1 send 0 25 dst $BCAST size 1200 >/dev/null
	settle "host port received the long broadcasts" $((host0 + 25)) host_rx
	settle "the lan port counted them tx_oversized" $((over0 + 85)) 'drops lan tx_oversized'
	check "the LAN received none of them" $((rx0 + 30)) "$(lan0_rx)"
	check "the guest's port took all 115 in" $((g_rx0 + 115)) "$(port_field g1 .rx_packets)"
	check "and dropped none at its ingress" "$g_in0" "$(in_drops g1)"
	ip -n "$NS_SW" link set up0 mtu 1500
	wait_for "port MTU 1500" 10 '[ "$(lanp .mtu)" == 1500 ]'
}

# rx_packets = forwarded + ingress drops, on the afxdp port too: frames longer than the
# switch's 2 KiB buffers (dropped as the socket hands them over) and frames over the port's
# MTU that do fit a buffer (dropped by the size check) are both counted in and oversized.
t_rx_oversized_counted() {
	local rx0 over0 in0
	gen_reset_all
	# the port's MTU stops at 2030 (AFXDP_MTU_MAX), a buffer holds 2048 bytes
	ip -n "$NS_SW" link set up0 mtu 3000 && ip -n "$NS_LAN" link set lan0 mtu 3000
	wait_for "port MTU 2030" 10 '[ "$(lanp .mtu)" == 2030 ]'
	rx0=$(lanp .rx_packets) over0=$(lanp .drops.oversized) in0=$(in_drops lan)
	lan_send 10 --src $STA_A --dst $BCAST --size 2500 # longer than a buffer
	lan_send 10 --src $STA_A --dst $BCAST --size 2046 # fits a buffer, over the MTU
	lan_send 10 --src $STA_A --dst $BCAST --size 1514 # forwarded
	settle "the guest received the 10 frames forwarded" 10 'gen_rx g1'
	settle "the lan port counted all 30 in" $((rx0 + 30)) 'lanp .rx_packets'
	check "20 of them oversized" $((over0 + 20)) "$(lanp .drops.oversized)"
	check "rx_packets = forwarded + ingress drops" $(($(lanp .rx_packets) - rx0)) \
		$((10 + $(in_drops lan) - in0))
	ip -n "$NS_SW" link set up0 mtu 1500 && ip -n "$NS_LAN" link set lan0 mtu 1500
	wait_for "port MTU 1500" 10 '[ "$(lanp .mtu)" == 1500 ]'
}

# The program drops in the kernel, and counts exactly, what the switch would drop anyway.
t_xdp_drops() {
	local b0 v0 r0 rx0 ne0
	gen_reset_all
	b0=$(lanp .drops.xdp_blocked_mac) v0=$(lanp .drops.xdp_vlan_not_allowed)
	r0=$(lanp .drops.xdp_runt) rx0=$(lanp .rx_packets)
	lanctl port set lan block $STA_B
	check "block list shown" "[\"$STA_B\"]" "$(lanp '.blocked | tostring')"
	lan_send 150 --src $STA_B --dst $BCAST
	settle "blocked MAC dropped by XDP" $((b0 + 150)) 'lanp .drops.xdp_blocked_mac'
	lan_send 70 --src $STA_A --dst $BCAST --vlan 20
	settle "VLAN 20 (not carried) dropped by XDP" $((v0 + 70)) 'lanp .drops.xdp_vlan_not_allowed'
	lan_send 30 --src $STA_A --dst $BCAST --vlan 20 --runt 16
	settle "frames cut inside the tag dropped as runts" $((r0 + 30)) 'lanp .drops.xdp_runt'
	check "none of them reached the switch" "$rx0" "$(lanp .rx_packets)"
	check "none of them reached the guest" 0 "$(gen_rx g1)"

	lanctl port set lan unblock $STA_B
	lan_send 10 --src $STA_B --dst $BCAST
	settle "unblocked MAC passes again" 10 'gen_rx g1'
	# carried now: VLAN 20 passes XDP, and the switch floods it where no port carries it
	lanctl port set lan trunk 20 --native 1
	ne0=$(lanp .drops.no_egress)
	lan_send 40 --src $STA_A --dst $BCAST --vlan 20
	settle "VLAN 20 now reaches the switch" $((ne0 + 40)) 'lanp .drops.no_egress'
	check "XDP no longer drops VLAN 20" $((v0 + 70)) "$(lanp .drops.xdp_vlan_not_allowed)"
	lanctl port set lan vlan 1
}

# Cable out: the port goes down, counts it, and frames for it are counted, not lost.
t_link_down_counted() {
	local downs0 pd0 rx0
	lan_send 1 --src $STA_A --dst $BCAST # learned again (the VLAN changes above forgot it)
	wait_for "STA_A learned" 10 "lanctl fdb show | grep -q $STA_A"
	downs0=$(lanp .link_downs) pd0=$(port_field g1 .drops.port_down)
	ip -n "$NS_LAN" link set lan0 down
	wait_for "port lan down" 10 '[ "$(lanp .link)" == down ]'
	check "link down counted" $((downs0 + 1)) "$(lanp .link_downs)"
	check_match "status says so" "link down" "$(lanp .status)"
	gen g1 send 0 200 dst $STA_A >/dev/null
	settle "frames for the down port counted port_down" $((pd0 + 200)) \
		'port_field g1 .drops.port_down'
	ip -n "$NS_LAN" link set lan0 up
	wait_for "port lan up" 10 '[ "$(lanp .link)" == up ]'
	rx0=$(lan0_rx)
	gen g1 send 0 200 dst $STA_A >/dev/null
	settle "forwarding resumed after the link came back" $((rx0 + 200)) lan0_rx
}

# The LAN's link flaps while it sends: nothing crashes, what reached the socket reached the
# switch, and the port works afterwards.
t_link_flap_under_traffic() {
	local downs0 red0 rx0 xd0 sender
	downs0=$(lanp .link_downs) red0=$(lanp .xdp.redirected) rx0=$(lanp .rx_packets)
	xd0=$(($(lanp .drops.xsk_rx_dropped) + $(lanp .drops.xsk_rx_ring_full)))
	ip netns exec "$NS_LAN" python3 "$RAWSEND" lan0 9000 --src $STA_A --dst $G1 --pps 3000 \
		>/dev/null 2>&1 &
	sender=$!
	sleep 0.4
	ip -n "$NS_SW" link set up0 down
	sleep 0.3
	ip -n "$NS_SW" link set up0 up
	# A veth's carrier changes reach netlink through the kernel's linkwatch, which reports
	# at most one change a second per device: a shorter flap is invisible to any listener
	# (the kernel's own bridge included). Space them as a real cable pull would be.
	wait_for "port lan up" 10 '[ "$(lanp .link)" == up ]'
	sleep 1.1
	ip -n "$NS_LAN" link set lan0 down
	wait_for "port lan down" 10 '[ "$(lanp .link)" == down ]'
	ip -n "$NS_LAN" link set lan0 up
	wait "$sender"
	wait_for "port lan up" 10 '[ "$(lanp .link)" == up ]'
	check "lanswitchd survived" yes "$(kill -0 "$DAEMON_PID" 2>/dev/null && echo yes)"
	check "both flaps counted" $((downs0 + 2)) "$(lanp .link_downs)"
	sleep 0.3
	check "every frame the program redirected reached the switch or a counted drop" \
		$(($(lanp .xdp.redirected) - red0)) \
		$(($(lanp .rx_packets) - rx0 + $(lanp .drops.xsk_rx_dropped) + \
			$(lanp .drops.xsk_rx_ring_full) - xd0))
	gen_reset_all
	lan_send 25 --src $STA_A --dst $G1
	settle "forwarding works after the flaps" 25 'gen_rx g1'
}

# A NIC with two RX queues: a socket on each, both polled; every frame arrives once.
t_two_queues() {
	local i n=0 q0 q1
	ip link add up2 netns "$NS_SW" numtxqueues 2 numrxqueues 2 type veth peer name lan2 \
		netns "$NS_LAN" numtxqueues 2 numrxqueues 2 || return
	ip netns exec "$NS_SW" ethtool -L up2 rx 2 tx 2 && ip netns exec "$NS_LAN" ethtool -L lan2 rx 2 tx 2
	ip -n "$NS_SW" link set up2 up && ip -n "$NS_LAN" link set lan2 up
	lanctl port add lan2 afxdp up2 --queues 2 || return
	wait_for "port lan2 up" 10 '[ "$(port_field lan2 .link)" == up ]'
	check "two queues" 2 "$(port_field lan2 .queues)"
	gen_reset_all
	# several senders on both CPUs: the veth spreads them over its queues by flow
	for i in 1 2 3 4 5 6; do
		taskset -c $((i % 2)) ip netns exec "$NS_LAN" python3 "$RAWSEND" lan2 50 \
			--src 02:00:00:00:0b:0$i --dst $BCAST >/dev/null
		n=$((n + 50))
	done
	settle "every frame from both queues reached the guest" $n 'gen_rx g1'
	check "the switch counted each once" $n "$(port_field lan2 .rx_packets)"
	q0=$(ip netns exec "$NS_SW" ethtool -S up2 | awk '/rx_queue_0_xdp_redirect:/ {print $2}')
	q1=$(ip netns exec "$NS_SW" ethtool -S up2 | awk '/rx_queue_1_xdp_redirect:/ {print $2}')
	check "the queues' redirects add up" $n $((q0 + q1))
	lanctl port del lan2
	ip -n "$NS_SW" link del up2
}

# The port, its options and its block list survive a restart through the state file; a
# stopped switch leaves the interface as it found it.
t_state_restart() {
	local b0
	lanctl port set lan block $STA_B
	check_match "state has the port" "port add lan afxdp up0" "$(lanctl config show)"
	check_match "state has the block" "port set lan block $STA_B" "$(lanctl config show)"
	gen_stop g1
	daemon_stop
	check "no XDP program left on up0" "" "$(ip -n "$NS_SW" -d link show up0 | grep -o 'prog/xdp id [0-9]*')"
	check "promiscuity restored" "promiscuity 0" "$(ip -n "$NS_SW" -d link show up0 | grep -o 'promiscuity [0-9]*')"
	daemon_start || return
	wait_for "port lan back" 10 '[ "$(lanp .link)" == up ]'
	check "block list restored" "[\"$STA_B\"]" "$(lanp '.blocked | tostring')"
	check "promiscuous again" "promiscuity 1" "$(ip -n "$NS_SW" -d link show up0 | grep -o 'promiscuity [0-9]*')"
	b0=$(lanp .drops.xdp_blocked_mac)
	lan_send 12 --src $STA_B --dst $BCAST
	settle "restored block list drops" $((b0 + 12)) 'lanp .drops.xdp_blocked_mac'
}

setup
run_tests

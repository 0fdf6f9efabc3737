#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Adaptive polling (issue 17) on the kernel's ports: a sleeping worker is woken by the afxdp
# port's XSK socket (a veth whose other end is the "LAN" namespace) and by the tap port's rx
# interrupt (its interface in a "host" namespace), as afxdp.sh builds them; each says how it
# wakes its worker in port list. Frames come from user space (AF_PACKET), every count exact.
ALL_TESTS=${ONLY:-"t_wake_kinds t_afxdp_wakes t_tap_wakes t_guest_wakes t_tap_added_asleep
	t_ping_host_lan"}
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netns.sh"
source "$(dirname "$0")/idle_lib.sh"

NS_SW=${PREFIX}sw NS_LAN=${PREFIX}lan NS_HOST=${PREFIX}host
LAN_IP=192.168.91.1 HOST_IP=192.168.91.2
G1=02:00:00:00:01:01    # the counting guest (lsgen)
STA_A=02:00:00:00:0a:01 # a station behind the LAN
STA_H=02:00:00:00:0b:01 # a source on the host's interface (only frames, no stack behind it)
STA_H2=02:00:00:00:0b:02 # one on a second tap port's

setup() {
	netns_add "$NS_SW" && netns_add "$NS_LAN" && netns_add "$NS_HOST" || exit 1
	veth_add "$NS_SW" up0 "$NS_LAN" lan0 || exit 1
	ip -n "$NS_LAN" addr add "$LAN_IP/24" dev lan0
	DAEMON_NETNS=$NS_SW
	daemon_start || exit 1
	lanctl port add lan afxdp up0 || exit 1
	lanctl port add host tap host0 --netns "$NS_HOST" --address "$HOST_IP/24" || exit 1
	guests_attach g1=$G1
	wait_for "port lan up" 10 '[ "$(port_field lan .link)" == up ]' || exit 1
	wait_for "port host up" 10 '[ "$(port_field host .link)" == up ]' || exit 1
}

t_wake_kinds() {
	check "each port's wake source: lan host g1" "socket interrupt kick" \
		"$(port_field lan .wake) $(port_field host .wake) $(port_field g1 .wake)"
	check "one worker, adaptive" "1 adaptive" \
		"$(lanctlj stats | jq -r '.workers | length') $(wstat mode)"
}

# idle_then FROM DESCRIPTION: a frame from G1 wakes the worker, a second of idle follows;
# then the worker must have slept since that frame and sleep now. Sets w1, its wakeups.
idle_then() {
	local s0
	s0=$(wstat sleeps)
	gen g1 send 0 1 dst $STA_A >/dev/null
	sleep 1
	check_that "$1: the worker slept in the idle second: sleeps" "$(wstat sleeps)" -gt "$s0"
	check "$1: the worker sleeps" true "$(wstat asleep)"
	w1=$(wstat wakeups)
	gen_reset_all
}

# send_one NS IF SRC DST: one frame out of IF in NS (AF_PACKET, as rawsend.py sends);
# prints the wall clock in us just before it left, taken in the sender after its start-up
send_one() {
	ip netns exec "$1" python3 - "$2" "$3" "$4" <<'PY'
import socket, struct, sys, time
ifname, src, dst = sys.argv[1:4]
mac = lambda t: bytes(int(x, 16) for x in t.split(":"))
frame = mac(dst) + mac(src) + struct.pack("!H", 0x88B5)
frame += bytes(60 - len(frame))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
t = time.time_ns() // 1000
if s.send(frame) != len(frame):
    sys.exit(1)
print(t)
PY
}

# wake_by FROM_NS IF SRC PORT: one frame into the switch through PORT, sent from IF in
# FROM_NS to G1 after idle: G1 gets it, exactly it, within ARRIVE_MS of leaving the sender.
wake_by() {
	local rx0 t0 us rx w1
	idle_then "$4"
	rx0=$(port_field "$4" .rx_packets)
	t0=$(send_one "$1" "$2" "$3" $G1)
	rx=$(gen g1 wait 0 1 2000 | jq -r .rx)
	us=$(($(rx_last_us g1 0) - t0))
	log "  $4 -> g1 after 1 s idle: $us us"
	check "$4: g1 received the frame" 1 "$rx"
	check_that "$4: within, in us" "$us" -lt $((ARRIVE_MS * 1000))
	check_that "$4: it woke the worker: wakeups" "$(wstat wakeups)" -gt "$w1"
	sleep 0.2
	check "$4: counted in once, g1 got nothing else" "$((rx0 + 1)) 1" \
		"$(port_field "$4" .rx_packets) $(gen_rx g1)"
}

t_afxdp_wakes() { wake_by "$NS_LAN" lan0 $STA_A lan; }

# The frame goes out of host0 in the host namespace: the kernel hands it to the tap's fd,
# which the PMD reads, so the worker must wake on the tap's rx interrupt.
t_tap_wakes() { wake_by "$NS_HOST" host0 $STA_H host; }

# And the other way: the guest's kick wakes the worker for frames to the LAN and the host.
t_guest_wakes() {
	local lan0 host0 w1
	idle_then g1
	lan0=$(if_stat "$NS_LAN" lan0 rx_packets) host0=$(if_stat "$NS_HOST" host0 rx_packets)
	check "g1 sent 10 to STA_A" '{"sent":10}' "$(gen g1 send 0 10 dst $STA_A)"
	wait_for "LAN got 10" 5 '[ "$(if_stat "$NS_LAN" lan0 rx_packets)" -ge $((lan0 + 10)) ]'
	check "the LAN received them" $((lan0 + 10)) "$(if_stat "$NS_LAN" lan0 rx_packets)"
	check "the host none" "$host0" "$(if_stat "$NS_HOST" host0 rx_packets)"
	check_that "they woke the worker: wakeups" "$(wstat wakeups)" -gt "$w1"
	wait_asleep 0
	check "g1 sent 10 to STA_H" '{"sent":10}' "$(gen g1 send 0 10 dst $STA_H)"
	wait_for "host got 10" 5 '[ "$(if_stat "$NS_HOST" host0 rx_packets)" -ge $((host0 + 10)) ]'
	check "the host received them" $((host0 + 10)) "$(if_stat "$NS_HOST" host0 rx_packets)"
	check "the LAN no more" $((lan0 + 10)) "$(if_stat "$NS_LAN" lan0 rx_packets)"
}

# A port added while the worker sleeps wakes it from the first frame on: the control thread
# wakes the worker to arm the new port. A tap port has no guest whose connection would wake
# it (a vhost port's does), and nothing else may wake the worker in between.
t_tap_added_asleep() {
	local t0 rx us
	wait_asleep 0
	lanctl port add host2 tap host1 --netns "$NS_HOST" || { FAILS=$((FAILS + 1)); return; }
	wait_for "port host2 up" 10 '[ "$(port_field host2 .link)" == up ]'
	check "host2 added, up, woken by its interrupt" "up interrupt" \
		"$(port_field host2 .link) $(port_field host2 .wake)"
	sleep 0.3
	check "the worker sleeps" true "$(wstat asleep)"
	gen_reset_all
	t0=$(send_one "$NS_HOST" host1 $STA_H2 $G1)
	rx=$(gen g1 wait 0 1 2000 | jq -r .rx)
	us=$(($(rx_last_us g1 0) - t0))
	log "  host2 -> g1, the port added while the worker slept: $us us"
	check "the new port's frame reached g1" 1 "$rx"
	check_that "within, in us" "$us" -lt $((ARRIVE_MS * 1000))
	check "host2 counted it in" 1 "$(port_field host2 .rx_packets)"
	lanctl port del host2
}

# pings N FROM_NS TO_IP: "RECEIVED MAX_RTT_US" of N pings, 50 ms apart (a sleep in each gap)
pings() {
	ip netns exec "$2" ping -c "$1" -i 0.05 -W 1 "$3" 2>/dev/null | awk '
		/ received/ { for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^received/) r = $i }
		/^rtt/ { split($4, v, "/"); m = int(v[3] * 1000) }
		END { print r + 0, (m == "" ? 1e9 : m) }'
}

# Request and reply through the tap and the afxdp port, each ping after 50 ms in which the
# worker slept: every ping answered, none late. Frames go both ways through both ports within
# microseconds of each other, which single frames (above) do not: in poll mode the slowest
# ping here takes 0.3 to 1.6 ms. It failed 2 runs of 3 against 952aa50 (a request from the
# host waited for the next ping, 50 ms; afxdp.sh's pings failed alike): the net_tap PMD reads
# its queue only after its SIGIO handler has run, which may come after the fd's edge woke the
# worker; it found nothing and slept again with no new edge to come. Since a2dd0d1 a TAP's fd
# is waited on level-triggered (an unread frame keeps the worker from sleeping), and it
# passed every run.
t_ping_host_lan() {
	local n=60 r us
	ip netns exec "$NS_HOST" ping -c 1 -W 2 $LAN_IP >/dev/null # ARP both ways first
	read -r r us <<<"$(pings $n "$NS_HOST" $LAN_IP)"
	log "  host -> LAN: $r of $n answered, the slowest in $us us"
	check "host -> LAN: every ping answered" $n "$r"
	check_that "host -> LAN: the slowest, in us" "$us" -lt $((ARRIVE_MS * 1000))
	read -r r us <<<"$(pings $n "$NS_LAN" $HOST_IP)"
	log "  LAN -> host: $r of $n answered, the slowest in $us us"
	check "LAN -> host: every ping answered" $n "$r"
	check_that "LAN -> host: the slowest, in us" "$us" -lt $((ARRIVE_MS * 1000))
}

setup
run_tests

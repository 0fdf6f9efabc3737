#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# demo.sh - install what is missing, build, and show lanswitch in the place of br0: three
# guests on vhost-user ports (DPDK virtio-user processes, lsgen), the LAN behind an afxdp
# port (a veth to a "LAN" network namespace holding the router's address), and the host's
# own address on a tap port. Broadcast and unicast between the guests, a ping from the host
# to the router through the switch, then `lanctl port list`, `fdb show` and `stats`.
# lanswitchd runs in a network namespace of its own: nothing touches the machine's own
# interfaces or routes. Everything it starts is stopped on exit.
#
# usage: scripts/demo.sh        env: LANSWITCH_SKIP_SETUP=1 to skip scripts/setup.sh
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_DIR"
[ "${LANSWITCH_SKIP_SETUP:-0}" = 1 ] || scripts/setup.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build >/dev/null
echo "==> built build/dataplane/lanswitchd, build/control/lanctl, build/bench/lsgen"

set +e # lib.sh's helpers return statuses that the demo reads itself
BUILD=$REPO_DIR/build
source "$REPO_DIR/tests/integration/lib.sh"
source "$REPO_DIR/tests/integration/netns.sh"

say() { printf '\n==> %s\n' "$*"; }

NS_SW=${PREFIX}sw NS_LAN=${PREFIX}lan NS_HOST=${PREFIX}host
netns_add "$NS_SW" && netns_add "$NS_LAN" && netns_add "$NS_HOST" || exit 1
veth_add "$NS_SW" eth_upper "$NS_LAN" lan0 || exit 1
ip -n "$NS_LAN" addr add 192.168.1.1/24 dev lan0 # the router, out on the LAN
DAEMON_NETNS=$NS_SW

say "lanswitchd on core 1 (in netns $NS_SW), control socket $SOCK"
daemon_start || exit 1
for g in pfsense homeassistant desktop; do
	case $g in
	pfsense) mac=52:54:00:00:00:01 ;;
	homeassistant) mac=52:54:00:00:00:02 ;;
	desktop) mac=52:54:00:00:00:03 ;;
	esac
	gen_start $g "$T/$g.sock" $mac || exit 1
	echo "\$ lanctl port add $g vhost $T/$g.sock"
	lanctl port add $g vhost "$T/$g.sock" || exit 1
done
for g in pfsense homeassistant desktop; do
	gen_link_up $g || exit 1
	wait_for "port $g up" 10 '[ "$(port_field '$g' .link)" == up ]' || exit 1
done

# guests are busy-polling processes sharing core 0: pace the senders so each receiver
# gets scheduled in time to drain its 256-entry virtio ring
for g in pfsense homeassistant desktop; do gen $g rate 20000 >/dev/null; done

say "pfsense broadcasts 1000 frames (like a DHCP offer): both others get them"
gen pfsense send 0 1000 >/dev/null
gen homeassistant wait 0 1000 5000 >/dev/null
gen desktop wait 0 1000 5000 >/dev/null
for g in homeassistant desktop; do echo "$g received $(gen_rx $g)"; done

say "homeassistant answers with 200 unicast frames: only pfsense gets them"
gen_reset_all
gen homeassistant send 0 200 dst 52:54:00:00:00:01 >/dev/null
gen pfsense wait 0 200 5000 >/dev/null
sleep 0.2
for g in pfsense desktop; do echo "$g received $(gen_rx $g)"; done

say "the upper NIC and the host's own address, as br0 had them"
echo "\$ lanctl port add lan afxdp eth_upper"
lanctl port add lan afxdp eth_upper || exit 1
echo "\$ lanctl port add host tap lanhost --netns $NS_HOST --address 192.168.1.2/24 --route default via 192.168.1.1"
lanctl port add host tap lanhost --netns "$NS_HOST" --address 192.168.1.2/24 \
	--route default via 192.168.1.1 || exit 1
wait_for "port lan up" 10 '[ "$(port_field lan .link)" == up ]' || exit 1
echo "\$ ping -c 3 192.168.1.1    (from the host, through the tap port, the switch, the afxdp port)"
ip netns exec "$NS_HOST" ping -c 3 -i 0.2 192.168.1.1

say "a frame that is too short, counted as a drop"
gen desktop send 0 1 size 10 >/dev/null
sleep 0.2

say "\$ lanctl port list"
lanctl port list
say "\$ lanctl fdb show"
lanctl fdb show
say "\$ lanctl stats"
lanctl stats
say "\$ lanctl -j port list | jq '.[] | select(.name == \"lan\")'"
lanctlj port list | jq '.[] | select(.name == "lan")'
say "done: stopping the guests and lanswitchd"

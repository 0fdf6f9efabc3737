#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What the afxdp tests share: frames into the LAN end of the port's veth (lan0 in $NS_LAN,
# rawsend.py), the port's fields and drops (settle, for exact counts: lib.sh).
# Source after lib.sh and netns.sh; the test sets NS_LAN and names its afxdp port "lan".
RAWSEND="$(dirname "${BASH_SOURCE[0]}")/rawsend.py"

lan_send() { ip netns exec "$NS_LAN" python3 "$RAWSEND" lan0 "$@" >/dev/null; }
lanp() { port_field lan "$1"; }
drops() { port_field "$1" ".drops.$2 // 0"; } # drops PORT REASON (0: no such reason)


#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# bench/upper, the upper-NIC rows, still counts what it measures: a short run (one repetition
# of a few thousand frames) where every frame trafgen sent is accounted for - delivered by the
# veth pair and by the bridge, dropped by the XDP program in xdpdrop (and none redirected),
# and with lanswitch either received by the guest or counted as a drop at the guest's port,
# every one redirected to the AF_XDP socket. It leaves no namespace behind.
set -u
UPPER=${UPPER:?path to bench/upper}
FRAMES=20000
OUT=$(mktemp -d)
fails=0
trap 'rm -rf "$OUT"' EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

ns_before=$(ip netns list | awk '$1 ~ /^lsu/ {print $1}' | sort)
"$UPPER" --reps 1 --frames "$FRAMES" --out "$OUT" >"$OUT/log" 2>&1 ||
	{ fail "bench/upper: exit $?"; cat "$OUT/log"; }
csv=$OUT/upper.csv

field() { # field CONTENDER COLUMN
	python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["contender"] == sys.argv[2]:
        print(r[sys.argv[3]])' "$csv" "$1" "$2"
}
note() { field "$1" note | tr ' ' '\n' | sed -n "s/^$2=//p"; }

for c in direct bridge xdpdrop lanswitch; do
	[ "$(field $c status)" = ok ] || fail "$c: status '$(field $c status)'"
	[ "$(field $c sent)" = $FRAMES ] || fail "$c: sent '$(field $c sent)'"
done
[ "$(field direct delivered)" = $FRAMES ] || fail "direct: delivered $(field direct delivered)"
[ "$(field bridge delivered)" = $FRAMES ] || fail "bridge: delivered $(field bridge delivered)"
# xdpdrop: "delivered" counts the frames the program dropped (xdp.blocked_mac)
[ "$(field xdpdrop delivered)" = $FRAMES ] || fail "xdpdrop: dropped $(field xdpdrop delivered)"
[ "$(note xdpdrop redirected)" = 0 ] || fail "xdpdrop: redirected $(note xdpdrop redirected)"
# lanswitch: what the guest did not receive, the guest's port counted as a drop
got=$(($(field lanswitch delivered) + $(note lanswitch g1_tx_drops)))
[ "$got" = $FRAMES ] || fail "lanswitch: delivered + counted drops = $got"
[ "$(note lanswitch redirected)" = $FRAMES ] ||
	fail "lanswitch: redirected $(note lanswitch redirected)"
[ -z "$(note lanswitch drops)" ] || fail "lanswitch: afxdp port drops $(note lanswitch drops)"
for c in bridge xdpdrop lanswitch; do
	grep -q "^| $c | " "$OUT/upper.md" || fail "upper.md: no row $c"
done
grep -q "^xdpdrop / bridge: " "$OUT/upper.md" || fail "upper.md: no xdpdrop / bridge line"
ns_after=$(ip netns list | awk '$1 ~ /^lsu/ {print $1}' | sort)
[ "$ns_before" = "$ns_after" ] || fail "namespaces left behind: $(comm -13 <(echo "$ns_before") <(echo "$ns_after"))"

[ "$fails" = 0 ] && echo "upper: ok" || { cat "$csv" "$OUT/upper.md"; exit 1; }

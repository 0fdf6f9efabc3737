#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# fwdperf, the one-core measure of the worker's own cost, still measures what it says: every
# round forwards exactly two full bursts a poll (no frame lost, flooded or dropped, or it
# exits 1), over as many learned addresses as asked, over net_ring and over vhost-user ports
# (--vhost: virtio-user guests in the same process); bad arguments get the usage, exit 2.
# No hugepages: the EAL runs on plain memory and leaves no files, sockets included.
set -u
FWDPERF=${FWDPERF:?path to fwdperf}
PFX=lsfwdperf$$
EAL=(-l 0 --no-huge -m 256 --no-pci --no-shconf --no-telemetry --file-prefix "$PFX"
	--log-level=warning)
OUT=$(mktemp)
fails=0
trap 'rm -f "$OUT"; rmdir "/var/run/dpdk/$PFX" 2>/dev/null' EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

PIDS=() # the fwdperf processes this test ran: their sockets are named after them

check_run() { # MACS POLLS ROUNDS [--vhost]
	local macs=$1 polls=$2 rounds=$3 want got rc
	"$FWDPERF" --macs "$macs" --polls "$polls" --rounds "$rounds" ${4:-} -- "${EAL[@]}" >"$OUT" 2>&1 &
	PIDS+=($!)
	wait $!
	rc=$?
	[ "$rc" = 0 ] || { fail "fwdperf --macs $macs: exit $rc"; cat "$OUT"; return; }
	want=$((64 * polls))
	got=$(grep '"round"' "$OUT" | jq -s --argjson w "$want" '[.[] | select(.frames == $w and .frames_per_poll == 64)] | length')
	[ "$got" = "$rounds" ] || { fail "--macs $macs: $got of $rounds rounds forwarded $want frames"; cat "$OUT"; }
	got=$(grep '"cycles_per_frame_median"' "$OUT" | jq -r '"\(.macs) \(.rounds) \(.cycles_per_frame_median > 0)"')
	[ "$got" = "$macs $rounds true" ] || fail "--macs $macs: summary '$got'"
}

check_run 2 2000 3
check_run 4096 2000 2
check_run 2 2000 2 --vhost
check_run 4096 2000 2 --vhost
for pid in "${PIDS[@]}"; do
	ls /tmp/fwdperf-"$pid"-*.sock >/dev/null 2>&1 &&
		fail "vhost sockets left behind: $(ls /tmp/fwdperf-"$pid"-*.sock)"
done

"$FWDPERF" --macs 3 >"$OUT" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -q "^usage: fwdperf" "$OUT" || fail "--macs 3: exit $rc, $(head -1 "$OUT")"
[ -e "/var/run/dpdk/$PFX" ] && fail "runtime directory /var/run/dpdk/$PFX left behind"

[ "$fails" = 0 ] && echo "fwdperf: ok" || exit 1

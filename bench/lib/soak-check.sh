# SPDX-License-Identifier: BSD-3-Clause
# bench/lib/soak-check.sh - bench/soak's cut and its three checks, and summary.md. Sourced by
# bench/soak after soak.sh.
#
# The cut: the generators stop (the loop guests stop reflecting; the chunks and floods are
# synchronous and done), every port's held frames drain and every guest's rx stays the same
# for 200 ms; then the books are closed with what the live guests and ports count.
#
# 1. mbuf pool: in_use after the cut == in_use before the first frame, same ports and guests.
#    in_use leaves the lcore caches out (they count as available), so it is exact once no
#    frame is anywhere (README, "lanctl stats").
# 2. lanswitchd's resident memory (VmRSS, sampled every SOAK_SAMPLE_S): flat means the highest
#    sample of the run's last third is within max(2 MiB, 1%) of the first sample after the
#    warm-up (min(60 s, a sixth of the run)).
# 3. every frame: for each sender X (the guests that send: a, b, c, e, f), over all its
#    processes and its port's lives,
#      fanout x (sent by X - drops at X's port, "in" reasons)
#        = received by X's peers + drops at the peers' ports ("out" reasons)
#          + held for the peers at the cut + held when a peer's port was removed
#          + in the ring of a peer's guest when it was killed (soak_port_e_crash)
#    fanout is 1 in VLANs 1 and 30 (two ports: every frame has one other port to go to) and 2
#    in VLAN 20 (f's broadcasts go to s1 and s2, which never send). Each peer port receives
#    from X alone, so its out-drops and held frames are X's. Frames in flight at the cut are
#    the held ones (the rest is 0 by the cut's definition). The edges are checked too: what
#    each guest sent is what its port received, what its port sent is what it received.

declare -A PEERS=([a]=b [b]=a [c]=e [e]=c [f]="s1 s2")
declare -A FANOUT=([a]=1 [b]=1 [c]=1 [e]=1 [f]=2)
SOAK_SENDERS="a b c e f"
CHECKS=()  # "ok|FAIL name: detail"
CHECK_FAILS=0

soak_check() { # soak_check NAME OK DETAIL
	if [ "$2" = 1 ]; then
		CHECKS+=("ok   $1: $3")
	else
		CHECKS+=("FAIL $1: $3")
		CHECK_FAILS=$((CHECK_FAILS + 1))
	fi
}

soak_cut() {
	local g r
	lg a reflect 0 off >/dev/null
	lg b reflect 0 off >/dev/null
	soak_settle $SOAK_ROLES || warn "the cut: not quiet"
	for g in $(printf '%s\n' "${!GUEST_UP[@]}" | sort); do
		soak_guest_book "$g"
	done
	for r in $SOAK_ROLES; do
		soak_port_book "$r"
	done
}

soak_check_pool() {
	local end
	POOL_END=$(lanctl -j stats | jq -c .mbuf_pool)
	end=$(jq -r .in_use <<<"$POOL_END")
	soak_check "mbuf pool back to its starting count" $([ "$end" = "$POOL_START_IN_USE" ] && echo 1) \
		"in_use $POOL_START_IN_USE at the start, $end after the cut (size $(jq -r .size <<<"$POOL_END"), $(jq -r .cached <<<"$POOL_END") free ones in lcore caches); highest sample under traffic $(awk -F, 'NR > 1 && $4 > m {m = $4} END {print m + 0}' "$OUT/samples.csv")"
}

soak_check_rss() {
	local total=$1 warm first max last lim
	warm=$((total / 6))
	[ "$warm" -le 60 ] || warm=60
	read -r first max last < <(awk -F, -v w="$warm" -v third=$((total * 2 / 3)) '
		NR > 1 && $1 >= w && first == "" {first = $2}
		NR > 1 && $1 >= third && $2 > max {max = $2}
		NR > 1 {last = $2}
		END {print first + 0, max + 0, last + 0}' "$OUT/samples.csv")
	lim=$((first / 100))
	[ "$lim" -ge 2048 ] || lim=2048
	RSS_LINE="VmRSS $first KiB at ${warm} s (after the warm-up), highest of the last third $max KiB, last $last KiB (allowed: +$lim KiB)"
	HUGE_LINE=$(awk -F, -v w="$warm" -v third=$((total * 2 / 3)) '
		NR == 2 {start = $3} NR > 1 && $1 >= w && first == "" {first = $3}
		NR > 1 && $3 > max {max = $3} NR > 1 && $1 >= third && $3 > tmax {tmax = $3}
		NR > 1 {last = $3}
		END {printf "%d KiB at the start, %d after the warm-up, highest %d (of the last third %d), last %d", start, first, max, tmax, last}' "$OUT/samples.csv")
	soak_check "resident memory flat" $([ "$first" -gt 0 ] && [ $((max - first)) -le "$lim" ] && echo 1) "$RSS_LINE"
}

soak_check_frames() {
	local x p lhs rhs recv out held freed lost detail edges=1 r
	echo "sender,fanout,sent,in_drops,peers,received,out_drops,held_at_cut,held_freed_at_removal,in_killed_guest_ring,lhs,rhs" >"$OUT/ledger.csv"
	for x in $SOAK_SENDERS; do
		recv=0 out=0 held=0 freed=0 lost=0
		for p in ${PEERS[$x]}; do
			recv=$((recv + ${G_RX[$p]:-0}))
			out=$((out + ${P_OUT[$p]:-0}))
			held=$((held + ${HELD_NOW[$p]:-0}))
			freed=$((freed + ${P_HELD_FREED[$p]:-0}))
			lost=$((lost + ${RING_LOST[$p]:-0}))
		done
		lhs=$((FANOUT[$x] * (${G_TX[$x]:-0} - ${P_IN[$x]:-0})))
		rhs=$((recv + out + held + freed + lost))
		echo "$x,${FANOUT[$x]},${G_TX[$x]:-0},${P_IN[$x]:-0},${PEERS[$x]// /+},$recv,$out,$held,$freed,$lost,$lhs,$rhs" >>"$OUT/ledger.csv"
		detail="${FANOUT[$x]} x (sent ${G_TX[$x]:-0} - in-drops ${P_IN[$x]:-0}) = $lhs; received by ${PEERS[$x]} $recv + out-drops $out + held at the cut $held + held at removals $freed + in a killed guest's ring $lost = $rhs"
		soak_check "every frame of $x accounted for" $([ "$lhs" = "$rhs" ] && [ "${G_TX[$x]:-0}" -gt 0 ] && echo 1) "$detail"
	done
	for r in $SOAK_ROLES; do
		[ "${G_TX[$r]:-0}" = "${P_RX[$r]:-0}" ] &&
			[ "${P_TX[$r]:-0}" = $((${G_RX[$r]:-0} + ${RING_LOST[$r]:-0})) ] && continue
		edges=0
		soak_check "edges of $r" 0 "guest sent ${G_TX[$r]:-0}, port received ${P_RX[$r]:-0}; port sent ${P_TX[$r]:-0}, guest received ${G_RX[$r]:-0} (+ ${RING_LOST[$r]:-0} in a killed guest's ring)"
	done
	[ "$edges" = 1 ] && soak_check "edges" 1 "every guest's sent == its port's rx_packets, every port's tx_packets == its guest's received (+ what was in a killed guest's ring), 7 ports"
}

soak_sum() { printf '%s\n' "$@" | awk '{s += $1} END {printf "%d\n", s}'; }

soak_summary() {
	local total=$1 r c
	{
		echo "# bench/soak: $(date -u +%Y-%m-%dT%H:%MZ), $((total / 60)) min $((total % 60)) s, commit $SOAK_COMMIT"
		echo
		echo "$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, kernel $(uname -r), host $(hostname -s)."
		echo "lanswitchd's worker on core 1, 7 vhost-user ports; 5 lsgen processes on core 0."
		echo "Checks: $(( ${#CHECKS[@]} - CHECK_FAILS )) passed, $CHECK_FAILS failed."
		echo
		echo '```'
		printf '%s\n' "${CHECKS[@]}"
		echo '```'
		echo
		echo "## What happened"
		echo
		echo "| event | times |"
		echo "|---|---|"
		printf '%s\n' "${SOAK_EVENTS[@]}" | awk '{print $2}' | sort | uniq -c | awk '{printf "| %s | %s |\n", $2, $1}'
		echo
		echo "mac-limit: $([ "$MAC_LIMIT_OK" = 1 ] && echo "port set f mac-limit $SOAK_MAC_LIMIT during every other flood" || echo "not in this build (refused: $(sed 's/ (usage.*//' "$W/mac-limit.probe" | head -1)); floods ran without it")."
		echo "Loop (a <-> b): $LOOP_SUMMARY."
		echo "FDB: $(tail -1 "$OUT/samples.csv" | cut -d, -f7) new MACs not learned because it was full (fdb_full), from $((SOAK_FLOOD_N * SOAK_FLOOD)) flooded source MACs."
		echo "lanswitchd's hugepage memory (HugetlbPages, DPDK's heap: not in VmRSS; its mbufs are the pool's check): $HUGE_LINE."
		echo "Frames the switch received: $(soak_sum "${P_RX[@]}"); sent: $(soak_sum "${P_TX[@]}")."
		echo
		echo "## Drops, by reason (all ports, all lives)"
		echo
		echo "| reason | frames |"
		echo "|---|---|"
		for r in $(printf '%s\n' "${!DROPS[@]}" | sort); do
			[ "${DROPS[$r]}" = 0 ] || echo "| $r | ${DROPS[$r]} |"
		done
		echo
		echo "## The books (ledger.csv)"
		echo
		echo '```'
		column -s, -t <"$OUT/ledger.csv"
		echo '```'
		echo
		echo "Guests' own losses (lsgen reflect_drops, not the switch's): a ${G_REFLECT_DROPS[a]:-0}, b ${G_REFLECT_DROPS[b]:-0}."
		echo "Raw: samples.csv (every ${SOAK_SAMPLE_S} s: VmRSS, HugetlbPages, mbuf pool, fdb_full), steps.csv (loop frames per step), events.log."
	} >"$OUT/summary.md"
}

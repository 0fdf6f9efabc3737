# SPDX-License-Identifier: BSD-3-Clause
# bench/lib/latency.sh - latency rows, open loop. Sourced by bench/run (uses its helpers:
# fail_measure, cpu_snapshot, task_top, phase, the contenders of switches.sh and lg_* of
# traffic.sh).
#
# One lsgen on core 0 plays three guest ports of the contender: port 0 sends timestamped
# 64-byte frames (60 in the guest) to port 1 at a fixed rate, port 1 reflects each one back
# to port 0 (swapping the MACs, with a fresh stamp), port 2 is the idle port and only
# counts. Both directions go through the switch, so it forwards twice the send rate: a row
# "latN" offers N% of the contender's closed-loop peak (its 64 B, 2-MAC median of this run)
# as frames per second through the switch. Every frame that comes back to lsgen gives one
# sample: generator TX -> switch -> generator RX, both ends on the same TSC (one pass
# through the switch, ring and poll delays of both sides included). The idle port is in the
# same process rather than a second one, so no other guest process competes for core 0.
# lsgen runs --lean --stamps: it counts frames and takes latency samples into a histogram,
# nothing else per frame, so that it holds the offered rate (the run refuses a measurement
# in which it did not: gen-bound).
#
#   lat_measure ROW CONTENDER REP TRY   one measurement -> results.csv (report.py judge-latency)

declare -A PEAK_PPS=() # contender -> closed-loop 64 B, 2-MAC frames per second of this run

LAT_SIZE=64 # with FCS, as the throughput rows count

lat_row_pct() { printf '%s\n' "${1#lat}"; }

# lat_learn: both guest MACs known to the switch before the window (a switch that must
# still learn floods its first frames to the idle port). OVS needs ~0.2 s after the link
# before a port forwards: repeat until port 0 gets port 1's frames back.
lat_learn() {
	local a=$1 b=$2 deadline=$((SECONDS + 10)) rx
	while :; do
		lg guest send 1 4 src "$b" dst "$a" size $((LAT_SIZE - 4)) >/dev/null || return 1
		lg guest send 0 4 src "$a" dst "$b" size $((LAT_SIZE - 4)) >/dev/null || return 1
		rx=$(lg guest wait 0 8 200 | jq -r .rx) || return 1
		[ "${rx:-0}" -ge 8 ] && return 0
		[ $SECONDS -lt $deadline ] || return 1
		lg guest reset >/dev/null || return 1
		sleep 0.1
	done
}

lat_measure() {
	local row=$1 rep=$3 try=$4 pct
	SW=$2
	CUR="$row/$SW/rep$rep"
	MEASURE_STATUS=ok MEASURE_REASON=
	pct=$(lat_row_pct "$row")
	PHASES= M0=$(date +%s%N)
	local peak=${PEAK_PPS[$SW]:-} send_pps count a b p0 p1 cpu0 cpu1 t0 t1 lat st0 st1
	local sw_t0 sw_t1 gen_t0 gen_t1 dr0 dr1 hz
	a=$(guest_mac 0)
	b=$(guest_mac 1)
	if [ -z "$peak" ]; then
		fail_measure failed "no closed-loop peak for $SW (its 64B row gave no number)"
	else
		# the switch forwards each sent frame twice (there and back)
		send_pps=$(awk -v p="$peak" -v q="$pct" 'BEGIN {printf "%d", p * q / 100 / 2}')
		count=$(awk -v r="$send_pps" -v w="$WINDOW" 'BEGIN {printf "%d", r * w}')
		true
	fi && {
		sw_start 2 || fail_measure failed "the switch did not start"
	} && phase switch && {
		lg_start guest no "net_virtio_user0,path=$(guest_sock 0),mac=$a" \
			"net_virtio_user1,path=$(guest_sock 1),mac=$b" \
			"net_virtio_user2,path=$(idle_sock),mac=$IDLE_MAC" -- --lean --stamps ||
			fail_measure failed "the guest ports did not come up"
	} && {
		TRAFFIC_PID=${LG_PID[guest]} TRAFFIC_KIND=lsgen
		lg_link_up guest 0 5000 && lg_link_up guest 1 5000 && lg_link_up guest 2 5000 ||
			fail_measure failed "a guest port's link stayed down"
	} && phase guests && {
		lg guest reflect 1 on >/dev/null && lat_learn "$a" "$b" ||
			fail_measure died "port 1 never answered port 0 within 10 s"
	} && phase learned && {
		hz=$(lg guest stats | jq -r .tsc_hz)
		lg guest reset >/dev/null && lg guest rate "$send_pps" >/dev/null &&
			dr0=$(sw_drops) && cpu0=$(sw_cpu_begin) &&
			sw_t0=$(task_top "$SW_PID") && gen_t0=$(task_top "$TRAFFIC_PID") &&
			p0=$(cpu_snapshot) && t0=$(now) ||
			fail_measure failed "could not read the counters"
	} && {
		# blocks for WINDOW seconds: lsgen paces the frames and keeps receiving meanwhile
		lg guest send 0 "$count" src "$a" dst "$b" size $((LAT_SIZE - 4)) >"$W/lat-send.json" &&
			t1=$(now) && p1=$(cpu_snapshot) &&
			sw_t1=$(task_top "$SW_PID") && gen_t1=$(task_top "$TRAFFIC_PID") &&
			cpu1=$(sw_cpu) ||
			fail_measure failed "the send did not finish"
	} && {
		# what is still in flight comes back within a few ms; a lost frame never does
		lg guest wait 0 "$count" 500 >/dev/null && lg guest rate 0 >/dev/null &&
			lat=$(lg guest latency) && st1=$(lg guest stats) && dr1=$(sw_drops) ||
			fail_measure failed "could not read the counters"
	}
	local verdict
	verdict=$("$PY" "$LIB/report.py" judge-latency --csv "$OUT/results.csv" \
		contender="$SW" row="$row" rep="$rep" try="$try" size="$LAT_SIZE" pct="$pct" \
		peak_pps="${peak:-}" send_pps="${send_pps:-}" count="${count:-}" \
		status="$MEASURE_STATUS" reason="$MEASURE_REASON" \
		sent="$(jq -r .sent "$W/lat-send.json" 2>/dev/null)" t0="${t0:-}" t1="${t1:-}" \
		lat="${lat:-}" stats="${st1:-}" cpu0="${cpu0:-}" cpu1="${cpu1:-}" \
		dr0="${dr0:-}" dr1="${dr1:-}" p0="${p0:-}" p1="${p1:-}" swt0="${sw_t0:-}" \
		swt1="${sw_t1:-}" gent0="${gen_t0:-}" gent1="${gen_t1:-}" hz="${hz:-}" \
		clk_tck="$(getconf CLK_TCK)" fwd_core="$FWD_CORE" guest_core="$GUEST_LCORE")
	local rc=$?
	rm -f "$W/lat-send.json"
	phase window
	lg_stop guest
	TRAFFIC_PID= TRAFFIC_KIND=
	sw_stop
	check_no_leftovers
	phase stopped
	info "$CUR: $verdict"
	[ "${BENCH_VERBOSE:-0}" = 1 ] && info "$CUR: phases (ms):$PHASES"
	return $rc
}

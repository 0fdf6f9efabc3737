# SPDX-License-Identifier: BSD-3-Clause
# bench/lib/idle-guests.sh - bench/idle's real-guest row: two QEMU/TCG guests (the outage
# rows' image: tests/e2e/guest-image.sh with bench/lib/guest-init.sh), guest A pinging guest B
# once a second; lanswitchd's CPU time over the window and the ping RTTs, adaptive vs poll.
# Sourced by bench/idle (uses outage.sh's outage_guest_boot and outage_replies, idle.sh's rows).
#
# The guests own their vhost-user sockets (server=on, as libvirt's mode='server') and boot
# when a switch first connects; they stay up while the contenders take turns on their sockets
# (each contender started fresh, as the client). A turn of the switch flaps the guests' link:
# the window opens only once replies flow again. The whole row holds the heavy lock (QEMU runs
# throughout, between the contenders' turns too).

GUESTS_BOOT_S=150

# guests_ping_lines: guest A's ping replies so far, one "UPTIME RTT_MS" per line
guests_ping_lines() {
	tr -d '\r' <"$W/qa.log" 2>/dev/null |
		sed -n 's/^@@P \([0-9.]*\) .*bytes from .*seq=.*time=\([0-9.]*\) ms.*/\1 \2/p'
}

# guests_wait_replies N TIMEOUT: true once N more replies than now have come
guests_wait_replies() {
	local want deadline=$((SECONDS + $2)) n
	read -r n _ < <(outage_replies)
	want=$((n + $1))
	while [ $SECONDS -lt $deadline ]; do
		read -r n _ < <(outage_replies)
		[ "$n" -ge "$want" ] && return 0
		sleep 0.5
	done
	return 1
}

row_guests_one() { # row_guests_one MODE REP
	local c=$1 rep=$2 p0 p1 cpu='' l0 l1 st=ok s0='' s1='' lat='' sleeps='' wakeups=''
	SW=$c
	if ! sw_launch_lanswitch; then
		st=failed
	elif ! ilanctl worker set mode "$c" >>"$W/lanctl.log" 2>&1 && [ "$c" != poll ]; then
		st=unavailable
	elif ! { ilanctl port add qa vhost "$W/qa.sock" >/dev/null &&
		ilanctl port add qb vhost "$W/qb.sock" >/dev/null; }; then
		st=failed
	elif ! guests_wait_replies 3 "$GUESTS_BOOT_S"; then
		warn "guests/$c: no ping replies within $GUESTS_BOOT_S s"
		st=failed
	else
		s0=$(idle_ls_sleeps)
		l0=$(guests_ping_lines | wc -l)
		p0=$(proc_cpu "$SW_PID") && sleep "$GUESTS_WINDOW" && p1=$(proc_cpu "$SW_PID") &&
			cpu=$(cpu_fields "$p0" "$p1") || st=failed
		s1=$(idle_ls_sleeps)
		l1=$(guests_ping_lines | wc -l)
		# the replies that came within the window: RTT median, p99 (nearest rank), max in ns
		lat=$(guests_ping_lines | sed -n "$((l0 + 1)),${l1}p" | awk '{print $2}' | sort -g |
			awk '{v[NR] = $1} END {
				if (NR == 0) exit
				r = int((NR * 99 + 99) / 100)
				printf "lat_n=%d lat_median_ns=%.0f lat_p99_ns=%.0f lat_max_ns=%.0f\n",
					NR, v[int((NR + 1) / 2)] * 1e6, v[r] * 1e6, v[NR] * 1e6}')
	fi
	stop_pid "$SW_PID" 10
	SW_PID=
	local sl=(- -) sl0=(- -)
	[ -n "$s1" ] && read -ra sl <<<"$s1"
	[ -n "$s0" ] && read -ra sl0 <<<"$s0"
	[ "${sl[0]}" != - ] && [ "${sl0[0]}" != - ] && sleeps=$((sl[0] - sl0[0])) wakeups=$((sl[1] - sl0[1]))
	# shellcheck disable=SC2086
	csv_row section=guests contender="$c" rep="$rep" status="$st" window_s="$GUESTS_WINDOW" \
		$cpu frames="${lat:+$((l1 - l0))}" $lat sleeps="$sleeps" wakeups="$wakeups" \
		note="QEMU/TCG guests; ping -i 1; RTT from busybox ping (guest clock)"
}

# row_guests REPS: boots the guests, REPS turns of each mode (adaptive, poll, adaptive, ...)
row_guests() {
	local reps=$1 rep c
	heavy_begin
	if ! "$ROOT/tests/e2e/guest-image.sh" --init "$LIB/guest-init.sh" --no-iperf \
		"$OUTAGE_IMAGE_DIR" >>"$W/guest-image.log" 2>&1; then
		warn "guests: the guest image did not build (see $W/guest-image.log)"
		heavy_end
		csv_row section=guests contender=adaptive rep=1 status=failed note="no guest image"
		return
	fi
	OUTAGE_GUESTS=()
	outage_guest_boot qa "$W/qa.sock" "$MAC_QA" \
		"ls.ip=10.99.0.1/24 ls.role=pinger ls.peer=10.99.0.2 ls.interval=1"
	outage_guest_boot qb "$W/qb.sock" "$MAC_QB" "ls.ip=10.99.0.2/24 ls.role=idle"
	if wait_until "QEMU socket qa" 20 test -S "$W/qa.sock" &&
		wait_until "QEMU socket qb" 20 test -S "$W/qb.sock"; then
		for ((rep = 1; rep <= reps; rep++)); do
			for c in adaptive poll; do
				row_guests_one "$c" "$rep"
			done
		done
	else
		csv_row section=guests contender=adaptive rep=1 status=failed note="QEMU did not start"
	fi
	local pid
	for pid in "${OUTAGE_GUESTS[@]}"; do
		stop_pid "$pid" 5
	done
	OUTAGE_GUESTS=()
	cp "$W/qa.log" "$OUT/guest-qa.log" 2>/dev/null
	rm -f "$W/qa.sock" "$W/qb.sock"
	check_no_leftovers
	heavy_end
}

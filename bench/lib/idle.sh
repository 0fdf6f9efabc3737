# SPDX-License-Identifier: BSD-3-Clause
# bench/lib/idle.sh - the contenders and rows of bench/idle: what a switch costs when the LAN
# is quiet or nearly so. Sourced by bench/idle (uses common.sh's process tracking, traffic.sh's
# lg_* and switches.sh's OVS helpers).
#
# Contenders (each started fresh for one measurement, forwarding on core 1, guests on core 0):
#   adaptive   lanswitchd, `worker set mode adaptive` (the default once issue 17 landed)
#   poll       lanswitchd, `worker set mode poll` (a build without the command: today's loop)
#   ovs        Open vSwitch-DPDK 3.1, defaults (its PMD polls all the time)
#   ovs-sleep  the same with other_config:pmd-maxsleep=10000 (load-based sleep, experimental)
# Every switch gets three vhost-user guest ports (g0, g1, gidle); lanswitch in the idle row
# also an afxdp port on a veth and a tap port (OVS has no such ports in this bench).
# The guests are one lsgen with three virtio-user ports and --sleep-us: when its rings are
# empty it sleeps (as a VM's vCPU halts) and never kicks the switch; while it sends (a `send`
# command) it polls, so the frames it receives are stamped when they arrive.
#
# Each measurement holds the heavy lock (flock $IDLE_LOCK) from the contender's start to its
# stop, so the lead's and the other helpers' tests run between our measurements.
#
# One CSV line per measurement (IDLE_CSV_HEADER): CPU of the switch's whole process over the
# window as clock ticks (utime + stime from /proc/PID/stat) and as ns (sum of its threads'
# /proc/PID/task/*/schedstat run time), frames, latency, lanswitch's sleeps and wake-ups.

IDLE_CSV_HEADER="section,contender,setting,rep,status,window_s,cpu_ticks,cpu_ns,frames,mpps,lat_n,lat_median_ns,lat_p99_ns,lat_max_ns,sleeps,wakeups,note"
IDLE_LOCK=${IDLE_LOCK:-/tmp/lanswitch-heavy.lock}
IDLE_LOCK_FD=
IDLE_GUEST_SLEEP_US=${IDLE_GUEST_SLEEP_US:-1000}
ADAPTIVE_OK= # 1: this lanswitchd has `worker set mode`; 0: it has not (poll only); empty: unknown
MAC_G0=$(guest_mac 0)
MAC_G1=$(guest_mac 1)

# ---- the heavy lock ---------------------------------------------------------------------

IDLE_LOCK_DEPTH=0

# heavy_begin / heavy_end nest: a group of measurements that must be back to back (the wake-up
# floor right before and after the frames it is the floor of) holds the lock across them.
heavy_begin() {
	[ "${IDLE_NO_LOCK:-0}" = 1 ] && return 0
	IDLE_LOCK_DEPTH=$((IDLE_LOCK_DEPTH + 1))
	[ "$IDLE_LOCK_DEPTH" = 1 ] || return 0
	exec {IDLE_LOCK_FD}>>"$IDLE_LOCK"
	flock "$IDLE_LOCK_FD"
	# under the lock nobody else's switch or guest may run: one that does is a leftover
	local found
	found=$(foreign_busy_processes)
	[ -z "$found" ] || warn "holding the lock, but these run too (numbers disturbed): ${found//$'\n'/ }"
}

heavy_end() {
	[ -n "$IDLE_LOCK_FD" ] || return 0
	IDLE_LOCK_DEPTH=$((IDLE_LOCK_DEPTH - 1))
	[ "$IDLE_LOCK_DEPTH" -le 0 ] || return 0
	IDLE_LOCK_DEPTH=0
	flock -u "$IDLE_LOCK_FD"
	exec {IDLE_LOCK_FD}>&-
	IDLE_LOCK_FD=
}

# ---- CPU time ---------------------------------------------------------------------------

# proc_cpu PID: "TICKS NS" of the whole process so far: utime + stime (clock ticks) and the
# run time of all its threads (ns, schedstat: the same time, without the 10 ms resolution).
proc_cpu() {
	local pid=$1 f t ns=0 a
	f=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	f=${f##*) }
	# shellcheck disable=SC2086 # the fields of stat, split on purpose
	set -- $f
	for t in /proc/"$pid"/task/*/schedstat; do
		read -r a _ <"$t" 2>/dev/null && ns=$((ns + a))
	done
	printf '%s %s\n' $((${12} + ${13})) "$ns"
}

# proc_threads PID: "COMM=NS ..." run time of each of its threads so far (schedstat)
proc_threads() {
	local t c a out=''
	for t in /proc/"$1"/task/*; do
		read -r c <"$t/comm" 2>/dev/null && read -r a _ <"$t/schedstat" 2>/dev/null || continue
		out+="${c// /_}=$a "
	done
	printf '%s\n' "$out"
}

# threads_ms T0 T1: "COMM=MS ..." each thread's run time between two proc_threads readings,
# the threads of one name added up (where an idle switch's time goes: worker or control)
threads_ms() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); for (i = 1; i <= n; i++) { split(x[i], kv, "="); s[kv[1]] -= kv[2] }
		n = split(b, x, " "); for (i = 1; i <= n; i++) { split(x[i], kv, "="); s[kv[1]] += kv[2] }
		for (k in s) printf "%s%s=%.1fms", (o++ ? " " : ""), k, s[k] / 1e6 }'
}

# busy_ticks: busy time of all CPUs so far (/proc/stat: user nice system irq softirq steal)
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }

# others_pct B0 B1 WINDOW_S TICKS...: share of one core that processes other than ours took
# over the window (busy time of the machine minus what ours used): above a few percent, other
# work shared the cores with the measurement (others' builds run without the heavy lock).
others_pct() {
	local b0=$1 b1=$2 w=$3 ours=0 t
	shift 3
	for t in "$@"; do
		ours=$((ours + t))
	done
	awk -v b=$((b1 - b0 - ours)) -v w="$w" -v hz="$(getconf CLK_TCK)" \
		'BEGIN {printf "%.0f", (b < 0 ? 0 : b) / hz / w * 100}'
}

# A measurement during which others took more than this share of one core is marked
# "disturbed" and taken again (up to IDLE_RETRIES times): the others' work shared the cores.
IDLE_OTHERS_MAX=${IDLE_OTHERS_MAX:-25}
IDLE_RETRIES=${IDLE_RETRIES:-2}
ROW_DISTURBED=0

# judge_others PCT: status "disturbed" when PCT is above IDLE_OTHERS_MAX
judge_others() {
	if [ "$IDLE_STATUS" = ok ] && [ "${1:-0}" -gt "$IDLE_OTHERS_MAX" ]; then
		IDLE_STATUS=disturbed ROW_DISTURBED=1
	fi
}

# try_row FUNCTION ARGS...: the row again while it was disturbed, at most IDLE_RETRIES times
try_row() {
	local i
	for ((i = 0; i <= IDLE_RETRIES; i++)); do
		ROW_DISTURBED=0
		"$@"
		[ "$ROW_DISTURBED" = 1 ] || return 0
		warn "$1 ${2:-}: others took more than $IDLE_OTHERS_MAX% of a core: again"
	done
}

# softirq_ticks: softirq time of all CPUs so far (/proc/stat), the kernel bridge's share.
softirq_ticks() { awk '/^cpu / {print $8}' /proc/stat; }

TICK_NS=$((1000000000 / $(getconf CLK_TCK)))

# ---- lanswitch --------------------------------------------------------------------------

ilanctl() { "$LANCTL" -s "$W/ctl.sock" "$@"; }

# idle_ls_start MODE [IDLE_US] [EXTRAS]: lanswitchd with g0, g1, gidle (vhost-user servers);
# EXTRAS=1 adds the afxdp port on a veth and the tap port. Fails (status "unavailable") for
# adaptive on a build without `worker set mode`.
idle_ls_start() {
	local mode=$1 idle_us=${2:-} extras=${3:-0} i
	rm -f "$W/ctl.sock" "$W"/g*.sock
	"$LANSWITCHD" --socket "$W/ctl.sock" --state "" --fdb-size "$FDB_SIZE" -- \
		-l "$GUEST_LCORE,$FWD_CORE" --main-lcore "$GUEST_LCORE" --file-prefix "${PFX}sw" \
		--in-memory --no-pci >>"$W/lanswitchd.log" 2>&1 &
	SW_PID=$!
	track_pid "$SW_PID" lanswitchd
	wait_until "lanswitchd control socket" 20 ilanctl stats || return 1
	if ilanctl worker set mode "$mode" >>"$W/lanctl.log" 2>&1; then
		ADAPTIVE_OK=1
	else
		ADAPTIVE_OK=0
		# today's binary is poll mode; adaptive it cannot do
		[ "$mode" = poll ] || { IDLE_STATUS=unavailable; return 1; }
	fi
	if [ -n "$idle_us" ]; then
		ilanctl worker set idle-us "$idle_us" >>"$W/lanctl.log" 2>&1 || return 1
	fi
	for i in 0 1; do
		ilanctl port add "g$i" vhost "$W/g$i.sock" --server >/dev/null || return 1
	done
	ilanctl port add gidle vhost "$W/gidle.sock" --server >/dev/null || return 1
	[ "$extras" = 1 ] || return 0
	idle_extras_up || return 1
	ilanctl port add up afxdp "$IDLE_VETH" >/dev/null || return 1
	ilanctl port add host tap "${PFX}t" --netns "$IDLE_NS" >/dev/null || return 1
}

# The afxdp port's veth (its peer in a namespace) and the namespace the tap port goes to:
# multicast and IPv6 off on both sides, so that nothing sends a frame by itself.
IDLE_NS=
IDLE_VETH=
idle_extras_up() {
	IDLE_NS=${PFX}n IDLE_VETH=${PFX}a
	ip netns add "$IDLE_NS" || return 1
	ip netns exec "$IDLE_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || return 1
	ip link add "$IDLE_VETH" type veth peer name "${PFX}b" netns "$IDLE_NS" || return 1
	sysctl -qw "net.ipv6.conf.$IDLE_VETH.disable_ipv6=1" || return 1
	ip link set "$IDLE_VETH" multicast off up && ip -n "$IDLE_NS" link set "${PFX}b" multicast off up
}

idle_extras_down() {
	[ -n "$IDLE_NS" ] && ip netns del "$IDLE_NS" 2>/dev/null
	[ -n "$IDLE_VETH" ] && ip link del "$IDLE_VETH" 2>/dev/null
	IDLE_NS='' IDLE_VETH=''
	return 0
}

# "sleeps wakeups asleep_us" of all workers, "- - -" from a build that does not count them
idle_ls_sleeps() {
	ilanctl -j stats 2>/dev/null | jq -r '(.workers? // .) | if all(has("sleeps")) then
		"\(map(.sleeps) | add) \(map(.wakeups) | add) \(map(.asleep_cycles * 1000000 / .tsc_hz) | add | floor)"
		else "- - -" end' 2>/dev/null || echo "- - -"
}

# asleep_note S0 S1: "asleep=MS ms (mean SLEEP us); " between two idle_ls_sleeps readings
asleep_note() {
	local a b
	read -ra a <<<"$1"
	read -ra b <<<"$2"
	[ "${a[2]:--}" != - ] && [ "${b[2]:--}" != - ] || return 0
	awk -v us=$((b[2] - a[2])) -v n=$((b[0] - a[0])) \
		'BEGIN {printf "asleep=%.1fms (mean %.0fus a sleep); ", us / 1000, n ? us / n : 0}'
}

# ---- the contenders ---------------------------------------------------------------------

IDLE_STATUS=ok
IDLE_NOTE=

# contender_start C [IDLE_US] [EXTRAS]
contender_start() {
	local c=$1
	SW=$c
	case $c in
	adaptive | poll) idle_ls_start "$c" "${2:-}" "${3:-0}" ;;
	ovs | ovs-sleep)
		SW=ovs
		sw_start_ovs 2 || return 1
		if [ "$c" = ovs-sleep ]; then
			vsctl set Open_vSwitch . other_config:pmd-maxsleep=10000 || return 1
			IDLE_NOTE+="pmd-maxsleep=$(vsctl get Open_vSwitch . other_config:pmd-maxsleep | tr -d '"'); "
		fi
		;;
	*) die "unknown contender $c" ;;
	esac
}

contender_stop() {
	local pid=$SW_PID
	case $SW in
	ovs)
		sw_stop_ovs
		# ovs_cleanup waits for the pid in ovs-vswitchd's pidfile, which its exit may have
		# removed already: the next holder of the lock saw it still running
		[ -n "$pid" ] && { wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null; }
		;;
	*) stop_pid "$SW_PID" 10 ;;
	esac
	SW_PID=
	idle_extras_down
	rm -f "$W"/g*.sock
	check_no_leftovers
}

# The guests: one lsgen, three virtio-user ports, asleep whenever its rings are empty.
guests_start() {
	lg_start guest yes "net_virtio_user0,path=$W/g0.sock,mac=$MAC_G0" \
		"net_virtio_user1,path=$W/g1.sock,mac=$MAC_G1" \
		"net_virtio_user2,path=$W/gidle.sock,mac=$IDLE_MAC" -- --sleep-us "$IDLE_GUEST_SLEEP_US" ||
		return 1
	TRAFFIC_PID=${LG_PID[guest]}
	# Its polling thread (the main one) first on core 0: the latency rows measure the switch,
	# and at normal priority other work on core 0 (builds) took the core from the receiving
	# guest for milliseconds now and then (poll mode's median at 20 frames/s: 7 ms in one
	# trial, 5 us in the next; at nice -20, 2-16 us in three).
	renice -n -20 -p "$TRAFFIC_PID" >/dev/null || true
	local i
	for i in 0 1 2; do
		lg_link_up guest "$i" 5000 || { warn "guest port $i: link down"; return 1; }
	done
}

guests_stop() { lg_stop guest; }

# Both guest MACs known to the switch (OVS forwards ~0.2 s after the link comes up): each
# port sends to the other until port 1 has received what port 0 sent.
guests_learn() {
	local deadline=$((SECONDS + 10)) rx
	while :; do
		lg guest send 1 2 src "$MAC_G1" dst "$MAC_G0" size 60 >/dev/null || return 1
		lg guest send 0 2 src "$MAC_G0" dst "$MAC_G1" size 60 >/dev/null || return 1
		rx=$(lg guest wait 1 2 300 | jq -r .rx) || return 1
		[ "${rx:-0}" -ge 2 ] && return 0
		[ $SECONDS -lt $deadline ] || return 1
		lg guest reset >/dev/null
		sleep 0.1
	done
}

# ---- one CSV line -------------------------------------------------------------------------

# csv_row FIELD=VALUE...: a line of IDLE_CSV_HEADER, missing fields empty
csv_row() {
	local -A f=()
	local kv k line='' sep=''
	for kv in "$@"; do
		f[${kv%%=*}]=${kv#*=}
	done
	f[note]=${f[note]:-}
	f[note]=${f[note]//,/;}
	for k in ${IDLE_CSV_HEADER//,/ }; do
		line+="$sep${f[$k]:-}"
		sep=,
	done
	printf '%s\n' "$line" >>"$OUT/results.csv"
	info "$line"
}

# cpu_fields T0 T1: cpu_ticks= and cpu_ns= of two proc_cpu readings
cpu_fields() {
	local a b c d
	read -r a b <<<"$1"
	read -r c d <<<"$2"
	printf 'cpu_ticks=%s cpu_ns=%s\n' $((c - a)) $((d - b))
}

lat_fields() { # lat_fields JSON (lsgen's latency reply)
	jq -r '"lat_n=\(.samples) lat_median_ns=\(.median_ns // "") lat_p99_ns=\(.p99_ns // "") lat_max_ns=\(.max_ns // "")"' <<<"$1"
}

# ---- rows ---------------------------------------------------------------------------------

# row_idle C REP: the contender's CPU over IDLE_WINDOW s, three guests connected, no traffic.
row_idle() {
	local c=$1 rep=$2 p0 p1 s0 s1 cpu=''
	IDLE_STATUS=ok IDLE_NOTE=''
	heavy_begin
	local extras=0
	[ "$c" = adaptive ] || [ "$c" = poll ] && extras=1
	if contender_start "$c" "" "$extras" && guests_start; then
		# the ports' first seconds (links, the guests' start-up) are not idle
		sleep 2
		s0=$( [ "$SW" = ovs ] || idle_ls_sleeps)
		local b0 b1 g0 g1
		local th0 th1
		th0=$(proc_threads "$SW_PID")
		g0=$(proc_cpu "$TRAFFIC_PID") && b0=$(busy_ticks) &&
			p0=$(proc_cpu "$SW_PID") && sleep "$IDLE_WINDOW" && p1=$(proc_cpu "$SW_PID") &&
			b1=$(busy_ticks) && g1=$(proc_cpu "$TRAFFIC_PID") &&
			cpu=$(cpu_fields "$p0" "$p1") || IDLE_STATUS=failed
		th1=$(proc_threads "$SW_PID")
		IDLE_NOTE+="threads: $(threads_ms "$th0" "$th1"); "
		s1=$( [ "$SW" = ovs ] || idle_ls_sleeps)
		if [ "$IDLE_STATUS" = ok ]; then
			local o
			o=$(others_pct "$b0" "$b1" "$IDLE_WINDOW" $((${p1%% *} - ${p0%% *})) \
				$((${g1%% *} - ${g0%% *})))
			IDLE_NOTE+="others=$o%; "
			judge_others "$o"
		fi
	else
		[ "$IDLE_STATUS" = unavailable ] || IDLE_STATUS=failed
	fi
	[ "$extras" = 1 ] && IDLE_NOTE+="ports: 3 vhost + afxdp (veth) + tap"
	[ "$SW" = ovs ] && IDLE_NOTE+="ports: 3 vhost (no afxdp/tap in OVS here); ovs-vswitchd only"
	guests_stop
	contender_stop
	heavy_end
	local sl=(- -) sl0=(- -)
	[ -n "${s1:-}" ] && read -ra sl <<<"$s1"
	[ -n "${s0:-}" ] && read -ra sl0 <<<"$s0"
	local sleeps='' wakeups=''
	[ "${sl[0]}" != - ] && [ "${sl0[0]}" != - ] && sleeps=$((sl[0] - sl0[0])) wakeups=$((sl[1] - sl0[1]))
	# shellcheck disable=SC2086 # cpu is "cpu_ticks=N cpu_ns=N"
	csv_row section=idle contender="$c" rep="$rep" status="$IDLE_STATUS" window_s="$IDLE_WINDOW" \
		$cpu sleeps="$sleeps" wakeups="$wakeups" note="$IDLE_NOTE"
}

# row_bridge REP: softirq time of the whole machine over IDLE_WINDOW s with bench/upper's veth
# topology up (generator veth -> br0 -> guest veth) and nothing sent.
row_bridge() {
	local rep=$1 g=${PFX}g b=${PFX}r v=${PFX}v s0 s1 st=ok ns
	heavy_begin
	{
		for ns in "$g" "$b" "$v"; do
			ip netns add "$ns" && ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
				net.ipv6.conf.default.disable_ipv6=1 || break
		done &&
			ip link add gen0 netns "$g" type veth peer name up0 netns "$b" &&
			ip link add gst0 netns "$b" type veth peer name gst1 netns "$v" &&
			ip -n "$g" link set gen0 multicast off up && ip -n "$b" link set up0 multicast off up &&
			ip -n "$b" link set gst0 multicast off up && ip -n "$v" link set gst1 multicast off up &&
			ip -n "$b" link add br0 type bridge mcast_snooping 0 &&
			ip -n "$b" link set br0 multicast off up &&
			ip -n "$b" link set up0 master br0 && ip -n "$b" link set gst0 master br0 &&
			sleep 2 && s0=$(softirq_ticks) && sleep "$IDLE_WINDOW" && s1=$(softirq_ticks)
	} || st=failed
	for ns in "$g" "$b" "$v"; do
		ip netns del "$ns" 2>/dev/null
	done
	heavy_end
	local t=''
	[ "$st" = ok ] && t=$((s1 - s0))
	csv_row section=idle contender=bridge rep="$rep" status="$st" window_s="$IDLE_WINDOW" \
		cpu_ticks="$t" cpu_ns="${t:+$((t * TICK_NS))}" \
		note="softirq of all CPUs (/proc/stat); bench/upper's veth topology; 10 ms resolution"
}

# row_floor REP: bench/wakelat, the eventfd wake-up of a thread in epoll_wait on core 1.
row_floor() { # row_floor REP [SETTING]: SETTING names the pass (epoll, epoll-after)
	local rep=$1 set=${2:-epoll} j st=ok
	heavy_begin
	j=$("$WAKELAT" --cpus "$GUEST_LCORE,$FWD_CORE" --samples "$WAKE_SAMPLES" --gap-us 50000 \
		2>>"$W/wakelat.log") || st=failed
	heavy_end
	printf '%s\n' "${j:-}" >>"$OUT/wakelat.jsonl"
	[ "$st" = ok ] || { csv_row section=wake contender=floor rep="$rep" status=failed; return; }
	# shellcheck disable=SC2046 # jq prints FIELD=VALUE words
	csv_row section=wake contender=floor setting="$set" rep="$rep" status=ok \
		$(jq -r '"lat_n=\(.samples) lat_median_ns=\(.epoll.median_ns) lat_p99_ns=\(.epoll.p99_ns) lat_max_ns=\(.epoll.max_ns)"' <<<"$j") \
		note="eventfd write on core $GUEST_LCORE to a thread in epoll_wait on core $FWD_CORE; 50 ms gaps"
	[ "$set" = epoll ] || return 0
	# shellcheck disable=SC2046
	csv_row section=wake contender=floor setting=spin rep="$rep" status=ok \
		$(jq -r '"lat_n=\(.samples) lat_median_ns=\(.spin.median_ns) lat_p99_ns=\(.spin.p99_ns) lat_max_ns=\(.spin.max_ns)"' <<<"$j") \
		note="the same handoff to a thread that polls the eventfd (no sleep)"
}

# traffic_row SECTION C SETTING REP RATE COUNT [IDLE_US]: port 0 sends COUNT 60-byte frames
# to port 1 at RATE frames/s (lsgen paces them and polls meanwhile); the switch's CPU over the
# send, the one-way latency of every frame (lsgen's stamps, one TSC), frames port 1 got.
traffic_row() {
	local sec=$1 c=$2 set=$3 rep=$4 rate=$5 count=$6 idle_us=${7:-} p0 p1 t0 t1 lat='' rx='' cpu=''
	local s0='' s1='' win=''
	IDLE_STATUS=ok IDLE_NOTE=''
	heavy_begin
	if contender_start "$c" "$idle_us" 0 && guests_start && guests_learn; then
		# what the guests' start and the learning left in the switch is over
		sleep 0.5
		local b0 b1 g0 g1
		# the sleeps right next to the CPU readings: the mean sleep is one of the send's
		lg guest reset >/dev/null && lg guest rate "$rate" >/dev/null &&
			g0=$(proc_cpu "$TRAFFIC_PID") && b0=$(busy_ticks) &&
			{ [ "$SW" = ovs ] || s0=$(idle_ls_sleeps); } &&
			p0=$(proc_cpu "$SW_PID") && t0=$EPOCHREALTIME &&
			lg guest send 0 "$count" src "$MAC_G0" dst "$MAC_G1" size 60 >"$W/send.json" &&
			t1=$EPOCHREALTIME && p1=$(proc_cpu "$SW_PID") &&
			{ [ "$SW" = ovs ] || s1=$(idle_ls_sleeps); } &&
			b1=$(busy_ticks) && g1=$(proc_cpu "$TRAFFIC_PID") &&
			lg guest wait 1 "$count" 500 >/dev/null && lat=$(lg guest latency) &&
			rx=$(lg guest stats 1 | jq -r '.ports[0].rx') && cpu=$(cpu_fields "$p0" "$p1") ||
			IDLE_STATUS=failed
		[ "$SW" = ovs ] || IDLE_NOTE+=$(asleep_note "$s0" "$s1")
		win=$(awk -v a="${t0:-0}" -v b="${t1:-0}" 'BEGIN {printf "%.3f", b - a}')
		if [ "$IDLE_STATUS" = ok ]; then
			local o
			o=$(others_pct "$b0" "$b1" "$win" $((${p1%% *} - ${p0%% *})) \
				$((${g1%% *} - ${g0%% *})))
			IDLE_NOTE+="others=$o%; "
			judge_others "$o"
		fi
		local sent
		sent=$(jq -r .sent "$W/send.json" 2>/dev/null)
		IDLE_NOTE+="sent=${sent:-?}"
		[ "${sent:-0}" = "$count" ] || IDLE_STATUS=failed
	else
		[ "$IDLE_STATUS" = unavailable ] || IDLE_STATUS=failed
	fi
	guests_stop
	contender_stop
	heavy_end
	local sl=(- -) sl0=(- -) sleeps='' wakeups=''
	[ -n "$s1" ] && read -ra sl <<<"$s1"
	[ -n "$s0" ] && read -ra sl0 <<<"$s0"
	[ "${sl[0]}" != - ] && [ "${sl0[0]}" != - ] && sleeps=$((sl[0] - sl0[0])) wakeups=$((sl[1] - sl0[1]))
	# shellcheck disable=SC2046,SC2086
	csv_row section="$sec" contender="$c" setting="$set" rep="$rep" status="$IDLE_STATUS" \
		window_s="$win" $cpu frames="$rx" $( [ -n "$lat" ] && lat_fields "$lat") \
		sleeps="$sleeps" wakeups="$wakeups" note="$IDLE_NOTE"
}

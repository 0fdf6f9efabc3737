# SPDX-License-Identifier: BSD-3-Clause
# bench/lib/traffic.sh - the guests: one traffic process on core 0 that plays every active
# guest port, and a watcher that plays the idle one. Sourced by bench/run.
#
# Two kinds of traffic process, both virtio-user clients of the switch's vhost-user sockets:
#   testpmd  dpdk-testpmd --forward-mode=mac with --eth-peer: port 2k and 2k+1 address each
#            other; `start tx_first B` puts B bursts of 32 frames per port into the loop.
#   lsgen    the project's generator with `reflect PORT cycle`: each reflected frame takes
#            the next (src, dst) pair of its port, so a loop of a few hundred frames cycles
#            through every address of the row, half of them behind each port.
# The idle port belongs to a separate lsgen (the watcher) that only counts what arrives.
#
# Interface used by bench/run (NAME is the process name, ports numbered from 0):
#   traffic_start KIND NPORTS SIZE MACS   start, wait for links; fills TRAFFIC_PID
#   traffic_prime                          put frames in the loop, check that they come back
#   traffic_counts                         prints "rx0 rx1 ... total" (frames received so far)
#   traffic_busy                           prints busy and total cycles of its forwarding loop
#   traffic_stop
#   watcher_start / watcher_rx / watcher_stop

TESTPMD=${TESTPMD:-dpdk-testpmd}
GUEST_LCORE=0

# MAC of guest port i (pairs: 2k and 2k+1). The upper half of the last three bytes leaves
# room for lsgen's cycling through up to 2^20 addresses per port.
guest_mac() { printf '02:00:00:%02x:00:00\n' $((0x10 * ($1 + 1))); }
IDLE_MAC=02:00:00:ee:00:00

TRAFFIC_KIND=
TRAFFIC_PID=
TRAFFIC_NPORTS=0
TRAFFIC_SIZE=64
TRAFFIC_MACS=2

# ---- testpmd, interactive through a fifo --------------------------------------------------

# tp_start NAME ARGS...: dpdk-testpmd -i with its stdin on a fifo we hold and its output
# line-buffered (stdbuf) into $W/NAME.log, so that each command's output is there once the
# next prompt is.
tp_start() {
	local name=$1 pid
	shift
	open_fifos "$name"
	stdbuf -oL "$TESTPMD" "$@" <"$W/$name.in" >"$W/$name.log" 2>&1 &
	pid=$!
	track_pid "$pid" "testpmd $name"
	attach_fifo_in "$name"
	TP_PID[$name]=$pid
}
declare -A TP_PID=()

# tp_cmd NAME TIMEOUT_S COMMAND: runs one command, prints its output (up to the next prompt).
tp_cmd() {
	local name=$1 tmo=$2 cmd=$3 log=$W/$1.log off out deadline
	off=$(stat -c %s "$log")
	printf '%s\n' "$cmd" >&"${FIFO_IN[$name]}" || return 1
	deadline=$(($(date +%s%N) + tmo * 1000000000))
	while :; do
		out=$(tail -c +$((off + 1)) "$log")
		# the echo of the command, its output, then the next prompt
		if [[ $out == *$'\n'"testpmd> "* ]]; then
			printf '%s\n' "${out%testpmd> *}"
			return 0
		fi
		alive "${TP_PID[$name]}" || { warn "testpmd $name exited"; return 1; }
		[ "$(date +%s%N)" -lt "$deadline" ] || { warn "testpmd $name: no answer to '$cmd'"; return 1; }
		sleep 0.02
	done
}

# tp_wait_prompt NAME TIMEOUT_S: testpmd is up and reads commands.
tp_wait_prompt() {
	local deadline=$(($(date +%s%N) + $2 * 1000000000))
	until grep -q 'testpmd> ' "$W/$1.log" 2>/dev/null; do
		alive "${TP_PID[$1]}" || { warn "testpmd $1 exited:"; tail -n 15 "$W/$1.log" >&2; return 1; }
		[ "$(date +%s%N)" -lt "$deadline" ] || { warn "testpmd $1 did not start"; return 1; }
		sleep 0.05
	done
}

# tp_port_rx NAME: "rx0 rx1 ..." from `show port stats all`.
tp_port_rx() {
	tp_cmd "$1" 5 "show port stats all" |
		awk '/NIC statistics for port/ {p = $(NF-1)} /RX-packets:/ {rx[p] = $2; n = p + 1}
			END {for (i = 0; i < n; i++) printf "%s%s", (i ? " " : ""), rx[i]; print ""}'
}

# tp_port_stats NAME PORT FIELD: one counter (RX-packets, TX-packets, RX-missed...) of a port.
tp_port_field() {
	tp_cmd "$1" 5 "show port stats $2" | awk -v f="$3:" '{for (i = 1; i < NF; i++) if ($i == f) print $(i+1)}'
}

# tp_fwd_cycles NAME: "cycles packets" from `show fwd stats all` (--record-core-cycles):
# cycles spent in bursts that received something, and the frames forwarded.
tp_fwd_cycles() {
	tp_cmd "$1" 5 "show fwd stats all" |
		sed -n 's/.*total cycles=\([0-9]*\) \/ total [a-z]* packets=\([0-9]*\).*/\1 \2/p' | tail -1
}

tp_stop() {
	local name=$1 pid=${TP_PID[$1]:-}
	[ -n "$pid" ] || return 0
	if alive "$pid"; then
		printf 'stop\nquit\n' >&"${FIFO_IN[$name]}" 2>/dev/null
		wait_gone "$pid" 5 || true
	fi
	stop_pid "$pid" 3
	close_fifos "$name"
	unset "TP_PID[$name]"
}

# ---- lsgen, one JSON reply per command ----------------------------------------------------

declare -A LG_PID=()

# lg_start NAME YIELD VDEV... [-- LSGEN_OPTION...]: an lsgen on core 0 with one virtio-user
# port per VDEV (net_virtio_user<i>,path=...,mac=...); YIELD=no keeps it busy-polling.
lg_start() {
	local name=$1 yield=$2 pid ready args=() i=0 v extra=()
	shift 2
	while [ $# -gt 0 ]; do
		[ "$1" = -- ] && { shift; extra=("$@"); break; }
		args+=(--vdev "$1")
		shift
	done
	open_fifos "$name"
	[ "$yield" = no ] && extra+=(--no-yield)
	"$LSGEN" -l "$GUEST_LCORE" --no-pci --in-memory --single-file-segments \
		--file-prefix "${PFX}$name" -m 256 --log-level=warning "${args[@]}" -- --quiet "${extra[@]}" \
		<"$W/$name.in" >"$W/$name.out" 2>>"$W/$name.log" &
	pid=$!
	track_pid "$pid" "lsgen $name"
	LG_PID[$name]=$pid
	attach_fifo_in "$name"
	attach_fifo_out "$name"
	if ! read -r -t 20 ready <&"${FIFO_OUT[$name]}"; then
		warn "lsgen $name did not start:"
		tail -n 15 "$W/$name.log" >&2
		return 1
	fi
}

lg() { # lg NAME COMMAND... -> the one-line JSON reply
	local name=$1 reply
	shift
	printf '%s\n' "$*" >&"${FIFO_IN[$name]}" || return 1
	read -r -t 60 reply <&"${FIFO_OUT[$name]}" || { warn "lsgen $name: no answer to '$*'"; return 1; }
	printf '%s\n' "$reply"
}

lg_link_up() { [ "$(lg "$1" link "$2" "${3:-5000}" | jq -r .link)" = up ]; }

lg_stop() {
	local name=$1 pid=${LG_PID[$1]:-}
	[ -n "$pid" ] || return 0
	if alive "$pid"; then
		printf 'quit\n' >&"${FIFO_IN[$name]}" 2>/dev/null
		wait_gone "$pid" 5 || true
	fi
	stop_pid "$pid" 3
	close_fifos "$name"
	unset "LG_PID[$name]"
}

# ---- the traffic process ------------------------------------------------------------------

# traffic_start KIND NPORTS SIZE MACS: ports connect to $W/g<i>.sock (the switch's sockets).
traffic_start() {
	TRAFFIC_KIND=$1 TRAFFIC_NPORTS=$2 TRAFFIC_SIZE=$3 TRAFFIC_MACS=$4
	local i vdevs=() peers=()
	for ((i = 0; i < TRAFFIC_NPORTS; i++)); do
		vdevs+=("net_virtio_user$i,path=$W/g$i.sock,mac=$(guest_mac $i)")
		peers+=("--eth-peer=$i,$(guest_mac $((i ^ 1)))")
	done
	case $TRAFFIC_KIND in
	testpmd)
		local vargs=() v
		for v in "${vdevs[@]}"; do
			vargs+=(--vdev "$v")
		done
		# main lcore and forwarding lcore both on core 0 (the main one only reads commands)
		tp_start guest --lcores "0@$GUEST_LCORE,1@$GUEST_LCORE" --file-prefix "${PFX}guest" \
			--in-memory --single-file-segments --no-pci --log-level=warning "${vargs[@]}" -- \
			-i --forward-mode=mac "${peers[@]}" --record-core-cycles --nb-cores=1 \
			--txpkts="$TRAFFIC_SIZE" || return 1
		TRAFFIC_PID=${TP_PID[guest]}
		tp_wait_prompt guest 20 || return 1
		;;
	lsgen)
		lg_start guest no "${vdevs[@]}" -- --lean || return 1
		TRAFFIC_PID=${LG_PID[guest]}
		for ((i = 0; i < TRAFFIC_NPORTS; i++)); do
			lg_link_up guest "$i" 5000 || { warn "guest port $i: link down"; return 1; }
		done
		;;
	*) die "unknown traffic kind $TRAFFIC_KIND" ;;
	esac
}

# traffic_counts: "rx0 rx1 ... total", frames the guest ports received so far.
traffic_counts() {
	local rx
	case $TRAFFIC_KIND in
	testpmd) rx=$(tp_port_rx guest) ;;
	lsgen) rx=$(lg guest stats | jq -r '[.ports[].rx] | map(tostring) | join(" ")') ;;
	esac
	[ -n "$rx" ] || return 1
	printf '%s %s\n' "$rx" "$(awk '{s = 0; for (i = 1; i <= NF; i++) s += $i; print s}' <<<"$rx")"
}

# traffic_busy: "busy_cycles tsc_hz" of the traffic process's forwarding loop so far
# (testpmd: cycles of the bursts that received something; lsgen: of the polls that did).
traffic_busy() {
	case $TRAFFIC_KIND in
	testpmd) tp_cmd guest 5 "show fwd stats all" | sed -n \
		's/.*total cycles=\([0-9]*\) .* at \([0-9]*\) MHz Clock.*/\1 \2000000/p' | tail -1 ;;
	lsgen) lg guest stats | jq -r '"\(.busy_cycles) \(.tsc_hz)"' ;;
	esac
}

# traffic_prime FRAMES_PER_PORT: frames into every port's direction, then check that every
# port receives (the loop lives) and, for many MACs, let every address go round once so the
# switch has learned them all before the window.
traffic_prime() {
	local per_port=$1 i half a b
	case $TRAFFIC_KIND in
	testpmd)
		local bursts=$(((per_port + 31) / 32))
		tp_cmd guest 10 "start tx_first $bursts" >/dev/null || return 1
		;;
	lsgen)
		half=$((TRAFFIC_MACS / 2))
		[ "$half" -ge 1 ] || half=1
		for ((i = 0; i < TRAFFIC_NPORTS; i++)); do
			a=$(guest_mac $i)
			b=$(guest_mac $((i ^ 1)))
			lg guest reflect "$i" cycle "$a" "$b" "$half" >/dev/null || return 1
		done
		for ((i = 0; i < TRAFFIC_NPORTS; i++)); do
			a=$(guest_mac $i)
			b=$(guest_mac $((i ^ 1)))
			lg guest send "$i" "$per_port" src "$a" dst "$b" srcs "$half" dsts "$half" \
				size "$TRAFFIC_SIZE" >/dev/null || return 1
		done
		;;
	esac
}

traffic_stop() {
	case $TRAFFIC_KIND in
	testpmd) tp_stop guest ;;
	lsgen) lg_stop guest ;;
	esac
	TRAFFIC_PID=
}

# ---- the watcher: the idle guest port ---------------------------------------------------

WATCHER_PID=
# watcher_start SOCKET: an lsgen that yields its core when idle and only counts.
watcher_start() {
	lg_start idle yes "net_virtio_user0,path=$1,mac=$IDLE_MAC" || return 1
	WATCHER_PID=${LG_PID[idle]}
	lg_link_up idle 0 5000 || { warn "idle port: link down"; return 1; }
}

watcher_rx() { lg idle stats | jq -r '.ports[0].rx'; }

watcher_stop() {
	lg_stop idle
	WATCHER_PID=
}

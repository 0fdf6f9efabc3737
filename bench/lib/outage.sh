# SPDX-License-Identifier: BSD-3-Clause
# bench/lib/outage.sh - restart outage rows with real QEMU guests. Sourced by bench/run (uses
# common.sh's process tracking and switches.sh's OVS helpers).
#
# Two QEMU/TCG guests (tests/e2e/guest-image.sh builds them once, with bench/lib/guest-init.sh
# as their init) own their vhost-user sockets (server=on, as libvirt's mode='server'): guest A
# (10.99.0.1) pings guest B (10.99.0.2) every 0.1 s and stamps every reply with its uptime on
# its serial console. The switch connects as vhost-user client:
#   lanswitch  lanswitchd --state FILE, ports `lanctl port add gN vhost SOCK` (client mode,
#              the default); restart = SIGTERM, wait for the exit, start again with the same
#              --state (the ports come back from it)
#   ovs        ovs-vswitchd with a private ovsdb, `dpdkvhostuserclient` ports; restart = only
#              ovs-vswitchd (stopped as OVS_RESTART says, default `ovs-appctl exit`; start
#              again; the ovsdb keeps the bridge and ports)
# One measurement (outage_measure) starts the contender fresh, waits until the guests ping
# steadily, restarts the switch once, waits until the pings flow again, stops the switch; the
# guests stay up across measurements (both contenders, interleaved), one pair of guests per
# row: "outage" default guests, "outage-keep" guests with arp_evict_nocarrier=0.
# The number is the longest gap between two replies around the restart, in the guest's clock;
# the host's timestamps of the restart's steps (stop, exec, control socket, ports up) and the
# first reply after it say where the time went.

OUTAGE_IMAGE_DIR=${OUTAGE_IMAGE_DIR:-/var/tmp/lanswitch-bench-guest}
OUTAGE_GUEST_MEM=${OUTAGE_GUEST_MEM:-256}
OUTAGE_STEADY=1.5 # seconds of replies in a row before a restart counts as "from steady"
OUTAGE_RECOVER_S=30
OUTAGE_BOOT_S=90
OUTAGE_MODE=
OUTAGE_GUESTS=() # QEMU pids
OUTAGE_T=()      # host timestamps of the last restart: kill exited exec ctl ports recovered
OUTAGE_OFFSET=   # host time minus the guest's uptime (smallest seen: lines appear after)
OUTAGE_OFF_N=0

# No offloads on the guests' NICs. The guests stay up while the contenders take turns on
# their sockets, and QEMU refuses a backend that lacks a feature the guest driver acked with
# the one before ("vhost lacks feature mask 0x4001 for backend": OVS, whose vhost ports use
# linear buffers, offers neither CSUM nor HOST_UFO, lanswitch does). With none of them the
# guest's features are a subset of what every contender offers; a ping does not miss them.
OUTAGE_NIC_OFFLOADS="csum=off,guest_csum=off,gso=off,host_tso4=off,host_tso6=off,host_ecn=off,host_ufo=off,guest_tso4=off,guest_tso6=off,guest_ecn=off,guest_ufo=off"

MAC_QA=52:54:00:00:00:0a
MAC_QB=52:54:00:00:00:0b

# stamp: every line of stdin prefixed with the host's time, for the daemons' logs.
stamp() { perl -MTime::HiRes=time -ne 'BEGIN { $| = 1 } printf "%.3f %s", time, $_'; }
note_event() { printf '%s bench: %s\n' "$EPOCHREALTIME" "$*" >>"$W/outage-$SW.log"; }

# ---- guests -------------------------------------------------------------------------------

outage_guest_boot() { # NAME SOCK MAC APPEND
	local name=$1 sock=$2 mac=$3 append=$4 pid
	rm -f "$sock" "$W/$name.log"
	taskset -c "$GUEST_LCORE" timeout --foreground 3600 qemu-system-x86_64 \
		-name "$name" -accel tcg -machine pc,memory-backend=mem -m "$OUTAGE_GUEST_MEM" -smp 1 \
		-nodefaults -no-user-config -display none -monitor none -no-reboot \
		-serial "file:$W/$name.log" \
		-object "memory-backend-memfd,id=mem,size=${OUTAGE_GUEST_MEM}M,share=on" \
		-chardev "socket,id=chr0,path=$sock,server=on,wait=off" \
		-netdev vhost-user,id=net0,chardev=chr0 \
		-device "virtio-net-pci,netdev=net0,vectors=0,romfile=,mac=$mac,$OUTAGE_NIC_OFFLOADS" \
		-kernel "$OUTAGE_IMAGE_DIR/kernel" -initrd "$OUTAGE_IMAGE_DIR/initrd.cpio" \
		-append "console=ttyS0 quiet loglevel=3 edd=off rodata=off mitigations=off panic=-1 ls.name=$name $append" \
		</dev/null >"$W/$name.qemu.log" 2>&1 &
	pid=$!
	track_pid "$pid" "qemu $name"
	OUTAGE_GUESTS+=("$pid")
}

# outage_guests_start MODE: default | keep. QEMU waits for the switch before the guest runs.
outage_guests_start() {
	OUTAGE_MODE=$1
	OUTAGE_OFFSET=
	# how OVS was stopped goes with the results (results.md does not say)
	[ -n "${OUT:-}" ] && printf 'OVS_RESTART=%s\n' "$OVS_RESTART" >"$OUT/ovs-restart.txt"
	local keep=0
	[ "$1" = keep ] && keep=1
	"$LIB/../../tests/e2e/guest-image.sh" --init "$LIB/guest-init.sh" --no-iperf \
		"$OUTAGE_IMAGE_DIR" >>"$W/guest-image.log" 2>&1 || {
		tail -n 5 "$W/guest-image.log" >&2
		return 1
	}
	outage_guest_boot qa "$W/qa.sock" $MAC_QA \
		"ls.ip=10.99.0.1/24 ls.role=pinger ls.peer=10.99.0.2 ls.interval=0.1 ls.arpkeep=$keep"
	outage_guest_boot qb "$W/qb.sock" $MAC_QB "ls.ip=10.99.0.2/24 ls.role=idle ls.arpkeep=$keep"
	wait_until "QEMU socket qa" 20 test -S "$W/qa.sock" &&
		wait_until "QEMU socket qb" 20 test -S "$W/qb.sock"
}

outage_guests_stop() {
	local pid
	for pid in "${OUTAGE_GUESTS[@]}"; do
		stop_pid "$pid" 5
	done
	OUTAGE_GUESTS=()
	# the guest logs go with the results (the gaps can be recomputed from them)
	[ -n "${OUT:-}" ] && [ -e "$W/qa.log" ] && cp "$W/qa.log" "$OUT/guest-$OUTAGE_MODE-qa.log"
	[ -n "${OUT:-}" ] && [ -e "$W/qb.log" ] && cp "$W/qb.log" "$OUT/guest-$OUTAGE_MODE-qb.log"
	rm -f "$W/qa.sock" "$W/qb.sock"
}

# Prints "REPLIES LAST_UPTIME" of guest A's ping so far.
outage_replies() {
	tr -d '\r' <"$W/qa.log" 2>/dev/null |
		awk '/^@@P [0-9.]+ .*bytes from .*seq=/ && !/DUP/ {n++; t = $2} END {print n + 0, t + 0}'
}

# outage_wait_steady TIMEOUT: true once replies arrived without a stall for OUTAGE_STEADY s;
# meanwhile refines OUTAGE_OFFSET from the replies as they appear.
outage_wait_steady() {
	local deadline=$((SECONDS + $1)) hist=() n u h k need off
	need=$(awk -v s="$OUTAGE_STEADY" 'BEGIN {printf "%d", s * 10}')
	while [ $SECONDS -lt $deadline ]; do
		h=$EPOCHREALTIME
		read -r n u < <(outage_replies)
		hist+=("$n")
		if [ "$n" -gt 0 ]; then
			off=$(awk -v h="$h" -v u="$u" 'BEGIN {printf "%.3f", h - u}')
			if [ -z "$OUTAGE_OFFSET" ] || awk -v a="$off" -v b="$OUTAGE_OFFSET" 'BEGIN {exit !(a < b)}'; then
				OUTAGE_OFFSET=$off
			fi
		fi
		k=${#hist[@]}
		# a reply every 0.1 s: at least 80% of them over the last OUTAGE_STEADY seconds
		if [ "$k" -gt "$need" ] && [ $((n - hist[k - 1 - need])) -ge $((need * 8 / 10)) ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# ---- the contenders -----------------------------------------------------------------------

OS_STATE=

os_lanswitchd_exec() {
	"$LANSWITCHD" --socket "$W/ctl.sock" --state "$OS_STATE" --fdb-size "$FDB_SIZE" -- \
		-l "$GUEST_LCORE,$FWD_CORE" --main-lcore "$GUEST_LCORE" --file-prefix "${PFX}sw" \
		--in-memory --no-pci </dev/null > >(stamp >>"$W/outage-lanswitch.log") 2>&1 &
	SW_PID=$!
	track_pid "$SW_PID" lanswitchd
}

os_ports_up_lanswitch() {
	[ "$(lanctl -j port list 2>/dev/null | jq -r '[.[] | select(.link == "up")] | length')" = 2 ]
}

os_start_lanswitch() {
	OS_STATE=$W/outage.state
	rm -f "$OS_STATE" "$W/ctl.sock"
	os_lanswitchd_exec
	wait_until "lanswitchd control socket" 20 lanctl stats || return 1
	lanctl port add g0 vhost "$W/qa.sock" >/dev/null && lanctl port add g1 vhost "$W/qb.sock" >/dev/null
}

os_restart_lanswitch() {
	local t_kill t_exit t_exec t_ctl t_up
	note_event "restart: SIGTERM to $SW_PID"
	t_kill=$EPOCHREALTIME
	kill -TERM "$SW_PID"
	wait_gone "$SW_PID" 10 || { kill -KILL "$SW_PID"; wait_gone "$SW_PID" 2; }
	wait "$SW_PID" 2>/dev/null
	untrack_pid "$SW_PID"
	t_exit=$EPOCHREALTIME
	note_event "restart: exited; exec"
	os_lanswitchd_exec
	t_exec=$EPOCHREALTIME
	# tight polls: these timestamps say where the outage goes
	local i
	for ((i = 0; i < 1000; i++)); do
		lanctl stats >/dev/null 2>&1 && break
		sleep 0.01
	done
	t_ctl=$EPOCHREALTIME
	note_event "restart: control socket answers"
	for ((i = 0; i < 1000; i++)); do
		os_ports_up_lanswitch && break
		sleep 0.01
	done
	t_up=$EPOCHREALTIME
	note_event "restart: both ports up"
	OUTAGE_T=("$t_kill" "$t_exit" "$t_exec" "$t_ctl" "$t_up")
}

os_stop_lanswitch() {
	stop_pid "$SW_PID" 10
	SW_PID=
	rm -f "$OS_STATE"
}

os_start_ovs() {
	ovs_db_start || return 1
	# OVS's own memory default (none preallocated: DPDK takes hugepages as it goes), not the
	# throughput rows' 1 GiB: mapping that took each start 0.3 s more here (0.55 s from exec
	# to --detach returning, against 0.25 s), and a restart is what these rows measure
	vsctl --no-wait remove Open_vSwitch . other_config dpdk-socket-mem || return 1
	ovs_vswitchd_start || return 1
	vsctl add-br "$OVS_BR" -- set bridge "$OVS_BR" datapath_type=netdev \
		-- add-port "$OVS_BR" g0 -- set Interface g0 type=dpdkvhostuserclient \
		"options:vhost-server-path=$W/qa.sock" \
		-- add-port "$OVS_BR" g1 -- set Interface g1 type=dpdkvhostuserclient \
		"options:vhost-server-path=$W/qb.sock" >/dev/null ||
		{ tail -n 15 "$OVS_D/ovs-vswitchd.log" >&2; return 1; }
}

# outage_wait_dead PID SECONDS: true once PID has exited, reaped or not. ovs-vswitchd
# --detach is no child of ours: its parent is PID 1, which on these VMs (not systemd) reaps
# 1.0-1.7 s late, so kill -0 saw a zombie that had closed its sockets and freed its memory
# within 0.03 s of any stop (exit, SIGTERM or SIGKILL alike); the old rows counted that wait
# as OVS's. lanswitchd is our child: bash reaps it at once.
outage_wait_dead() {
	local i f
	for ((i = 0; i < $2 * 100; i++)); do
		f=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
		f=${f##*) } # the state, after the command's name in parentheses
		[ "${f%% *}" = Z ] && return 0
		sleep 0.01
	done
	return 1
}

# How ovs-vswitchd is stopped for its restart (OVS_RESTART):
#   exit     `ovs-appctl exit`: what ovs-ctl's stop and restart do first (and so systemd's
#            stop and reload of ovs-vswitchd.service): OVS's own restart. It leaves the
#            datapath's ports and taps for the next start, which finds them again in the
#            ovsdb. The default.
#   cleanup  `ovs-appctl exit --cleanup`: removes the datapath's ports first (an uninstall's
#            stop, not a restart's)
#   term     SIGTERM, as lanswitchd gets; what ovs-ctl sends when `exit` did not end it
#   kill     SIGKILL: a crash, no restart anyone chooses; a floor for the others
OVS_RESTART=${OVS_RESTART:-exit}

ovs_restart_stop() { # PID
	case $OVS_RESTART in
	exit) ovs_appctl exit >/dev/null ;;
	cleanup) ovs_appctl exit --cleanup >/dev/null ;;
	term) kill -TERM "$1" ;;
	kill) kill -KILL "$1" ;;
	*) warn "OVS_RESTART=$OVS_RESTART: expected exit, cleanup, term or kill"; return 1 ;;
	esac
}

os_restart_ovs() {
	local t_kill t_exit t_exec t_ctl t_up i
	local pid=$SW_PID
	note_event "restart: $OVS_RESTART to $pid"
	t_kill=$EPOCHREALTIME
	ovs_restart_stop "$pid" || return 1
	outage_wait_dead "$pid" 10 || { kill -KILL "$pid"; outage_wait_dead "$pid" 2; }
	untrack_pid "$pid"
	SW_PID=
	t_exit=$EPOCHREALTIME
	note_event "restart: exited; exec"
	# --detach returns once the daemon is initialised
	ovs_vswitchd_start || return 1
	t_exec=$EPOCHREALTIME
	for ((i = 0; i < 1000; i++)); do
		ovs_appctl version >/dev/null 2>&1 && break
		sleep 0.01
	done
	t_ctl=$EPOCHREALTIME
	note_event "restart: control socket answers"
	# OVS's link_state is not a reliable signal after a restart (reference README): only
	# recorded, the guests' pings decide
	local deadline=$((SECONDS + 3))
	while [ $SECONDS -lt $deadline ]; do
		[ "$(vsctl get Interface g0 link_state 2>/dev/null)$(vsctl get Interface g1 link_state 2>/dev/null)" = upup ] && break
		sleep 0.01
	done
	t_up=$EPOCHREALTIME
	note_event "restart: both ports up (ovsdb link_state)"
	OUTAGE_T=("$t_kill" "$t_exit" "$t_exec" "$t_ctl" "$t_up")
}

os_stop_ovs() {
	cp "$OVS_D/ovs-vswitchd.log" "$W/outage-ovs-vswitchd.$EPOCHSECONDS.log" 2>/dev/null
	ovs_cleanup
	SW_PID=
}

# ---- one measurement ----------------------------------------------------------------------

# outage_measure ROW CONTENDER REP TRY
outage_measure() {
	local row=$1 rep=$3 try=$4 t_rec=
	SW=$2
	CUR="$row/$SW/rep$rep"
	MEASURE_STATUS=ok MEASURE_REASON=
	OUTAGE_T=()
	# host time minus guest uptime, estimated afresh for every restart (a TCG guest's
	# clock may drift from the host's over minutes)
	OUTAGE_OFFSET=
	note_event "$CUR: start"
	{
		"os_start_$SW" || fail_measure failed "the switch did not start"
	} && {
		# the guests boot once a switch connects the first time: the first wait is long
		local wait_s=$OUTAGE_RECOVER_S n u
		read -r n u < <(outage_replies)
		[ "$n" -gt 0 ] || wait_s=$OUTAGE_BOOT_S
		outage_wait_steady "$wait_s" ||
			fail_measure died "the guests did not ping steadily within $wait_s s"
	} && {
		# a second steady stretch: the offset estimate gets more samples
		outage_wait_steady 10
		"os_restart_$SW" || fail_measure failed "the switch did not start again"
	} && {
		outage_wait_steady "$OUTAGE_RECOVER_S" ||
			fail_measure died "no steady pings within $OUTAGE_RECOVER_S s of the restart"
		t_rec=$EPOCHREALTIME
	}
	# the pings of a few more tenths, so the gap's end is in the log
	sleep 0.3
	local verdict
	verdict=$("$PY" "$LIB/report.py" judge-outage --csv "$OUT/results.csv" \
		contender="$SW" row="$row" rep="$rep" try="$try" status="$MEASURE_STATUS" \
		reason="$MEASURE_REASON" log="$W/qa.log" offset="${OUTAGE_OFFSET:-}" \
		t_kill="${OUTAGE_T[0]:-}" t_exit="${OUTAGE_T[1]:-}" t_exec="${OUTAGE_T[2]:-}" \
		t_ctl="${OUTAGE_T[3]:-}" t_up="${OUTAGE_T[4]:-}" t_rec="$t_rec")
	local rc=$?
	note_event "$CUR: stop"
	"os_stop_$SW"
	check_no_leftovers
	info "$CUR: $verdict"
	return $rc
}

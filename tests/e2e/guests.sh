#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# guests.sh - end-to-end test with two real QEMU guests on vhost-user ports of the switch.
#
# The guests' virtio-net NICs are vhost-user sockets that QEMU owns (server=on, as libvirt's
# mode='server'), so the switch connects to them as a vhost-user client, its default. Guest A
# (10.99.0.1, 52:54:00:00:00:0a) pings guest B (10.99.0.2, 52:54:00:00:00:0b), then sends
# E2E_IPERF_SECS of iperf3 TCP to it. With lanswitchd as the switch the test also asserts
# on `lanctl -j port list` (both ports up, rx_packets > 0) and `lanctl -j fdb show` (each
# guest's MAC on its own port) while the guests are still up.
#
# Run it, or source it for its functions (a test of its own then calls them).
#
# env:
#   E2E_SWITCH      lanswitchd (default) or testpmd (dpdk-testpmd io forwarding: a self-test
#                   of this harness, no lanctl checks)
#   LANSWITCHD      the daemon (default build/dataplane/lanswitchd of this repo)
#   LANCTL          the CLI (default build/control/lanctl of this repo)
#   E2E_IMAGE_DIR   where guest-image.sh keeps the guest kernel and initramfs
#                   (default /var/tmp/lanswitch-e2e; built once, then reused)
#   E2E_IPERF_SECS  length of the TCP test (default 4)
#   E2E_TIMEOUT     seconds the guests get from connection to done (default 150)
#   E2E_GUEST_MEM   MiB of RAM per guest (default 256)
#   E2E_KEEP=1      keep the work directory (logs) instead of removing it
#
# Prints a PASS or FAIL line per check and a final "PASS e2e-guests ..." or
# "FAIL e2e-guests ..." line; exit status 0 only when every check passed.
#
# Facts this encodes, found the hard way on the project's machines:
# - KVM does not boot ordinary guest kernels there: -accel tcg.
# - QEMU 7.2 with TCG + vhost-user-net + MSI-X segfaults in kvm_virtio_pci_irqfd_use() when
#   the guest driver starts the device: vectors=0 on virtio-net-pci (the guest uses INTx).
# - The switch must map guest memory: a shared memfd backend.
# - QEMU's vhost-user netdev waits for its peer before the guest starts, even with wait=off:
#   a guest's boot begins when the switch connects.
# - QEMU logs "Failed to set msg fds." and "ring restore failed: -22" when the switch
#   disconnects; harmless.
set -u

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$E2E_DIR/../.." && pwd)
E2E_SWITCH=${E2E_SWITCH:-lanswitchd}
E2E_IMAGE_DIR=${E2E_IMAGE_DIR:-/var/tmp/lanswitch-e2e}
E2E_IPERF_SECS=${E2E_IPERF_SECS:-4}
E2E_TIMEOUT=${E2E_TIMEOUT:-150}
E2E_GUEST_MEM=${E2E_GUEST_MEM:-256}
E2E_KEEP=${E2E_KEEP:-0}
LANSWITCHD=${LANSWITCHD:-$REPO_DIR/build/dataplane/lanswitchd}
LANCTL=${LANCTL:-$REPO_DIR/build/control/lanctl}
HUGEPAGES_MNT=/dev/hugepages

MAC_A=52:54:00:00:00:0a
MAC_B=52:54:00:00:00:0b
IP_A=10.99.0.1
IP_B=10.99.0.2
PING_MIN_REPLIES=3

WORK=""             # temp dir: sockets, logs, the daemon's state
EAL_PREFIX=lse2e$$  # the switch's --file-prefix: names any hugepage file it could leave
SWITCH_PID=""
STOP_STATUS=""
GUEST_PIDS=()       # QEMU (under timeout --foreground) of each guest we booted
CTL_SOCK=""
CHECKS_FAILED=0
FAIL_REASONS=()
T0=$(date +%s.%N)

# ---------------------------------------------------------------- reporting

elapsed_since() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}

log() {
	echo "[+$(elapsed_since "$T0")s] $*"
}

check_pass() {
	echo "PASS $*"
}

check_fail() {
	echo "FAIL $*"
	CHECKS_FAILED=$((CHECKS_FAILED + 1))
	FAIL_REASONS+=("${1%%:*}")
}

# Shows the end of each log in WORK, for a failed run.
dump_logs() {
	local f
	for f in "$WORK"/*.log; do
		[ -e "$f" ] || continue
		echo "---- tail of $(basename "$f")"
		tail -n 25 "$f" | tr -d '\r'
	done
}

# ---------------------------------------------------------------- processes

# Stops PID (a child of this shell) with SIGTERM, then SIGKILL after SECS; sets STOP_STATUS
# to its exit status, or "killed". Not in a $(...): only this shell can reap its children.
stop_pid() {
	local pid=$1 secs=${2:-5} i=0
	kill -TERM "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ $i -lt $((secs * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		STOP_STATUS=killed
		return
	fi
	wait "$pid" 2>/dev/null
	STOP_STATUS=$?
}

cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM
	for pid in "${GUEST_PIDS[@]}"; do
		stop_pid "$pid" 5
	done
	[ -n "$SWITCH_PID" ] && stop_pid "$SWITCH_PID" 10
	# --in-memory leaves no hugepage files; this is for a switch that was killed mid-way
	rm -f "$HUGEPAGES_MNT/$EAL_PREFIX"* 2>/dev/null
	rm -rf "/var/run/dpdk/$EAL_PREFIX"
	if [ -n "$WORK" ]; then
		if [ "$E2E_KEEP" = 1 ]; then
			echo "kept $WORK"
		else
			rm -rf "$WORK"
		fi
	fi
	exit "$rc"
}

make_workdir() {
	WORK=$(mktemp -d /tmp/lanswitch-e2e.XXXXXX) || return 1
	CTL_SOCK=$WORK/ctl.sock
}

# Waits up to SECS for a unix socket at PATH; fails early when PID (if given) has exited.
wait_for_socket() {
	local path=$1 secs=$2 pid=${3:-} i=0
	while [ ! -S "$path" ]; do
		[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && return 1
		[ $i -ge $((secs * 10)) ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# ---------------------------------------------------------------- guests

# Boots guest NAME with its NIC on vhost-user socket SOCK (QEMU is the server), MAC, and the
# guest-init.sh parameters in APPEND. Serial console to WORK/NAME.log.
guest_boot() {
	local name=$1 sock=$2 mac=$3 append=$4 mem=$E2E_GUEST_MEM
	# quiet console, no time spent on mitigations or EDD probing under TCG; a panic stops QEMU
	local kernel_args="console=ttyS0 quiet loglevel=3 edd=off rodata=off mitigations=off panic=-1"
	rm -f "$sock"
	# --foreground keeps QEMU in our process group, so a runner that kills the group kills it
	timeout --foreground $((E2E_TIMEOUT + 60)) qemu-system-x86_64 \
		-name "$name" -accel tcg -machine pc,memory-backend=mem -m "$mem" -smp 1 \
		-nodefaults -no-user-config -display none -monitor none -no-reboot \
		-serial "file:$WORK/$name.log" \
		-object "memory-backend-memfd,id=mem,size=${mem}M,share=on" \
		-chardev "socket,id=chr0,path=$sock,server=on,wait=off" \
		-netdev vhost-user,id=net0,chardev=chr0 \
		-device "virtio-net-pci,netdev=net0,vectors=0,romfile=,mac=$mac" \
		-kernel "$E2E_IMAGE_DIR/kernel" -initrd "$E2E_IMAGE_DIR/initrd.cpio" \
		-append "$kernel_args ls.name=$name $append" \
		</dev/null >"$WORK/$name.qemu.log" 2>&1 &
	GUEST_PIDS+=($!)
}

# Prints the last "@@WHAT ..." line of guest NAME's console, without the CR.
guest_line() {
	grep -a "^@@$2\b" "$WORK/$1.log" 2>/dev/null | tr -d '\r' | tail -n 1
}

# Prints the value of KEY=VALUE in LINE.
line_field() {
	sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"
}

# Waits until each guest in NAMES (space-separated) printed @@DONE, logging each marker the
# first time it shows up with the host's time since CONNECT_T. Fails when a guest's QEMU
# exits before its @@DONE or after E2E_TIMEOUT seconds.
guests_wait_done() {
	local names=$1 connect_t=$2 name m i pid all seen_key
	declare -gA GUEST_MARK_T=()
	local -a pids=("${GUEST_PIDS[@]}")
	while :; do
		all=1
		i=0
		for name in $names; do
			for m in BOOT NET LINK PING IPERF IPERF_SERVER DONE; do
				seen_key=$name.$m
				[ -n "${GUEST_MARK_T[$seen_key]:-}" ] && continue
				if [ -n "$(guest_line "$name" "$m")" ]; then
					GUEST_MARK_T[$seen_key]=$(elapsed_since "$connect_t")
					log "$name: $(guest_line "$name" "$m")"
				fi
			done
			if [ -z "${GUEST_MARK_T[$name.DONE]:-}" ]; then
				all=0
				pid=${pids[$i]}
				if ! kill -0 "$pid" 2>/dev/null; then
					log "$name: QEMU exited before the guest was done"
					return 1
				fi
			fi
			i=$((i + 1))
		done
		[ $all = 1 ] && return 0
		if [ -n "$SWITCH_PID" ] && ! kill -0 "$SWITCH_PID" 2>/dev/null; then
			log "the switch ($E2E_SWITCH) exited while the guests ran"
			return 1
		fi
		if [ "$(awk -v e="$(elapsed_since "$connect_t")" -v t="$E2E_TIMEOUT" \
			'BEGIN { print (e > t) }')" = 1 ]; then
			log "guests not done after ${E2E_TIMEOUT}s"
			return 1
		fi
		sleep 0.2
	done
}

# ---------------------------------------------------------------- switches

# Starts lanswitchd on CTL_SOCK and waits for its control socket.
switch_start_lanswitchd() {
	[ -x "$LANSWITCHD" ] || {
		log "lanswitchd not found at $LANSWITCHD (build it, or set LANSWITCHD)"
		return 1
	}
	[ -x "$LANCTL" ] || {
		log "lanctl not found at $LANCTL (build it, or set LANCTL)"
		return 1
	}
	# --no-pci: the test uses no PCI device, and EAL would probe (and fail on) the machine's
	# own kernel-bound NICs
	"$LANSWITCHD" --socket "$CTL_SOCK" --state "$WORK/state" -- \
		-l 0,1 --no-pci --file-prefix "$EAL_PREFIX" --in-memory \
		</dev/null >"$WORK/lanswitchd.log" 2>&1 &
	SWITCH_PID=$!
	if ! wait_for_socket "$CTL_SOCK" 30 "$SWITCH_PID"; then
		log "lanswitchd made no control socket $CTL_SOCK (alive: $(kill -0 "$SWITCH_PID" \
			2>/dev/null && echo yes || echo no))"
		return 1
	fi
	log "lanswitchd ready (pid $SWITCH_PID)"
}

# Adds each guest's QEMU socket as a vhost port; lanswitchd connects as client by default.
switch_attach_lanswitchd() {
	local out
	out=$("$LANCTL" -s "$CTL_SOCK" port add vmA vhost "$WORK/a.sock" 2>&1) || {
		log "lanctl port add vmA failed: $out"
		return 1
	}
	out=$("$LANCTL" -s "$CTL_SOCK" port add vmB vhost "$WORK/b.sock" 2>&1) || {
		log "lanctl port add vmB failed: $out"
		return 1
	}
	log "ports vmA, vmB added"
}

# Starts dpdk-testpmd as the switch: two vhost-user client ports, io forwarding between them.
switch_start_testpmd() {
	command -v dpdk-testpmd >/dev/null || {
		log "dpdk-testpmd not found (package dpdk-dev)"
		return 1
	}
	# non-interactive (--stats-period) so it runs with stdin closed
	dpdk-testpmd -l 0,1 --no-pci --in-memory --file-prefix "$EAL_PREFIX" \
		--vdev "net_vhost0,iface=$WORK/a.sock,client=1" \
		--vdev "net_vhost1,iface=$WORK/b.sock,client=1" -- \
		--forward-mode=io --auto-start --stats-period 60 --no-mlockall \
		--total-num-mbufs=16384 </dev/null >"$WORK/testpmd.log" 2>&1 &
	SWITCH_PID=$!
	log "dpdk-testpmd started (pid $SWITCH_PID)"
}

# Stops the switch; prints what testpmd forwarded, checks lanswitchd exited cleanly.
switch_stop() {
	local st pid=$SWITCH_PID
	[ -n "$pid" ] || return 0
	SWITCH_PID=""
	stop_pid "$pid" 10
	st=$STOP_STATUS
	case "$E2E_SWITCH" in
	testpmd)
		log "testpmd: $(grep -A3 'Accumulated forward' "$WORK/testpmd.log" |
			grep -o '[RT]X-\(packets\|total\|dropped\): *[0-9]*' | tr -s ' ' | tr '\n' ' ')"
		;;
	lanswitchd)
		case "$st" in
		killed) check_fail "lanswitchd-stop: still running 10 s after SIGTERM" ;;
		0 | 143) check_pass "lanswitchd-stop: exited with status $st on SIGTERM" ;;
		*) check_fail "lanswitchd-stop: exited with status $st on SIGTERM" ;;
		esac
		;;
	esac
}

# ---------------------------------------------------------------- checks

check_ping() {
	local line rx
	line=$(guest_line vmA PING)
	rx=$(line_field "$line" received)
	if [ "${rx:-0}" -ge $PING_MIN_REPLIES ]; then
		check_pass "ping: vmA -> vmB $rx/$(line_field "$line" sent) replies," \
			"rtt min/avg/max $(line_field "$line" rtt_min_ms)/$(line_field "$line" \
			rtt_avg_ms)/$(line_field "$line" rtt_max_ms) ms"
	else
		check_fail "ping: vmA -> vmB ${rx:-0} replies, want >= $PING_MIN_REPLIES (${line:-no result})"
	fi
}

check_iperf() {
	local line bytes bps
	line=$(guest_line vmA IPERF)
	bytes=$(line_field "$line" bytes)
	bps=$(line_field "$line" bits_per_second)
	if [[ $line == "@@IPERF OK"* ]] && awk -v b="${bytes:-0}" 'BEGIN { exit !(b > 0) }'; then
		IPERF_MBPS=$(awk -v b="$bps" 'BEGIN { printf "%.0f", b / 1e6 }')
		check_pass "iperf3: vmA -> vmB ${E2E_IPERF_SECS}s TCP, $bytes bytes received," \
			"$IPERF_MBPS Mbit/s, $(line_field "$line" retransmits) retransmits"
	else
		check_fail "iperf3: vmA -> vmB moved nothing (${line:-no result};" \
			"server: $(guest_line vmB IPERF_SERVER))"
	fi
}

# lanctl -j port list: both ports up, each received something.
check_port_list() {
	local json p got
	if ! json=$("$LANCTL" -s "$CTL_SOCK" -j port list 2>&1); then
		check_fail "port-list: lanctl -j port list failed: $json"
		return
	fi
	echo "$json" >"$WORK/port-list.json"
	for p in vmA vmB; do
		got=$(jq -r --arg n "$p" '[.[] | select(.name == $n)] | if length == 0 then "absent"
			else .[0] | "link=\(.link) rx_packets=\(.rx_packets) tx_packets=\(.tx_packets)"
			end' <<<"$json" 2>&1)
		if jq -e --arg n "$p" 'any(.[]; .name == $n and .link == "up" and .rx_packets > 0)' \
			<<<"$json" >/dev/null 2>&1; then
			check_pass "port-list: $p $got"
		else
			check_fail "port-list: $p $got (want link=up rx_packets>0)"
		fi
	done
	# not a check: drops are normal here (a TCG guest's rx ring fills), but worth seeing
	log "drops: $(jq -r '[.[] | "\(.name) {" + ([.drops // {} | to_entries[] |
		select(.value > 0) | "\(.key)=\(.value)"] | join(" ")) + "}"] | join(", ")' \
		<<<"$json" 2>/dev/null)"
}

# lanctl -j fdb show: each guest's MAC learned on its own port.
check_fdb() {
	local json p mac got
	if ! json=$("$LANCTL" -s "$CTL_SOCK" -j fdb show 2>&1); then
		check_fail "fdb: lanctl -j fdb show failed: $json"
		return
	fi
	echo "$json" >"$WORK/fdb.json"
	for p in vmA:$MAC_A vmB:$MAC_B; do
		mac=${p#*:}
		p=${p%%:*}
		got=$(jq -r --arg m "$mac" '[.[] | select((.mac | ascii_downcase) == $m) | .port] |
			if length == 0 then "absent" else join(",") end' <<<"$json" 2>&1)
		if [ "$got" = "$p" ]; then
			check_pass "fdb: $mac on $p"
		else
			check_fail "fdb: $mac on '$got', want $p"
		fi
	done
}

# ---------------------------------------------------------------- the test

test_guest_pair() {
	local connect_t boot_a boot_b rtt
	IPERF_MBPS=""
	"$E2E_DIR/guest-image.sh" "$E2E_IMAGE_DIR" || {
		check_fail "guest-image: could not build the guest image in $E2E_IMAGE_DIR"
		return 1
	}
	make_workdir || {
		check_fail "workdir: mktemp -d failed"
		return 1
	}
	log "switch: $E2E_SWITCH, work dir $WORK"
	if [ "$E2E_SWITCH" = lanswitchd ]; then
		switch_start_lanswitchd || {
			check_fail "lanswitchd: did not start"
			return 1
		}
	fi

	# both hold their links up after @@DONE until we stop them, so the switch can be inspected
	guest_boot vmA "$WORK/a.sock" $MAC_A "ls.ip=$IP_A/24 ls.hold=$E2E_TIMEOUT \
ls.role=ping:$IP_B:5,iperf:$IP_B:$E2E_IPERF_SECS"
	guest_boot vmB "$WORK/b.sock" $MAC_B "ls.ip=$IP_B/24 ls.hold=$E2E_TIMEOUT \
ls.role=iperf-server ls.serverwait=$E2E_TIMEOUT"
	if ! wait_for_socket "$WORK/a.sock" 20 "${GUEST_PIDS[0]}" ||
		! wait_for_socket "$WORK/b.sock" 20 "${GUEST_PIDS[1]}"; then
		check_fail "qemu: vhost-user sockets not created"
		return 1
	fi
	log "QEMU listening on a.sock, b.sock"

	connect_t=$(date +%s.%N)
	case "$E2E_SWITCH" in
	lanswitchd)
		switch_attach_lanswitchd || {
			check_fail "port-add: lanctl port add failed"
			return 1
		}
		;;
	testpmd)
		switch_start_testpmd || {
			check_fail "testpmd: did not start"
			return 1
		}
		;;
	*)
		check_fail "E2E_SWITCH: '$E2E_SWITCH' is neither lanswitchd nor testpmd"
		return 1
		;;
	esac

	if guests_wait_done "vmA vmB" "$connect_t"; then
		check_pass "guests: both done $(elapsed_since "$connect_t")s after the switch connected"
	else
		check_fail "guests: not done (see the logs below)"
	fi
	boot_a=${GUEST_MARK_T[vmA.NET]:-}
	boot_b=${GUEST_MARK_T[vmB.NET]:-}
	[ -n "$boot_a" ] && [ -n "$boot_b" ] &&
		log "boot (switch connect -> eth0 configured): vmA ${boot_a}s, vmB ${boot_b}s"
	check_ping
	check_iperf
	if [ "$E2E_SWITCH" = lanswitchd ]; then
		# the guests hold their links up until we stop them: the counters are live
		check_port_list
		check_fdb
	fi

	local pid
	for pid in "${GUEST_PIDS[@]}"; do
		stop_pid "$pid" 5
	done
	GUEST_PIDS=()
	switch_stop
	rtt=$(line_field "$(guest_line vmA PING)" rtt_avg_ms)
	SUMMARY="switch=$E2E_SWITCH boot=${boot_a:--}s/${boot_b:--}s rtt_avg=${rtt:--}ms"
	SUMMARY="$SUMMARY iperf=${IPERF_MBPS:--}Mbit/s"
}

main() {
	SUMMARY="switch=$E2E_SWITCH"
	trap cleanup EXIT
	trap 'echo "FAIL e2e-guests: interrupted (SIGINT)"; exit 130' INT
	trap 'echo "FAIL e2e-guests: terminated (SIGTERM, a test timeout?)"; exit 143' TERM
	[ "$(id -u)" -eq 0 ] || {
		echo "FAIL e2e-guests: run as root (QEMU, DPDK hugepages)"
		exit 1
	}
	test_guest_pair || true
	if [ $CHECKS_FAILED -gt 0 ]; then
		[ -n "$WORK" ] && dump_logs
		echo "FAIL e2e-guests $SUMMARY total=$(elapsed_since "$T0")s failed: ${FAIL_REASONS[*]}"
		exit 1
	fi
	echo "PASS e2e-guests $SUMMARY total=$(elapsed_since "$T0")s"
	exit 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	main "$@"
fi

# SPDX-License-Identifier: BSD-3-Clause
# bench/lib/common.sh - logging, the processes the bench starts, cleanup, and the checks
# before a run (packages, hugepages, leftover processes). Sourced by bench/run.
#
# Every process the bench starts is recorded with track_pid, every DPDK file prefix begins
# with $PFX, and everything lives under $W: cleanup_all stops, removes and checks exactly
# that, never anything else on the machine.

# ---- logging ------------------------------------------------------------------------------

log() { printf '%s\n' "$*" >&2; }
info() { [ "${QUIET:-0}" = 1 ] || printf 'bench: %s\n' "$*" >&2; }
warn() { printf 'bench: warning: %s\n' "$*" >&2; }

die() { # die [EXIT] MESSAGE...: the run cannot go on; cleanup runs from the EXIT trap
	local rc=1
	[[ $1 =~ ^[0-9]+$ ]] && { rc=$1; shift; }
	printf 'bench: %s\n' "$*" >&2
	exit "$rc"
}

now() { printf '%s\n' "$EPOCHREALTIME"; }

# ---- processes ----------------------------------------------------------------------------

declare -A TRACKED=() # pid -> name, for every process we started and have not reaped

track_pid() { TRACKED[$1]=$2; }
untrack_pid() { unset "TRACKED[$1]"; }

alive() { kill -0 "$1" 2>/dev/null; }

# Polls every 10 ms: the outage rows time a restart through it, and systemd learns of the
# exit at once (at 50 ms this added up to 0.05 s to every contender's outage).
wait_gone() { # wait_gone PID SECONDS: true once PID has exited
	local i
	for ((i = 0; i < $2 * 100; i++)); do
		alive "$1" || return 0
		sleep 0.01
	done
	return 1
}

# stop_pid PID [SECONDS]: SIGTERM, then SIGKILL after SECONDS (default 5); reaps our children.
stop_pid() {
	local pid=$1 grace=${2:-5}
	[ -n "$pid" ] || return 0
	if alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		if ! wait_gone "$pid" "$grace"; then
			warn "${TRACKED[$pid]:-process $pid} did not stop on SIGTERM: killed"
			kill -KILL "$pid" 2>/dev/null
			wait_gone "$pid" 2
		fi
	fi
	wait "$pid" 2>/dev/null
	untrack_pid "$pid"
	return 0
}

# wait_until WHAT SECONDS COMMAND...: runs COMMAND every 50 ms until it succeeds.
wait_until() {
	local what=$1 deadline i
	deadline=$(($(date +%s%N) + ${2%.*} * 1000000000))
	shift 2
	until "$@" >/dev/null 2>&1; do
		if [ "$(date +%s%N)" -ge "$deadline" ]; then
			warn "timed out waiting for $what"
			return 1
		fi
		sleep 0.05
	done
}

# ---- JSON-line talkers (lsgen) and fifo-driven interactive programs (testpmd) ---------------

declare -A FIFO_IN=() FIFO_OUT=() # name -> fd

# open_fifos NAME: creates $W/NAME.in and $W/NAME.out; the caller starts the process with
# <$W/NAME.in >$W/NAME.out (or >>log for testpmd) in the background, then calls attach_fifos.
open_fifos() {
	rm -f "$W/$1.in" "$W/$1.out"
	mkfifo "$W/$1.in" "$W/$1.out"
}

attach_fifo_in() { # attach_fifo_in NAME: our write end of its stdin
	local fd
	exec {fd}>"$W/$1.in"
	FIFO_IN[$1]=$fd
}

attach_fifo_out() { # attach_fifo_out NAME: our read end of its stdout
	local fd
	exec {fd}<"$W/$1.out"
	FIFO_OUT[$1]=$fd
}

close_fifos() {
	local fd
	fd=${FIFO_IN[$1]:-}
	[ -n "$fd" ] && exec {fd}>&-
	fd=${FIFO_OUT[$1]:-}
	[ -n "$fd" ] && exec {fd}<&-
	unset "FIFO_IN[$1]" "FIFO_OUT[$1]"
	rm -f "$W/$1.in" "$W/$1.out"
}

# ---- cleanup ------------------------------------------------------------------------------

CLEANUP_HOOKS=() # functions to run first (stop a contender's own way: OVS del-br, ...)

cleanup_all() {
	local rc=$? h pid name
	trap - EXIT INT TERM HUP
	for h in "${CLEANUP_HOOKS[@]}"; do
		"$h" || true
	done
	for pid in "${!TRACKED[@]}"; do
		stop_pid "$pid" 3
	done
	for name in "${!FIFO_IN[@]}" "${!FIFO_OUT[@]}"; do
		close_fifos "$name" 2>/dev/null
	done
	remove_dpdk_leftovers
	if [ -n "${W:-}" ] && [ -d "$W" ]; then
		# a run refused before it started anything has nothing to keep
		if [ -z "$(ls -A "$W")" ]; then
			rm -rf "$W"
		elif [ "${KEEP_WORKDIR:-0}" = 1 ] || [ "$rc" -ne 0 ]; then
			log "bench: logs kept in $W"
		else
			rm -rf "$W"
		fi
	fi
	exit "$rc"
}

# What DPDK leaves behind for our prefixes: runtime dirs, and hugepage files of a process
# that died before it could unlink them. Only names that start with our own prefix.
remove_dpdk_leftovers() {
	[ -n "${PFX:-}" ] || return 0
	local d
	for d in /var/run/dpdk/"$PFX"*; do
		[ -e "$d" ] && rm -rf "$d"
	done
	for d in /dev/hugepages/"$PFX"*; do
		[ -e "$d" ] && rm -f "$d"
	done
	return 0
}

check_no_leftovers() { # after cleanup of one measurement: nothing of ours may remain
	local left=()
	shopt -s nullglob
	# EAL leaves its (empty) runtime directory even with --in-memory: expected, removed
	rm -rf /var/run/dpdk/"$PFX"*
	left=(/dev/hugepages/"$PFX"*)
	shopt -u nullglob
	if [ ${#left[@]} -ne 0 ]; then
		warn "left behind: ${left[*]}; removing"
		remove_dpdk_leftovers
	fi
}

# ---- checks before a run ------------------------------------------------------------------

# Processes that would share the two cores with the run, or hold its resources. Refusing
# because of them (or of hugepages others hold) exits 3, or BENCH_BUSY_EXIT: the meson test
# sets 77 (skipped), so a `meson test` of everything, run while other tests use the cores,
# reports the bench as skipped, not failed.
BUSY_PATTERN='^(lanswitchd|lsgen|dpdk-testpmd|dpdk-test.*|ovs-vswitchd.*|qemu-system-.*)$'

# Prints "PID COMM" for every process matching BUSY_PATTERN that we did not start.
foreign_busy_processes() {
	local pid comm
	while read -r pid comm; do
		[[ $comm =~ $BUSY_PATTERN ]] || continue
		[ -n "${TRACKED[$pid]:-}" ] && continue
		printf '%s %s\n' "$pid" "$comm"
	done < <(ps -eo pid=,comm=)
}

refuse_if_leftover_processes() {
	local found
	found=$(foreign_busy_processes)
	[ -z "$found" ] && return 0
	log "bench: refusing to run: these processes would share the cores or the hugepages:"
	ps -o pid,etime,pcpu,args -p "$(printf '%s\n' "$found" | awk '{print $1}' | paste -sd,)" >&2
	die "${BENCH_BUSY_EXIT:-3}" "stop them first (a leftover from an earlier run, or another test running now)"
}

# Share of both cores busy over SECONDS, from /proc/stat (before we start anything).
machine_busy_pct() {
	local a b
	a=($(head -1 /proc/stat))
	sleep "$1"
	b=($(head -1 /proc/stat))
	local tot=0 idle i
	for ((i = 1; i < ${#a[@]}; i++)); do
		tot=$((tot + b[i] - a[i]))
	done
	idle=$((b[4] - a[4] + b[5] - a[5]))
	[ "$tot" -gt 0 ] || { echo 0; return; }
	echo $((100 * (tot - idle) / tot))
}

hugepages_free() { awk '/^HugePages_Free:/ {print $2}' /proc/meminfo; }

refuse_if_hugepages_missing() { # refuse_if_hugepages_missing PAGES
	local free
	mountpoint -q /dev/hugepages || die "${BENCH_BUSY_EXIT:-3}" "hugepages missing: nothing mounted at /dev/hugepages"
	free=$(hugepages_free)
	[ "$free" -ge "$1" ] ||
		die "${BENCH_BUSY_EXIT:-3}" "hugepages missing: $free free 2 MiB pages, the run needs $1" \
			"(scripts/setup.sh reserves them; LANSWITCH_HUGEPAGES raises the target)"
}

package_installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# install_bench_packages PKG...: apt-get install what is missing, with a policy-rc.d that
# forbids starting services (openvswitch-switch's postinst would start the system's OVS).
install_bench_packages() {
	local missing=() p pol=/usr/sbin/policy-rc.d
	for p in "$@"; do
		package_installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	info "installing ${missing[*]} (no services started)"
	if [ -e "$pol" ]; then
		cp -p "$pol" "$W/policy-rc.d.saved"
	fi
	printf '#!/bin/sh\n# bench/run: install without starting services\nexit 101\n' >"$pol"
	chmod 0755 "$pol"
	local rc=0
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q update \
		>"$W/apt.log" 2>&1 &&
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q install -y \
			--no-install-recommends "${missing[@]}" >>"$W/apt.log" 2>&1 || rc=$?
	if [ -e "$W/policy-rc.d.saved" ]; then
		cp -p "$W/policy-rc.d.saved" "$pol"
	else
		rm -f "$pol"
	fi
	if [ "$rc" -ne 0 ]; then
		tail -n 20 "$W/apt.log" >&2
		die 3 "apt-get install ${missing[*]} failed"
	fi
	for p in "${missing[@]}"; do
		package_installed "$p" || die 3 "package $p still missing after apt-get install"
	done
}

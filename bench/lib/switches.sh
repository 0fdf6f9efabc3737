# SPDX-License-Identifier: BSD-3-Clause
# bench/lib/switches.sh - the contenders, each forwarding on core 1 alone between vhost-user
# ports it serves (the guests connect as virtio-user clients). Sourced by bench/run.
#
# Per contender C (lanswitch, ovs, testpmd):
#   sw_start_C NPORTS   NPORTS guest ports plus the idle one; sockets $W/g<i>.sock, $W/gidle.sock
#   sw_cpu_C            prints "busy_cycles packets total_cycles" of the forwarding core so
#                       far (OVS: since the last sw_cpu_reset_ovs; testpmd: total "-", the
#                       caller takes the window's length instead)
#   sw_idle_tx_C        frames the switch handed to the idle port so far
#   sw_drops_C          frames the switch counted as dropped so far (where it counts them)
#   sw_stop_C
# sw_start / sw_cpu / ... dispatch on $SW.

SW=
SW_PID=
FWD_CORE=1
FDB_SIZE=${FDB_SIZE:-131072}

SW_NPORTS=0
sw_start() {
	SW_NPORTS=$1
	rm -f "$W"/g*.sock # what an earlier contender left (OVS: links to its own sockets)
	"sw_start_$SW" "$@"
}
sw_cpu() { "sw_cpu_$SW"; }
sw_cpu_begin() { # OVS counts from a clear; the others from their start
	[ "$SW" = ovs ] && sw_cpu_reset_ovs
	sw_cpu
}
sw_idle_tx() { "sw_idle_tx_$SW"; }
sw_drops() { "sw_drops_$SW"; }
sw_stop() {
	[ -n "$SW" ] && "sw_stop_$SW"
	rm -f "$W"/g*.sock
}

# Where the idle port goes in the port order of a switch with NPORTS guest ports.
guest_sock() { printf '%s/g%s.sock\n' "$W" "$1"; }
IDLE_NAME=gidle
idle_sock() { printf '%s/%s.sock\n' "$W" "$IDLE_NAME"; }

# ---- lanswitch ----------------------------------------------------------------------------

lanctl() { "$LANCTL" -s "$W/ctl.sock" "$@"; }

# lanswitchd forwarding on FWD_CORE, its control thread on GUEST_LCORE, answering
sw_launch_lanswitch() {
	rm -f "$W/ctl.sock"
	"$LANSWITCHD" --socket "$W/ctl.sock" --state "" --fdb-size "$FDB_SIZE" -- \
		-l "$GUEST_LCORE,$FWD_CORE" --main-lcore "$GUEST_LCORE" --file-prefix "${PFX}sw" \
		--in-memory --no-pci >>"$W/lanswitchd.log" 2>&1 &
	SW_PID=$!
	track_pid "$SW_PID" lanswitchd
	wait_until "lanswitchd control socket" 20 lanctl stats || { tail -n 15 "$W/lanswitchd.log" >&2; return 1; }
}

# LS_GUARD=1 (environment): the contender lanswitch, not base, runs with every protection
# of the port guard on its guest ports, set to drop none of the traffic (allowed-mac aside:
# the rows' many source MACs do not fit its list): with --base of the same build, the ratio
# is what the guard's checks cost in the closed loop.
sw_guard_lanswitch() {
	local p
	for p in "$@"; do
		lanctl port set "$p" mac-limit 1000000 &&
			lanctl port set "$p" arp-guard 10.0.0.0/8 fe80::/10 &&
			lanctl port set "$p" dhcp-server deny && lanctl port set "$p" ra-guard deny &&
			lanctl port set "$p" storm broadcast 1000000 &&
			lanctl port set "$p" storm multicast 1000000 &&
			lanctl port set "$p" storm unknown-unicast 1000000 || return 1
	done
}

sw_start_lanswitch() {
	local n=$1 i
	sw_launch_lanswitch || return 1
	for ((i = 0; i < n; i++)); do
		lanctl port add "g$i" vhost "$(guest_sock $i)" --server || return 1
		if [ -n "${LS_GUARD:-}" ] && [ -z "${SW_BASE:-}" ]; then
			sw_guard_lanswitch "g$i" || return 1
		fi
	done
	lanctl port add "$IDLE_NAME" vhost "$(idle_sock)" --server || return 1
}

# busy cycles, packets, all cycles, polls ("-" from a build that does not count them)
sw_cpu_lanswitch() {
	lanctl -j stats | jq -r '(.workers? // .) | "\(map(.busy_cycles) | add) \(map(.packets) | add) \(map(.busy_cycles + .idle_cycles) | add) \(if all(has("polls")) then (map(.polls) | add) else "-" end)"'
}

sw_idle_tx_lanswitch() {
	lanctl -j port list | jq -r --arg n "$IDLE_NAME" '.[] | select(.name == $n) |
		.tx_packets + (.tx_held // 0) + .drops.tx_ring_full'
}

sw_drops_lanswitch() { lanctl -j port list | jq -r '[.[].drops[]] | add'; }

sw_stop_lanswitch() {
	stop_pid "$SW_PID" 10
	SW_PID=
}

# ---- base: lanswitchd of another build (--base), driven exactly as lanswitch ------------

sw_start_base() { local LANSWITCHD=$LANSWITCHD_BASE SW_BASE=1; sw_start_lanswitch "$@"; }
sw_cpu_base() { sw_cpu_lanswitch; }
sw_idle_tx_base() { sw_idle_tx_lanswitch; }
sw_drops_base() { sw_drops_lanswitch; }
sw_stop_base() { sw_stop_lanswitch; }

# ---- Open vSwitch with DPDK: a private ovsdb and ovs-vswitchd, never the system's ----------

OVS_VSWITCHD=${OVS_VSWITCHD:-/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk}
OVS_SCHEMA=${OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
OVS_D=
OVS_BR=
OVS_NETDEV_EXISTED=0

vsctl() { ovs-vsctl --db="unix:$OVS_D/db.sock" --timeout=30 "$@"; }
ovs_appctl() { ovs-appctl -t "$OVS_D/ovs-vswitchd.ctl" --timeout=10 "$@"; }

# ovs_db_start: a private ovsdb-server in $W/ovs with DPDK's settings; ovs_cleanup stops it.
ovs_db_start() {
	OVS_D=$W/ovs
	OVS_BR="${PFX}br"
	rm -rf "$OVS_D"
	mkdir -p "$OVS_D"
	ip link show ovs-netdev >/dev/null 2>&1 && OVS_NETDEV_EXISTED=1
	export OVS_RUNDIR=$OVS_D OVS_LOGDIR=$OVS_D OVS_DBDIR=$OVS_D OVS_SYSCONFDIR=$OVS_D
	CLEANUP_HOOKS+=(ovs_cleanup)
	ovsdb-tool create "$OVS_D/conf.db" "$OVS_SCHEMA" || return 1
	ovsdb-server --remote="punix:$OVS_D/db.sock" --pidfile="$OVS_D/ovsdb-server.pid" \
		--unixctl="$OVS_D/ovsdb-server.ctl" --log-file="$OVS_D/ovsdb-server.log" \
		--detach "$OVS_D/conf.db" >>"$OVS_D/ovsdb-server.out" 2>&1 || return 1
	track_pid "$(cat "$OVS_D/ovsdb-server.pid")" ovsdb-server
	vsctl --no-wait init -- set Open_vSwitch . other_config:dpdk-init=true \
		"other_config:dpdk-extra=--no-pci --file-prefix=${PFX}ovs --huge-unlink" \
		other_config:dpdk-socket-mem=1024 other_config:dpdk-lcore-mask=0x$((1 << GUEST_LCORE)) \
		other_config:pmd-cpu-mask=0x$((1 << FWD_CORE)) || return 1
}

# ovs_vswitchd_start: ovs-vswitchd on the private ovsdb (again, after it was killed: a restart).
ovs_vswitchd_start() {
	rm -f "$OVS_D/ovs-vswitchd.pid"
	"$OVS_VSWITCHD" --unixctl="$OVS_D/ovs-vswitchd.ctl" --pidfile="$OVS_D/ovs-vswitchd.pid" \
		--log-file="$OVS_D/ovs-vswitchd.log" --detach "unix:$OVS_D/db.sock" \
		>>"$OVS_D/ovs-vswitchd.out" 2>&1 || { tail -n 15 "$OVS_D/ovs-vswitchd.log" >&2; return 1; }
	SW_PID=$(cat "$OVS_D/ovs-vswitchd.pid")
	track_pid "$SW_PID" ovs-vswitchd
}

sw_start_ovs() {
	local n=$1 i args=()
	ovs_db_start || return 1
	ovs_vswitchd_start || return 1
	# mac-table-size as large as lanswitch's FDB; the default NORMAL action does the rest
	args=(add-br "$OVS_BR" -- set bridge "$OVS_BR" datapath_type=netdev
		"other_config:mac-table-size=$FDB_SIZE")
	for ((i = 0; i < n; i++)); do
		args+=(-- add-port "$OVS_BR" "g$i" -- set Interface "g$i" type=dpdkvhostuser)
	done
	args+=(-- add-port "$OVS_BR" "$IDLE_NAME" -- set Interface "$IDLE_NAME" type=dpdkvhostuser)
	vsctl "${args[@]}" || { tail -n 15 "$OVS_D/ovs-vswitchd.log" >&2; return 1; }
	# OVS names the sockets after the interfaces; the guests look for $W/g<i>.sock
	for ((i = 0; i < n; i++)); do
		wait_until "OVS socket g$i" 10 test -S "$OVS_D/g$i" || return 1
		ln -sf "$OVS_D/g$i" "$(guest_sock $i)"
	done
	wait_until "OVS socket $IDLE_NAME" 10 test -S "$OVS_D/$IDLE_NAME" || return 1
	ln -sf "$OVS_D/$IDLE_NAME" "$(idle_sock)"
}

# Clears the PMD counters: sw_cpu_ovs then reports from here on.
sw_cpu_reset_ovs() { ovs_appctl dpif-netdev/pmd-stats-clear >/dev/null; }

sw_cpu_ovs() {
	ovs_appctl dpif-netdev/pmd-stats-show | awk -v core="$FWD_CORE" '
		/^pmd thread/ {on = ($0 ~ "core_id " core ":")}
		/^main thread/ {on = 0}
		on && /packets received:/ {p = $3}
		on && /processing cycles:/ {b = $3}
		on && /idle cycles:/ {i = $3}
		END {printf "%.0f %.0f %.0f\n", b, p, b + i}'
}

sw_idle_tx_ovs() {
	vsctl get Interface "$IDLE_NAME" statistics | tr -d '{}' | tr ',' '\n' |
		awk -F= '/tx_packets|tx_dropped/ {s += $2} END {print s + 0}'
}

sw_drops_ovs() {
	local i s=0 v
	for i in $(vsctl --bare --columns=name list Interface); do
		v=$(vsctl get Interface "$i" statistics | tr -d '{} ' | tr ',' '\n' |
			awk -F= '/dropped/ {s += $2} END {print s + 0}')
		s=$((s + v))
	done
	echo "$s"
}

sw_stop_ovs() {
	ovs_cleanup
	SW_PID=
}

# Stops our OVS the way it must be stopped (else its taps stay behind); safe to call twice.
ovs_cleanup() {
	[ -n "$OVS_D" ] && [ -d "$OVS_D" ] || return 0
	local pid
	# read before it exits: OVS may remove its pidfile before the process is gone
	pid=$(cat "$OVS_D/ovs-vswitchd.pid" 2>/dev/null)
	if [ -S "$OVS_D/ovs-vswitchd.ctl" ]; then
		vsctl --if-exists del-br "$OVS_BR" >/dev/null 2>&1
		ovs_appctl exit --cleanup >/dev/null 2>&1
	fi
	[ -n "$pid" ] && { wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null; untrack_pid "$pid"; }
	pid=$(cat "$OVS_D/ovsdb-server.pid" 2>/dev/null)
	if [ -S "$OVS_D/ovsdb-server.ctl" ]; then
		ovs-appctl -t "$OVS_D/ovsdb-server.ctl" exit >/dev/null 2>&1
	fi
	[ -n "$pid" ] && { wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null; untrack_pid "$pid"; }
	# the kernel side of a netdev bridge: a tap named after the bridge, and ovs-netdev
	ip link show "$OVS_BR" >/dev/null 2>&1 && ip link del "$OVS_BR" 2>/dev/null
	if [ "$OVS_NETDEV_EXISTED" = 0 ] && ip link show ovs-netdev >/dev/null 2>&1; then
		ip link del ovs-netdev 2>/dev/null
	fi
	cp "$OVS_D"/*.log "$W/" 2>/dev/null
	rm -rf "$OVS_D"
	OVS_D=
	unset OVS_RUNDIR OVS_LOGDIR OVS_DBDIR OVS_SYSCONFDIR
}

# ---- dpdk-testpmd io forwarding between vhost-user ports: the limit ----------------------

sw_start_testpmd() {
	local n=$1 i vargs=() mask
	for ((i = 0; i < n; i++)); do
		vargs+=(--vdev "net_vhost$i,iface=$(guest_sock $i),queues=1")
	done
	vargs+=(--vdev "net_vhost$n,iface=$(idle_sock),queues=1")
	mask=$(printf '0x%x' $(((1 << n) - 1)))
	# forwards between ports 2k and 2k+1 (paired); the idle port is not forwarded to at all
	tp_start switch -l "$GUEST_LCORE,$FWD_CORE" --main-lcore "$GUEST_LCORE" \
		--file-prefix "${PFX}sw" --in-memory --no-pci --log-level=warning "${vargs[@]}" -- \
		-i --forward-mode=io --port-topology=paired --portmask="$mask" --nb-cores=1 \
		--record-core-cycles || return 1
	SW_PID=${TP_PID[switch]}
	tp_wait_prompt switch 20 || return 1
	for ((i = 0; i < n; i++)); do
		wait_until "testpmd socket g$i" 10 test -S "$(guest_sock $i)" || return 1
	done
	tp_cmd switch 5 start >/dev/null
}

sw_cpu_testpmd() {
	tp_cmd switch 5 "show fwd stats all" | sed -n \
		's/.*total cycles=\([0-9]*\) \/ total [a-z]* packets=\([0-9]*\).*/\1 \2 -/p' |
		tail -1
}

sw_idle_tx_testpmd() { tp_port_field switch "$SW_NPORTS" TX-packets; }

sw_drops_testpmd() {
	tp_cmd switch 5 "show fwd stats all" | awk '/Accumulated forward statistics/ {on = 1}
		on && /TX-dropped:/ {for (i = 1; i < NF; i++) if ($i == "TX-dropped:") s += $(i+1)}
		END {print s + 0}'
}

sw_stop_testpmd() {
	tp_stop switch
	SW_PID=
}

# SPDX-License-Identifier: BSD-3-Clause
# bench/lib/soak.sh - bench/soak's switch, guests and events, and the books every frame is
# entered in. Sourced by bench/soak after common.sh, traffic.sh (lg_*) and switches.sh.
#
# The LAN: lanswitchd (worker on core 1) with seven vhost-user ports it serves, in three
# VLANs of which each one's flooding is known exactly, so that every frame can be accounted
# for (see soak-check.sh):
#   VLAN 1   a, b      the closed loop: two lsgen guests reflecting into each other (cycling
#                      through SOAK_LOOP_MACS addresses each); they disconnect and reconnect
#   VLAN 30  c, e      unicast chunks from c to e and back each step; e's port is removed and
#                      added again, c's guest disconnects and reconnects
#   VLAN 20  f, s1, s2 f's MAC floods: broadcast frames from fresh source MACs, every frame
#                      copied to s1 and s2 (never to more: no other port is in VLAN 20)
# One lsgen process per guest that comes and goes (a, b, c, e); f, s1 and s2 share one.
# Every guest runs on core 0 beside lanswitchd's control thread and this script.

SOAK_VLAN_C=30
SOAK_VLAN_F=20
SOAK_LOOP_MACS=${SOAK_LOOP_MACS:-64}     # addresses each loop guest cycles through
SOAK_LOOP_PRIME=${SOAK_LOOP_PRIME:-128}  # frames a loop guest puts in the loop when it joins
SOAK_CHUNK=${SOAK_CHUNK:-500}            # c -> e and e -> c frames per step
SOAK_CHUNK_PPS=${SOAK_CHUNK_PPS:-20000}  # their pace
SOAK_FLOOD=${SOAK_FLOOD:-20000}          # f's frames per step of a flood, each a new source
SOAK_MAC_LIMIT=${SOAK_MAC_LIMIT:-100}    # f's mac-limit for every other flood, when it exists

declare -A ROLE_MAC=([a]=02:00:00:10:00:00 [b]=02:00:00:20:00:00 [c]=02:00:00:30:00:00
	[e]=02:00:00:40:00:00 [f]=02:00:00:50:00:00 [s1]=02:00:00:60:00:00 [s2]=02:00:00:70:00:00)
# the lsgen process and port of each role (f, s1 and s2 are one process's ports 0, 1, 2)
declare -A ROLE_GEN=([a]=a [b]=b [c]=c [e]=e [f]=fs [s1]=fs [s2]=fs)
declare -A ROLE_IDX=([a]=0 [b]=0 [c]=0 [e]=0 [f]=0 [s1]=1 [s2]=2)
declare -A ROLE_VLAN=([a]=1 [b]=1 [c]=$SOAK_VLAN_C [e]=$SOAK_VLAN_C [f]=$SOAK_VLAN_F
	[s1]=$SOAK_VLAN_F [s2]=$SOAK_VLAN_F)
SOAK_ROLES="a b c e f s1 s2"

# The books: per role, summed over every guest process that played it (G_*) and every life
# of its port (P_*), each entered when it ends (a guest quits, a port is removed) or at the
# cut for those still there.
declare -A G_TX=() G_RX=() G_REFLECT_DROPS=() P_RX=() P_TX=() P_IN=() P_OUT=() P_HELD_FREED=()
declare -A RING_LOST=()      # role -> frames its port put in the ring of a guest that then died
declare -A DROPS=()          # reason -> frames, over every port and every life
declare -A GUEST_UP=()       # lsgen process name -> 1 while it runs
declare -A PORT_UP=()        # role -> 1 while its port exists
SOAK_OUT_REASONS=            # drop reasons charged to the egress port (fast/drop.h)
SOAK_EVENTS=()               # "t name" of every event, for summary.md
MAC_LIMIT_OK=                # 1: the switch takes `port set f mac-limit`, 0: it refuses it

soak_event() { # soak_event NAME [DETAIL]: logged with the run's second
	local t=$((SECONDS - SOAK_T0))
	SOAK_EVENTS+=("$t $1")
	printf '%s %s %s\n' "$t" "$1" "${2:-}" >>"$OUT/events.log"
	[ "${SOAK_VERBOSE:-0}" = 1 ] && info "t=$t $1 ${2:-}"
	return 0
}

# The reasons of fast/drop.h whose side is "out": X(NAME, "name", out).
soak_read_reasons() {
	SOAK_OUT_REASONS=$(sed -n 's/.*X([A-Z_]*, "\([a-z_]*\)", out).*/\1/p' "$ROOT/dataplane/fast/drop.h" | xargs)
	[ -n "$SOAK_OUT_REASONS" ] || die 3 "no egress drop reasons found in dataplane/fast/drop.h"
}

# ---- the switch ---------------------------------------------------------------------------

soak_port_add() { # soak_port_add ROLE: its vhost port (server side) in its VLAN
	local r=$1
	lanctl port add "$r" vhost "$W/$r.sock" --server >/dev/null || return 1
	if [ "${ROLE_VLAN[$r]}" != 1 ]; then
		lanctl port set "$r" vlan "${ROLE_VLAN[$r]}" >/dev/null || return 1
	fi
	PORT_UP[$r]=1
}

soak_switch_start() {
	local r
	sw_launch_lanswitch || return 1
	for r in $SOAK_ROLES; do
		soak_port_add "$r" || return 1
	done
	# does this build guard ports yet (issue 18's mac-limit)?
	if lanctl port set f mac-limit 0 >"$W/mac-limit.probe" 2>&1; then
		MAC_LIMIT_OK=1
	else
		MAC_LIMIT_OK=0
	fi
}

# ---- guests -------------------------------------------------------------------------------

# soak_guest_start GEN: the lsgen process GEN with its port(s), links up on both sides.
soak_guest_start() {
	local g=$1 r vdevs=() i=0
	for r in $SOAK_ROLES; do
		[ "${ROLE_GEN[$r]}" = "$g" ] || continue
		vdevs+=("net_virtio_user${ROLE_IDX[$r]},path=$W/$r.sock,mac=${ROLE_MAC[$r]}")
	done
	lg_start "$g" yes "${vdevs[@]}" -- --lean || return 1
	GUEST_UP[$g]=1
	for r in $SOAK_ROLES; do
		[ "${ROLE_GEN[$r]}" = "$g" ] || continue
		lg_link_up "$g" "${ROLE_IDX[$r]}" 10000 || { warn "guest $r: link down"; return 1; }
		wait_until "port $r up" 10 soak_port_is_up "$r" || return 1
	done
	case $g in
	a | b) soak_loop_join "$g" ;;
	c | e) lg "$g" rate "$SOAK_CHUNK_PPS" >/dev/null ;;
	esac
}

soak_port_is_up() { [ "$(lanctl -j port list | jq -r --arg n "$1" '.[] | select(.name == $n) | .link')" = up ]; }

# A loop guest reflects what comes, rewritten to its next (src, dst) pair, and primes the
# loop: the other one reflects too, so the frames go round until one of them stops.
soak_loop_join() {
	local r=$1 o
	[ "$r" = a ] && o=b || o=a
	lg "$r" reflect 0 cycle "${ROLE_MAC[$r]}" "${ROLE_MAC[$o]}" "$SOAK_LOOP_MACS" >/dev/null || return 1
	lg "$r" send 0 "$SOAK_LOOP_PRIME" src "${ROLE_MAC[$r]}" dst "${ROLE_MAC[$o]}" \
		srcs "$SOAK_LOOP_MACS" dsts "$SOAK_LOOP_MACS" >/dev/null
}

# "tx rx reflect_drops" of one role's port in its lsgen
soak_guest_counts() {
	lg "${ROLE_GEN[$1]}" stats "${ROLE_IDX[$1]}" |
		jq -r '.ports[0] | "\(.tx) \(.rx) \(.reflect_drops)"'
}

# soak_guest_book GEN: enter what the process's roles sent and received in the books.
soak_guest_book() {
	local g=$1 r tx rx rd
	for r in $SOAK_ROLES; do
		[ "${ROLE_GEN[$r]}" = "$g" ] || continue
		read -r tx rx rd <<<"$(soak_guest_counts "$r")"
		[[ $tx =~ ^[0-9]+$ && $rx =~ ^[0-9]+$ ]] || { warn "guest $r: no counters"; return 1; }
		G_TX[$r]=$((${G_TX[$r]:-0} + tx))
		G_RX[$r]=$((${G_RX[$r]:-0} + rx))
		G_REFLECT_DROPS[$r]=$((${G_REFLECT_DROPS[$r]:-0} + rd))
	done
}

# soak_guest_stop GEN: books it, then it quits (the caller has quiesced what it sends and
# what is sent to it: its last counters are its final ones).
soak_guest_stop() {
	local g=$1
	soak_guest_book "$g" || return 1
	lg_stop "$g"
	unset "GUEST_UP[$g]"
}

# ---- quiet: nothing in flight -------------------------------------------------------------

# soak_flight_mark ROLE...: the frames held for those roles' ports (tx_held) and what their
# guests received so far. Once it stays the same for 200 ms with nothing held, no frame is
# on its way to them (the senders stopped: what sits in a guest's ring it polls at once).
soak_flight_mark() {
	local r marks names
	names=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
	marks=$(lanctl -j port list | jq -r --argjson n "$names" \
		'[.[] | select(.name as $x | $n | index($x)) | .tx_held] | add // 0')
	for r in "$@"; do
		[ -n "${GUEST_UP[${ROLE_GEN[$r]}]:-}" ] || continue
		marks+=" $(soak_guest_counts "$r" | cut -d' ' -f2)"
	done
	printf '%s\n' "$marks"
}

soak_settle() { # soak_settle ROLE...: true once quiet (at most 10 s)
	local m0 m1 i
	m0=$(soak_flight_mark "$@")
	for ((i = 0; i < 50; i++)); do
		sleep 0.2
		m1=$(soak_flight_mark "$@")
		[ "$m1" = "$m0" ] && [ "${m1%% *}" = 0 ] && return 0
		m0=$m1
	done
	warn "frames still in flight to $* after 10 s: $m1"
	return 1
}

# ---- the port books -----------------------------------------------------------------------

# soak_port_book ROLE [removed]: enter its port's counters in the books; "removed": its life
# ends now, and what it still holds goes with it (port_free) and is entered as such.
soak_port_book() {
	local r=$1 gone=${2:-} row rx tx inn out held reason n
	row=$(lanctl -j port list | jq -c --arg n "$r" '.[] | select(.name == $n)')
	[ -n "$row" ] || { warn "port $r: not in port list"; return 1; }
	rx=$(jq -r .rx_packets <<<"$row") tx=$(jq -r .tx_packets <<<"$row")
	held=$(jq -r '.tx_held // 0' <<<"$row")
	inn=0 out=0
	while read -r reason n; do
		[ -n "$reason" ] || continue
		DROPS[$reason]=$((${DROPS[$reason]:-0} + n))
		if [[ " $SOAK_OUT_REASONS " == *" $reason "* ]]; then
			out=$((out + n))
		else
			inn=$((inn + n))
		fi
	done < <(jq -r '.drops | to_entries[] | "\(.key) \(.value)"' <<<"$row")
	P_RX[$r]=$((${P_RX[$r]:-0} + rx))
	P_TX[$r]=$((${P_TX[$r]:-0} + tx))
	P_IN[$r]=$((${P_IN[$r]:-0} + inn))
	P_OUT[$r]=$((${P_OUT[$r]:-0} + out))
	LAST_HELD=$held
	if [ "$gone" = removed ]; then
		P_HELD_FREED[$r]=$((${P_HELD_FREED[$r]:-0} + held))
	else
		HELD_NOW[$r]=$held
	fi
}
declare -A HELD_NOW=()

# ---- events -------------------------------------------------------------------------------

# A loop guest leaves: it stops reflecting, the loop drains into it, then it quits. The other
# one reflects nothing more (nothing comes), so no frame is lost on the way.
soak_loop_leave() {
	local r=$1
	lg "$r" reflect 0 off >/dev/null
	soak_settle a b
	soak_guest_stop "$r"
	soak_event "guest-$r-disconnect"
}

soak_loop_back() {
	soak_guest_start "$1" || return 1
	soak_event "guest-$1-reconnect"
}

# c and e: one chunk each way (only while both are there).
soak_chunks() {
	[ -n "${GUEST_UP[c]:-}" ] && [ -n "${GUEST_UP[e]:-}" ] || return 0
	lg c send 0 "$SOAK_CHUNK" dst "${ROLE_MAC[e]}" >/dev/null
	lg e send 0 "$SOAK_CHUNK" dst "${ROLE_MAC[c]}" >/dev/null
}

SOAK_FLOOD_N=0
# One step of a flood: broadcast frames from SOAK_FLOOD source MACs never used before
# (06:HH:KK:xx:xx:xx, a new HH:KK per step).
soak_flood_step() {
	local k=$SOAK_FLOOD_N
	SOAK_FLOOD_N=$((SOAK_FLOOD_N + 1))
	lg fs send 0 "$SOAK_FLOOD" src "$(printf '06:%02x:%02x:00:00:00' $((k >> 8 & 255)) $((k & 255)))" \
		srcs "$SOAK_FLOOD" >/dev/null
}

soak_guest_c_leave() {
	soak_settle c e
	soak_guest_stop c
	soak_event guest-c-disconnect
}

# e's port goes: its guest first (as libvirt detaches an interface), then the port.
soak_port_e_remove() {
	soak_settle c e
	soak_guest_stop e
	wait_until "port e down" 10 eval '! soak_port_is_up e'
	soak_port_book e removed
	lanctl port del e >/dev/null || warn "port del e failed"
	unset "PORT_UP[e]"
	soak_event port-e-removed
}

# e's guest stops (SIGSTOP, a vCPU that does not run) and c sends it SOAK_CRASH_FRAMES: its
# ring fills, the switch holds the rest (fwd_hold, up to 4096) and drops past that
# (tx_ring_full). The port is removed while they are held, so port_free returns them to the
# pool (a port that went down first would drop them as tx_ring_full instead), then the guest
# is killed (a crashed VM) with its ring full. What sat in that ring is exact: e received
# nothing after its counters were last read, so it is all its port sent since.
SOAK_CRASH_FRAMES=${SOAK_CRASH_FRAMES:-5000}
soak_port_e_crash() {
	local tx0 tx1 pid=${LG_PID[e]}
	soak_settle c e
	soak_guest_book e || return 1
	tx0=$(lanctl -j port list | jq -r '.[] | select(.name == "e") | .tx_packets')
	kill -STOP "$pid"
	lg c send 0 "$SOAK_CRASH_FRAMES" dst "${ROLE_MAC[e]}" >/dev/null
	soak_settle c
	tx1=$(lanctl -j port list | jq -r '.[] | select(.name == "e") | .tx_packets')
	RING_LOST[e]=$((${RING_LOST[e]:-0} + tx1 - tx0))
	soak_port_book e removed
	lanctl port del e >/dev/null || warn "port del e failed"
	unset "PORT_UP[e]"
	soak_event port-e-removed-holding "$LAST_HELD frames held, $((tx1 - tx0)) in the stopped guest's ring"
	kill -KILL "$pid"
	# reaped here, quietly: bash would report the killed job on stderr
	{ wait "$pid"; } 2>/dev/null
	lg_stop e
	unset "GUEST_UP[e]"
	soak_event guest-e-killed
}

soak_port_e_add() {
	soak_port_add e || return 1
	soak_guest_start e || return 1
	soak_event port-e-added
}

soak_mac_limit() { # soak_mac_limit N: f's limit (0: none), when the switch has the setting
	[ "$MAC_LIMIT_OK" = 1 ] || return 0
	lanctl port set f mac-limit "$1" >/dev/null || warn "port set f mac-limit $1 failed"
	soak_event "mac-limit-$1"
}

# ---- samples (every 10 s, in the background: the switch only, never the guests' fifos) ----

# samples.csv: t, VmRSS and HugetlbPages of lanswitchd (KiB), the mbuf pool, fdb_full so far
soak_sampler() {
	local t rss huge pool
	echo "t_s,vmrss_kib,hugetlb_kib,in_use,cached,available,fdb_full" >"$OUT/samples.csv"
	while alive "$SW_PID"; do
		t=$((SECONDS - SOAK_T0))
		rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$SW_PID/status" 2>/dev/null)
		huge=$(awk '/^HugetlbPages:/ {print $2}' "/proc/$SW_PID/status" 2>/dev/null)
		pool=$(lanctl -j stats 2>/dev/null | jq -r '"\(.mbuf_pool.in_use),\(.mbuf_pool.cached),\(.mbuf_pool.available),\([.workers[].fdb_full] | add)"')
		[ -n "$rss" ] && echo "$t,$rss,${huge:-0},$pool" >>"$OUT/samples.csv"
		sleep "$SOAK_SAMPLE_S"
	done
}

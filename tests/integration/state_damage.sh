#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A state file that was cut short, edited, or is not one at all is detected (its seal: a
# header line and an end line with the digest of the rest), kept aside as STATE.damaged-*,
# named in the log, and the switch starts anyway: from the config file, or with no ports. A
# whole state file, and one written before seals, load as before. The switch reports what its
# start found (`config show`: state_damaged, state_damaged_files) and `lanctl doctor` names the
# file kept aside, then the ones left from earlier starts; a clean start has no such finding.
ALL_TESTS="t_whole t_cut_short t_edited t_not_a_state t_sealed_but_bad t_legacy
	t_config_fallback t_earlier"
source "$(dirname "$0")/lib.sh"

# the switch's running configuration, made once and saved as the reference state
setup() {
	daemon_start || exit 1
	lanctl port add a vhost "$T/a.sock" --server && lanctl port add b vhost "$T/b.sock" --server &&
		lanctl fdb set aging 77 || exit 1
	CONFIG=$(lanctl config show)
	daemon_stop
	cp "$STATE" "$T/state.good"
}

names() { lanctlj port list | jq -r '[.[].name] | join(" ")'; }
asides() { find "$T" -maxdepth 1 -name 'state.damaged-*' | wc -l; }
report() { lanctlj config show | jq -c "$1"; } # report JQ: of what the start found
# the doctor's state-file findings, "message: fix" one a line (libvirt's check fails at once)
state_findings() {
	"$LANCTL" -s "$SOCK" -c 'qemu+unix:///system?socket=/nonexistent' -j doctor |
		jq -r '.[] | select(.check == "state-file") | "\(.message): \(.fix)"'
}
compare_fix() { # compare_fix FILE: the fix the doctor gives for a file kept aside
	echo "compare it with what runs: diff <(grep -v '^#' $1) <(lanctl config show); put back what is missing with lanctl (its lines are lanctl commands), then rm $1"
}
# a start that found nothing damaged: the report and the doctor say so
clean_start() {
	check "$1: reported, nothing damaged" "{\"state_file\":\"$STATE\",\"state_damaged\":null,\"state_damaged_files\":[]}" \
		"$(report '{state_file, state_damaged, state_damaged_files}')"
	check "$1: no doctor finding" "" "$(state_findings)"
}

# restart on the state file as the test made it; $1: what the log must say about it (after
# "damaged: "), the rest: lanswitchd's options
restart_damaged() {
	local before aside why=${1#"$STATE: "} from=${CONFIG_FILE:-null}
	before=$(wc -l <"$T/daemon.log")
	rm -f "$T"/state.damaged-*
	daemon_start "${@:2}" || { FAILS=$((FAILS + 1)); return 1; }
	check "one state file kept aside" 1 "$(asides)"
	aside=$(ls "$T"/state.damaged-*)
	check "the log names it and says why" \
		"lanswitchd: error: state file damaged: $1; kept as $aside; starting from ${CONFIG_FILE:-no ports}" \
		"$(tail -n +$((before + 1)) "$T/daemon.log" | grep 'state file damaged')"
	check "a new sealed state was written" 1 "$(grep -c '^# lanswitch-state: sealed$' "$STATE")"
	[ -n "$CONFIG_FILE" ] && from="\"$CONFIG_FILE\""
	check "the switch reports it" \
		"{\"path\":\"$aside\",\"why\":$(jq -n --arg w "$why" '$w'),\"started_from\":$from}" \
		"$(report '.state_damaged | {path, why, started_from}')"
	check "reported at the time in its name" "${aside##*.damaged-}" \
		"$(lanctlj config show | jq -r .state_damaged.at | sed -E 's/^(....)-(..)-(..)T(..):(..):(..)[+-]....$/\1\2\3-\4\5\6/')"
	check "and lists it beside the state file" "[\"$aside\"]" "$(report .state_damaged_files)"
	if [ -n "$CONFIG_FILE" ]; then from="started from $CONFIG_FILE"; else
		from="started with no ports (no config file)"; fi
	check "the doctor names it" \
		"state file was damaged at start: kept as $aside ($why); the switch $from: $(compare_fix "$aside")" \
		"$(state_findings)"
}

t_whole() {
	cp "$T/state.good" "$STATE"
	check "the state is sealed" "# end " "$(tail -1 "$STATE" | cut -c1-6)"
	daemon_start || { FAILS=$((FAILS + 1)); return; }
	check "ports back" "a b" "$(names)"
	check "configuration back" "$CONFIG" "$(lanctl config show)"
	check "nothing kept aside" 0 "$(asides)"
	clean_start "whole"
	daemon_stop
}

t_cut_short() {
	head -n -1 "$T/state.good" >"$STATE" # every line still parses
	restart_damaged "$STATE: cut short (no end line)" || return
	check "started with no ports" "" "$(names)"
	daemon_stop
}

t_edited() {
	sed 's/^fdb set aging 77$/fdb set aging 78/' "$T/state.good" >"$STATE"
	check "the edit is there" 1 "$(grep -c 'aging 78' "$STATE")"
	restart_damaged "$STATE: changed since it was written (its end line does not match)" || return
	check "started with no ports" "" "$(names)"
	check "and not with the edit" 0 "$(lanctl config show | grep -c 'aging 78')"
	daemon_stop
}

t_not_a_state() {
	head -c 3000 /dev/urandom >"$STATE"
	restart_damaged "$STATE: no digest line (cut short, or not a state file)" || return
	check "started with no ports" "" "$(names)"
	daemon_stop
}

# sealed by the rules, but a line the switch refuses: the load fails, the state goes aside
t_sealed_but_bad() {
	python3 - "$T/state.good" "$STATE" <<'PY'
import sys
body = "".join(l for l in open(sys.argv[1]) if not l.startswith("# end "))
body += "port frobnicate x\n"
h = 0xcbf29ce484222325
for b in body.encode():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
open(sys.argv[2], "w").write(body + "# end %016x\n" % h)
PY
	# the load's own error: the file's name and line
	restart_damaged "state:$(($(wc -l <"$STATE") - 1)): unknown command \"port frobnicate\"" || return
	check "started with no ports" "" "$(names)"
	daemon_stop
}

# written before seals (no header, no end line): loaded as it is, then sealed
t_legacy() {
	rm -f "$T"/state.damaged-*
	grep -v '^# lanswitch-state: sealed$\|^# end ' "$T/state.good" >"$STATE"
	daemon_start || { FAILS=$((FAILS + 1)); return; }
	check "legacy state loaded" "a b" "$(names)"
	check "nothing kept aside" 0 "$(asides)"
	lanctl port del b
	check "and sealed at the next save" "# end " "$(tail -1 "$STATE" | cut -c1-6)"
	clean_start "legacy"
	daemon_stop
}

# with a config file the damaged state's switch starts from the config file
t_config_fallback() {
	CONFIG_FILE=$T/lanswitch.conf
	printf 'port add c vhost %s --server\n' "$T/c.sock" >"$CONFIG_FILE"
	daemon_start --config "$CONFIG_FILE" || { FAILS=$((FAILS + 1)); return; }
	lanctl port add d vhost "$T/d.sock" --server
	daemon_stop
	head -n -1 "$STATE" >"$T/state.cut" && mv "$T/state.cut" "$STATE"
	restart_damaged "$STATE: cut short (no end line)" --config "$CONFIG_FILE" || return
	check "started from the config file" "c" "$(names)"
	# the doctor's fix, run: what the config file lacks and the damaged state had
	check "the fix's diff shows the lost port" "< port add d vhost $T/d.sock --server" \
		"$(diff <(grep -v '^#' "$T"/state.damaged-*) <(lanctl config show) | grep '^[<>]')"
	daemon_stop
	CONFIG_FILE=
}

# files kept aside at earlier starts stay a finding (one named, then how many and the newest)
# until removed; a start that found nothing damaged lists them all the same
t_earlier() {
	local old=$T/state.damaged-20240101-000000 new
	rm -f "$T"/state.damaged-*
	head -n -1 "$T/state.good" >"$STATE"
	daemon_start || { FAILS=$((FAILS + 1)); return; }
	daemon_stop
	new=$(ls "$T"/state.damaged-*)
	cp "$new" "$old"
	cp "$T/state.good" "$STATE"
	daemon_start || { FAILS=$((FAILS + 1)); return; }
	check "nothing damaged this start" null "$(report .state_damaged)"
	check "both listed, oldest first" "[\"$old\",\"$new\"]" "$(report .state_damaged_files)"
	check "the doctor counts them, names the newest" \
		"2 state files kept aside as damaged at earlier starts are still there (ls $STATE.damaged-*), the newest $new: $(compare_fix FILE)" \
		"$(state_findings)"
	rm "$new"
	check "one left: named" \
		"a state file kept aside as damaged at an earlier start is still there: $old: $(compare_fix "$old")" \
		"$(state_findings)"
	rm "$old"
	clean_start "all removed"
	daemon_stop
}

CONFIG_FILE=
setup
run_tests

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A state file that was cut short, edited, or is not one at all is detected (its seal: a
# header line and an end line with the digest of the rest), kept aside as STATE.damaged-*,
# named in the log, and the switch starts anyway: from the config file, or with no ports. A
# whole state file, and one written before seals, load as before.
ALL_TESTS="t_whole t_cut_short t_edited t_not_a_state t_sealed_but_bad t_legacy
	t_config_fallback"
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

# restart on the state file as the test made it; $1: what the log must say about it (after
# "damaged: "), the rest: lanswitchd's options
restart_damaged() {
	local before
	before=$(wc -l <"$T/daemon.log")
	rm -f "$T"/state.damaged-*
	daemon_start "${@:2}" || { FAILS=$((FAILS + 1)); return 1; }
	check "one state file kept aside" 1 "$(asides)"
	check "the log names it and says why" \
		"lanswitchd: error: state file damaged: $1; kept as $(ls "$T"/state.damaged-*); starting from ${CONFIG_FILE:-no ports}" \
		"$(tail -n +$((before + 1)) "$T/daemon.log" | grep 'state file damaged')"
	check "a new sealed state was written" 1 "$(grep -c '^# lanswitch-state: sealed$' "$STATE")"
}

t_whole() {
	cp "$T/state.good" "$STATE"
	check "the state is sealed" "# end " "$(tail -1 "$STATE" | cut -c1-6)"
	daemon_start || { FAILS=$((FAILS + 1)); return; }
	check "ports back" "a b" "$(names)"
	check "configuration back" "$CONFIG" "$(lanctl config show)"
	check "nothing kept aside" 0 "$(asides)"
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
	daemon_stop
	CONFIG_FILE=
}

CONFIG_FILE=
setup
run_tests

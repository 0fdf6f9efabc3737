#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lanswitchd killed with SIGKILL 100 times while lanctl changes its configuration: after
# every restart the running configuration is the one after the last acknowledged command,
# or after the one that was in flight, never anything else, and the switch always starts.
ALL_TESTS="t_kill_100"
source "$(dirname "$0")/lib.sh"

KILLS=${STATE_KILLS:-100}

# The configuration after step j of a fixed sequence: odd steps set the aging time to 10 + j,
# even steps add (j % 4 == 2) or remove (j % 4 == 0) port x. "ports aging" of it:
expect() {
	local j=$1 aging=300 x=""
	[ "$j" -ge 1 ] && aging=$((10 + (j % 2 == 1 ? j : j - 1)))
	[ $((j % 4)) -eq 2 ] || [ $((j % 4)) -eq 3 ] && x=x
	echo "${x:--} $aging"
}

step() { # step J: the command of step J
	if [ $(($1 % 2)) -eq 1 ]; then
		lanctl fdb set aging $((10 + $1))
	elif [ $(($1 % 4)) -eq 2 ]; then
		lanctl port add x vhost "$T/x.sock" --server
	else
		lanctl port del x
	fi
}

running() { # "ports aging" of the running switch
	local ports aging
	ports=$(lanctlj port list | jq -r '[.[].name] | join(",")')
	aging=$(lanctl config show | sed -n 's/^fdb set aging //p')
	echo "${ports:--} ${aging:-300}"
}

# steps from $1 on, each recorded in $T/acked once lanctl says it is done, until one fails
changer() {
	local j=$1
	while step "$j" >/dev/null 2>&1; do
		echo "$j" >"$T/acked"
		j=$((j + 1))
	done
}

t_kill_100() {
	local k j=0 acked got bad=0 starts=0 cpid
	echo 0 >"$T/acked"
	for ((k = 1; k <= KILLS; k++)); do
		daemon_start >/dev/null 2>&1 && starts=$((starts + 1))
		got=$(running)
		acked=$(cat "$T/acked")
		if [ "$got" == "$(expect "$acked")" ]; then
			j=$acked
		elif [ "$got" == "$(expect $((acked + 1)))" ]; then
			j=$((acked + 1))
		else
			bad=$((bad + 1))
			log "  restart $k: running [$got], acked step $acked: expected" \
				"[$(expect "$acked")] or [$(expect $((acked + 1)))]"
			j=$acked
		fi
		echo "$j" >"$T/acked"
		changer $((j + 1)) &
		cpid=$!
		sleep "0.0$((RANDOM % 10))$((RANDOM % 10))"
		kill -KILL "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=
		wait "$cpid"
	done
	check "started every time" "$KILLS" "$starts"
	check "every restart had the configuration before or after the last acknowledged step" \
		0 "$bad"
	acked=$(cat "$T/acked")
	check "and the steps went on (at least one per kill on the whole)" yes \
		"$([ "$acked" -ge "$KILLS" ] && echo yes || echo "$acked steps")"
	check "no state file kept aside as damaged" 0 \
		"$(find "$T" -maxdepth 1 -name 'state.damaged-*' | wc -l)"
}

run_tests

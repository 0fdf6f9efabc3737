#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lanctl vm start-order FILE: a file that cannot be run is refused whole, with its file and
# line, before any domain starts or loses its autostart (an unknown domain, a domain started
# twice, a wait on a domain not started above, a line that is neither start nor wait, wait's
# own usage errors, a domain without a port). The real ordered start, with guests that boot
# and a DHCP server that answers, is the e2e suite's (tests/e2e/libvirt.sh).
ALL_TESTS="t_bad_files t_nothing_started"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/libvirt.sh"

P=$VM_PREFIX
BR=lst$$

vm() { "$LANCTL" -s "$SOCK" vm "$@"; }

# order NAME LINES...: a start-order file
order() {
	local f=$T/$1
	shift
	printf '%s\n' "$@" >"$f"
	echo "$f"
}

# refused FILE MESSAGE: start-order exits 1 with exactly MESSAGE, nothing on stdout
refused() {
	local out err rc
	out=$(vm start-order "$1" 2>"$T/err")
	rc=$?
	err=$(cat "$T/err")
	check "$2: exit code" 1 "$rc"
	check "$2: message" "$2" "$err"
	check "$2: nothing done" "" "$out"
}

t_bad_files() {
	local f
	f=$(order unknown "start ${P}router" "start ${P}nosuch")
	refused "$f" "lanctl: $f:2: domain \"${P}nosuch\": not found on qemu:///system"
	f=$(order twice "start ${P}router ${P}client" "# a comment" "" "start ${P}router")
	refused "$f" "lanctl: $f:4: domain \"${P}router\" is started twice"
	f=$(order early "wait ${P}router dhcp-server --timeout 5" "start ${P}router")
	refused "$f" "lanctl: $f:1: a wait on domain \"${P}router\", which no line above starts"
	f=$(order word "start ${P}router" "sleep 30")
	refused "$f" "lanctl: $f:2: expected \"start DOMAIN...\" or \"wait DOMAIN link-up | dhcp-server | arp IP ...\", got \"sleep\""
	f=$(order waitusage "start ${P}router" "wait ${P}router dhcp-server --timeout")
	refused "$f" "lanctl: $f:2: wait: missing S after \"--timeout\""
	f=$(order noport "start ${P}noport" "wait ${P}noport link-up")
	refused "$f" "lanctl: $f:2: domain \"${P}noport\" has no port on the switch (lanctl vm attach, or vm convert)"
	f=$(order quote "start \"${P}router")
	refused "$f" "lanctl: $f:1: unterminated double quote"
	check "a file that is not there" \
		"1 lanctl: $T/none: No such file or directory" \
		"$(out=$(vm start-order "$T/none" 2>&1); echo "$? $out")"
}

t_nothing_started() {
	check "no test domain runs" "" "$(virsh_ list --name | grep "^$P")"
	check "autostart untouched" "enable" \
		"$(virsh_ dominfo "${P}router" | awk '/^Autostart/ {print $2}')"
}

setup() {
	libvirt_start || exit 1
	daemon_start || exit 1
	vm_define "${P}router" "<interface type='bridge'><mac address='52:54:00:5a:00:01'/><source bridge='$BR'/><model type='virtio'/></interface>" &&
		vm_define "${P}client" "<interface type='bridge'><mac address='52:54:00:5a:00:02'/><source bridge='$BR'/><model type='virtio'/></interface>" &&
		vm_define "${P}noport" "" || exit 1
	vm convert "${P}router" "${P}client" --bridge "$BR" --socket-dir "$T/vhost" >/dev/null ||
		exit 1
	virsh_ autostart "${P}router" >/dev/null || exit 1
}

setup
run_tests

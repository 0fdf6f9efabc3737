#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# march.sh - the build makes binaries for the ISA that DPDK's pkg-config flags choose
# (-march=corei7 on Debian 12), not for the machine that compiles them: a -march=native
# binary copied to an older box (the home server the build was not made on) can die of
# SIGILL. Checks every compile command of the build directory ($BUILD, meson's
# compile_commands.json); prints each file compiled with -march=native; exit 1 if any is.
set -euo pipefail
db=${BUILD:?BUILD: the build directory}/compile_commands.json
[ -s "$db" ] || { echo "march: $db: missing"; exit 1; }
bad=$(jq -r '.[] | select((.command // (.arguments | join(" "))) | test("-march=native"))
	| .file' "$db" | sort -u)
if [ -n "$bad" ]; then
	echo "march: compiled with -march=native:"
	printf '  %s\n' $bad
	exit 1
fi
echo "march: $(jq length "$db") compile commands, none with -march=native"

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# planes.sh - the layout's one rule, checked on the includes: a file's folder says which
# thread runs it, and the fast path depends on nothing of the control side.
#   dataplane/fast/   includes only fast/ and ports/port.h (what a port is)
#   api/              includes only api/ (lanctl links it: no DPDK, nothing of the daemon)
#   control/          includes api/ and its own headers, never dataplane/
# Prints each include that breaks the rule; exit 1 if any does.
set -euo pipefail
cd "${SRC:-$(dirname "${BASH_SOURCE[0]}")/../..}"

bad=0
check() { # folder, allowed pattern (extended regex on the quoted include's path)
	local dir=$1 allowed=$2 f line inc
	for f in "$dir"/*.[ch]; do
		while IFS= read -r line; do
			inc=${line#*\"}
			inc=${inc%\"*}
			if ! [[ $inc =~ $allowed ]]; then
				echo "planes: $f includes \"$inc\""
				bad=1
			fi
		done < <(grep -E '^#include "' "$f" || true)
	done
}

check dataplane/fast '^(fast/[a-z_]+\.h|ports/port\.h)$'
check api '^api/[a-z_]+\.h$'
check control '^(api/[a-z_]+\.h|[a-z_]+\.h)$'
# control/'s own headers are bare names: none may be a dataplane header reached by path
for f in control/*.[ch]; do
	if grep -En '^#include <(fast|ports|ctl)/' "$f"; then bad=1; fi
done
[ "$bad" = 0 ] && echo "planes: fast/, api/ and control/ include only what their plane may"
exit $bad

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# bench/corelat (the core-to-core probe bench/run takes around every window) prints one
# round trip in ns, refuses bad arguments with exit 2 and CPUs it cannot have with exit 1
# (without hanging on the thread that did start); and bench/lib/report.py voids a window
# whose probe moved, keeps one whose probe held, and notes a missing probe.
set -u
CORELAT=${CORELAT:?path to corelat}
LIB=${LIB:?path to bench/lib}
OUT=$(mktemp)
fails=0
trap 'rm -f "$OUT"' EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

expect() { # expect RC PATTERN ARGS...: exit code and first line of output
	local want=$1 pat=$2 rc
	shift 2
	timeout 20 "$CORELAT" "$@" >"$OUT" 2>&1
	rc=$?
	[ "$rc" = "$want" ] && grep -Eq "$pat" <(head -1 "$OUT") ||
		fail "corelat $*: exit $rc, '$(head -1 "$OUT")' (want $want, /$pat/)"
}

expect 0 '^[1-9][0-9]*$'
expect 0 '^[1-9][0-9]*$' --cpus 1,0 --trips 20000
expect 2 'two different CPUs' --cpus 0,0
expect 2 'two different CPUs' --cpus 0
expect 2 'from 5000 to' --trips 10
expect 2 'from 5000 to' --trips 5000x
expect 2 '^usage: corelat' extra
expect 1 'cannot run on CPUs 0 and 4000' --cpus 0,4000
expect 1 'cannot run on CPUs 4000 and 1' --cpus 4000,1
expect 0 '^usage: corelat' --help

got=$(PYTHONDONTWRITEBYTECODE=1 python3 - "$LIB" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import report
r, n = {}, []
print(report.c2c_fields(r, {"c2c0": "98", "c2c1": "471"}, n))
r, n = {}, []
print(report.c2c_fields(r, {"c2c0": "98", "c2c1": "120"}, n), r["c2c_before_ns"], r["c2c_after_ns"], n)
r, n = {}, []
print(report.c2c_fields(r, {"c2c0": "", "c2c1": "120"}, n), r, n)
PY
)
want="the host moved our vCPUs during the window: a cache line's round trip between the two cores took 98 ns before it and 471 ns after
None 98 120 []
None {} ['no core-to-core probe (bench/corelat failed)']"
[ "$got" = "$want" ] || fail "report.c2c_fields: got
$got"

[ "$fails" = 0 ] && echo "corelat: all checks passed"
exit $((fails > 0))

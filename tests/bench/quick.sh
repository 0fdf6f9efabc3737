#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The benchmark's quick form (bench/run --quick, its own checks: every contender gives a
# number in every quick row, nothing it measured is refused), and then what its exit code
# cannot show: every throughput window that gave a number has the core-to-core probe on both
# sides of it, so a run whose probe silently stopped working does not pass.
set -u
RUN=${RUN:?path to bench/run}
OUT=${OUT:?results directory}

"$RUN" --quick --out "$OUT"
rc=$?
[ "$rc" = 0 ] || exit "$rc" # 77 (machine busy: skipped) included

python3 - "$OUT/results.csv" <<'PY'
import csv, sys
ok = [r for r in csv.DictReader(open(sys.argv[1]))
      if r["status"] == "ok" and not r["row"].startswith(("lat", "outage"))]
bad = [r for r in ok if not (r["c2c_before_ns"].isdigit() and r["c2c_after_ns"].isdigit()
                             and int(r["c2c_before_ns"]) > 0 and int(r["c2c_after_ns"]) > 0)]
if not ok:
    sys.exit("FAIL: no throughput window gave a number")
for r in bad:
    print("FAIL: %s/%s/rep%s has no core-to-core probe: %r %r" % (
        r["row"], r["contender"], r["rep"], r["c2c_before_ns"], r["c2c_after_ns"]))
if bad:
    sys.exit(1)
print("quick: %d throughput windows, every one probed core to core" % len(ok))
PY

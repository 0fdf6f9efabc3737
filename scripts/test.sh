#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test.sh - the one command that installs, builds and runs every test:
#   scripts/setup.sh, a warnings-as-errors build in build-test/, the clang-format lint, then
#   meson test (unit, integration and e2e suites, as registered in meson), then the unit suite
#   again under ASan and UBSan (build-asan/), then each fuzz target for 20 s (build-fuzz/,
#   tests/fuzz/run). tests/README.md says what the sanitizers see and what they cannot.
#
# usage: scripts/test.sh [meson test arguments...]    e.g. scripts/test.sh --suite unit
# env:   LANSWITCH_BUILD_DIR  build directory (default build-test)
#        LANSWITCH_SKIP_SETUP=1  do not run scripts/setup.sh
#        LANSWITCH_FUZZ_SECONDS  each fuzz target's run (default 20)
#
# Exit status is non-zero when any step fails; the last line says which.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${LANSWITCH_BUILD_DIR:-build-test}
ASAN_BUILD_DIR=build-asan
FUZZ_SECONDS=${LANSWITCH_FUZZ_SECONDS:-20}
LINT_DIRS=(api dataplane control bpf bench tests)
CURRENT_STEP=""
LINT_FAILED=0 # lint failure does not hide the tests' results, but fails the run
TESTS_RAN=0

step() {
	echo "==> $*"
}

# The closing line is the plain "meson: N passed, N failed, N skipped" that CI reads, taken
# from meson's own log of this run; a step that failed before meson test says so instead.
finish() {
	local rc=$?
	trap - EXIT
	if [ $rc -ne 0 ]; then
		echo "test.sh: FAILED at step: ${CURRENT_STEP:-?} (exit $rc)$([ "$LINT_FAILED" = 1 ] &&
			echo ", and lint")"
	elif [ "$LINT_FAILED" = 1 ]; then
		echo "test.sh: FAILED at step: lint (clang-format, see above)"
		rc=1
	else
		echo "test.sh: all steps passed (setup, build, lint, meson test, asan, fuzz)"
	fi
	[ "$TESTS_RAN" = 1 ] && print_test_counts
	exit $rc
}

print_test_counts() {
	local log=$BUILD_DIR/meson-logs/testlog.json
	[ -s "$log" ] || {
		echo "meson: 0 passed, 0 failed"
		return
	}
	jq -rs '
		def n(f): map(select(f)) | length;
		"meson: \(n(.result == "OK" or .result == "EXPECTEDFAIL")) passed, " +
		"\(n(.result != "OK" and .result != "EXPECTEDFAIL" and .result != "SKIP")) failed, " +
		"\(n(.result == "SKIP")) skipped"' "$log" || echo "meson: could not read $log"
}

run_setup() {
	CURRENT_STEP=setup
	if [ "${LANSWITCH_SKIP_SETUP:-0}" = 1 ]; then
		step "setup: skipped (LANSWITCH_SKIP_SETUP=1)"
		return
	fi
	step "setup"
	"$REPO_DIR/scripts/setup.sh"
}

# meson setup DIR OPTS...: an existing dir is reconfigured in place (keeps the incremental
# build), wiped if that fails
meson_setup() {
	local dir=$1
	shift
	step "meson setup $dir $*"
	if [ -f "$dir/meson-private/coredata.dat" ]; then
		meson setup --reconfigure "$@" "$dir" || meson setup --wipe "$@" "$dir"
	else
		rm -rf "$dir"
		meson setup "$@" "$dir"
	fi
}

configure_build() {
	CURRENT_STEP=configure
	meson_setup "$BUILD_DIR" -Dwerror=true -Dbuildtype=debugoptimized
}

compile_build() {
	CURRENT_STEP=build
	step "meson compile -C $BUILD_DIR"
	meson compile -C "$BUILD_DIR"
}

# clang-format --dry-run --Werror on every C file we own; directories with none are skipped.
lint_sources() {
	CURRENT_STEP=lint
	local dir files=()
	step "lint: clang-format --dry-run --Werror"
	for dir in "${LINT_DIRS[@]}"; do
		[ -d "$dir" ] || continue
		mapfile -t -O ${#files[@]} files < <(find "$dir" -type f \( -name '*.c' -o -name '*.h' \) |
			sort)
	done
	if [ ${#files[@]} -eq 0 ]; then
		echo "lint: no C files"
		return
	fi
	local f bad=()
	for f in "${files[@]}"; do
		clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
	done
	if [ ${#bad[@]} -eq 0 ]; then
		echo "lint: ${#files[@]} files clean"
		return
	fi
	# the first violations in full, then only the names: enough to act on, short enough to read
	clang-format --dry-run --Werror "${bad[@]}" 2>&1 | head -n 40 || true
	echo "lint: ${#bad[@]} of ${#files[@]} files are not clang-formatted (clang-format -i FILE):"
	printf '  %s\n' "${bad[@]}"
	LINT_FAILED=1
}

run_meson_test() {
	CURRENT_STEP="meson test"
	step "meson test -C $BUILD_DIR --print-errorlogs --num-processes 2 $*"
	rm -f "$BUILD_DIR/meson-logs/testlog.json"
	TESTS_RAN=1
	meson test -C "$BUILD_DIR" --print-errorlogs --num-processes 2 "$@"
}

# The unit suite under ASan and UBSan: the first finding fails its test (halt_on_error), with
# UBSan's stack. DPDK's own libraries are not instrumented: mbufs and rte_malloc memory are out
# of ASan's sight (tests/README.md).
run_asan() {
	CURRENT_STEP=asan
	meson_setup "$ASAN_BUILD_DIR" -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debugoptimized
	step "meson test -C $ASAN_BUILD_DIR --suite unit (ASan, UBSan)"
	ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1 \
		UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
		meson test -C "$ASAN_BUILD_DIR" --suite unit --print-errorlogs --num-processes 2
}

# Each target for FUZZ_SECONDS on its seed corpus: a regression run, not a search (the long
# runs' numbers are in tests/README.md).
run_fuzz() {
	CURRENT_STEP=fuzz
	local t
	for t in tests/fuzz/corpus/*/; do
		t=$(basename "$t")
		step "fuzz $t for $FUZZ_SECONDS s"
		tests/fuzz/run "$t" "$FUZZ_SECONDS"
	done
}

main() {
	cd "$REPO_DIR"
	trap finish EXIT
	run_setup
	configure_build
	compile_build
	lint_sources
	run_meson_test "$@"
	run_asan
	run_fuzz
}

main "$@"

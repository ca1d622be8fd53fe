#!/usr/bin/env bash
# Builds with AddressSanitizer + UndefinedBehaviorSanitizer (clang) into build-asan/ and runs
# the unit tests and the MPI tests at 2 ranks under them (CI runs this after scripts/test.sh).
# scripts/fuzz.sh builds its targets in the same build folder: after this script it only
# compiles and links the fuzz targets themselves.
# Leak checking is off: Open MPI's own allocations at exit would be reported as leaks.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
BUILD="$MARLSIM_ASAN_BUILD"
ensure_packages clang
configure_asan_build "$BUILD"
# Before the build too: ctest discovery runs marlsim_tests (which initializes MPI) at build time.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cmake --build "$BUILD" -j"$(nproc)" --target marlsim_tests marlsim_mpi_tests
cd "$BUILD"
# The unit tests in two processes side by side (every other test case each: one per core of
# CI's two), then the MPI tests at 2 ranks. Catch reads names from a file with , [ ] escaped.
tests="$BUILD/bin/marlsim_tests"
# (Catch's exit code after a listing is the number of test cases listed.)
{ "$tests" --list-test-names-only || true; } | grep -v '^$' | sed 's/[][,]/\\&/g' >"$BUILD/unit_tests.txt"
[ -s "$BUILD/unit_tests.txt" ] || { echo "sanitize: $tests listed no test cases" >&2; exit 1; }
awk 'NR % 2 == 1' "$BUILD/unit_tests.txt" >"$BUILD/unit_tests.0"
awk 'NR % 2 == 0' "$BUILD/unit_tests.txt" >"$BUILD/unit_tests.1"
echo "sanitize: $(wc -l <"$BUILD/unit_tests.txt") unit test cases in two processes"
pids=()
for shard in 0 1; do
  "$tests" -f "$BUILD/unit_tests.$shard" >"$BUILD/unit_tests.$shard.log" 2>&1 &
  pids+=($!)
done
failed=0
for shard in 0 1; do
  if wait "${pids[$shard]}"; then tail -2 "$BUILD/unit_tests.$shard.log"; else cat "$BUILD/unit_tests.$shard.log"; failed=1; fi
done
[ "$failed" -eq 0 ] || { echo "sanitize: unit tests failed under ASan + UBSan" >&2; exit 1; }
set -x
"${MPIRUN[@]}" -np 2 "$BUILD/bin/marlsim_mpi_tests"
set +x
echo "sanitize: unit and 2-rank MPI tests clean under ASan + UBSan"

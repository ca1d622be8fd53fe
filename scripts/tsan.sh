#!/usr/bin/env bash
# Builds the tests that run OpenMP threads (the dense kernel, its backward pass, the
# actor-critic network: tests/CMakeLists.txt, marlsim_threaded_tests) with clang and
# ThreadSanitizer into build-tsan/ and runs them at 2 and 4 threads (CI runs this after
# scripts/sanitize.sh). GCC's libgomp is not instrumented and gives false races, so this
# uses clang with LLVM's libomp and its TSan annotations (Archer, loaded through
# OMP_TOOL_LIBRARIES). Any race report fails the run.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
BUILD="${MARLSIM_TSAN_BUILD:-$MARLSIM_ROOT/build-tsan}"
ensure_packages clang libomp-14-dev
ARCHER=/usr/lib/llvm-14/lib/libarcher.so
[ -f "$ARCHER" ] || { echo "tsan: $ARCHER missing (Debian package libomp-14-dev)" >&2; exit 2; }
CC=clang CXX=clang++ cmake -S "$MARLSIM_ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMARLSIM_TSAN=ON \
  -DMARLSIM_BUILD_BENCHMARKS=OFF -DMARLSIM_WERROR=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target marlsim_threaded_tests
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 suppressions=$MARLSIM_ROOT/scripts/tsan.supp"
export OMP_TOOL_LIBRARIES="$ARCHER" ARCHER_OPTIONS="verbose=0"
cd "$BUILD"
for threads in 2 4; do
  echo "tsan: OMP_NUM_THREADS=$threads"
  OMP_NUM_THREADS=$threads "$BUILD/bin/marlsim_threaded_tests"
done
echo "tsan: the threaded tests are race-free under ThreadSanitizer at 2 and 4 threads"

#!/usr/bin/env bash
# Builds with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ and runs the unit
# tests and the MPI tests at 2 ranks under them (CI runs this after scripts/test.sh).
# Leak checking is off: Open MPI's own allocations at exit would be reported as leaks.
# Warnings are not errors here: GCC 12 with ASan reports false "maybe uninitialized" in
# <regex> (from Catch2); the Release build of scripts/test.sh keeps -Werror.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
BUILD="${MARLSIM_ASAN_BUILD:-$MARLSIM_ROOT/build-asan}"
ensure_packages
cmake -S "$MARLSIM_ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMARLSIM_SANITIZE=ON \
  -DMARLSIM_BUILD_BENCHMARKS=OFF -DMARLSIM_WERROR=OFF >/dev/null
# Before the build too: ctest discovery runs marlsim_tests (which initializes MPI) at build time.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cmake --build "$BUILD" -j"$(nproc)" --target marlsim_tests marlsim_mpi_tests
cd "$BUILD"
set -x
"$BUILD/bin/marlsim_tests"
"${MPIRUN[@]}" -np 2 "$BUILD/bin/marlsim_mpi_tests"
set +x
echo "sanitize: unit and 2-rank MPI tests clean under ASan + UBSan"

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
set -x
"$BUILD/bin/marlsim_tests"
"${MPIRUN[@]}" -np 2 "$BUILD/bin/marlsim_mpi_tests"
set +x
echo "sanitize: unit and 2-rank MPI tests clean under ASan + UBSan"

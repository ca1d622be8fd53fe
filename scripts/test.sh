#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: Catch2 unit tests, MPI tests at
# 1, 2 and 4 ranks, and command-line tests (ctest). Exit code 0 means all passed.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_packages
TIMEFORMAT="test: %1R s wall, %1U s user + %1S s sys CPU for the build"
time build_marlsim
cd "$MARLSIM_BUILD"
TIMEFORMAT="test: %1R s wall, %1U s user + %1S s sys CPU for ctest"
time ctest --output-on-failure -j"$(nproc)" "$@"

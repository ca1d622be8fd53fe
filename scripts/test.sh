#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: Catch2 unit tests, MPI tests at
# 1, 2 and 4 ranks, and command-line tests (ctest). Exit code 0 means all passed.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_packages
build_marlsim
cd "$MARLSIM_BUILD"
ctest --output-on-failure -j"$(nproc)" "$@"

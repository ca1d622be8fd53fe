#!/usr/bin/env bash
# ctest splits test names at ';' (catch_discover_tests registers "a; b" as two entries that
# match no test and pass without running anything), so no Catch2 test case name may contain one (sections are not registered).
set -uo pipefail
SRC=${MARLSIM_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bad=$(grep -nE '^\s*TEST_CASE\("[^"]*;' "$SRC"/tests/unit/*.cpp "$SRC"/tests/mpi/*.cpp)
if [ -n "$bad" ]; then
  echo "FAIL: test names with ';' never run under ctest:"
  echo "$bad"
  exit 1
fi
echo "test_names: no test name contains ';'"

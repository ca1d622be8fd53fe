#!/usr/bin/env bash
# marlsim phold from the command line: equal checksums at 1, 2 and 4 ranks, the JSON
# summary, and one-line errors with exit code 2 and no output file for bad options.
set -uo pipefail
MARLSIM=$1
MPIEXEC=${2:-mpirun}
source "${MARLSIM_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/scripts/mpi_env.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

sums=()
for np in 1 2 4; do
  out=$("$MPIEXEC" -np $np --oversubscribe --bind-to none "$MARLSIM" phold --lps 300 --end 50 --seed 3 \
        --summary-json "$tmp/phold-$np.json") || fail "phold at $np ranks exited $?"
  sums+=("$(grep '^checksum:' <<<"$out" | awk '{print $2}')")
  [ -s "$tmp/phold-$np.json" ] || fail "no summary JSON at $np ranks"
done
[ "${sums[0]}" = "${sums[1]}" ] && [ "${sums[0]}" = "${sums[2]}" ] || fail "checksums differ: ${sums[*]}"
for key in events events_per_second ranks checksum windows; do
  grep -q "\"$key\"" "$tmp/phold-2.json" || fail "summary JSON lacks $key"
done
grep -q "\"checksum\": \"${sums[0]}\"" "$tmp/phold-4.json" || fail "JSON checksum differs from the printed one"

# Bad input: exit 2, one line naming the option, no summary file written.
expect_error() {
  local pattern=$1; shift
  local err rc
  err=$("$MARLSIM" phold "$@" --summary-json "$tmp/bad.json" 2>&1 >/dev/null); rc=$?
  [ $rc -eq 2 ] || fail "phold $* exited $rc, expected 2"
  grep -q -- "$pattern" <<<"$err" || fail "phold $*: error '$err' does not mention $pattern"
  [ "$(wc -l <<<"$err")" -eq 1 ] || fail "phold $*: error is not one line: $err"
  [ ! -e "$tmp/bad.json" ] || fail "phold $* wrote an output file"
}
expect_error "--frobnicate" --frobnicate 3
expect_error "--lps" --lps -5
expect_error "--lps" --lps 0
expect_error "--lookahead" --lookahead 2 --mean 1
expect_error "--end" --end soon
expect_error "--remote" --remote 1.5
expect_error "--partition" --partition diagonal
echo "phold CLI: all checks passed"

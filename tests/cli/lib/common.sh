# Shared by the command-line tests (sourced; not a test itself: ctest runs tests/cli/*.sh).
# Arguments of every test: $1 the marlsim program, $2 mpiexec. Provides a scratch folder
# $tmp (removed on exit), fail, and expect_error.
set -uo pipefail
MARLSIM=$1
MPIEXEC=${2:-mpirun}
SRC=${MARLSIM_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
SHARED=${MARLSIM_SHARED_DIR:-$SRC/../shared}
PY=/usr/bin/python3
source "$SRC/scripts/mpi_env.sh"
MPIRUN=("$MPIEXEC" --oversubscribe --bind-to none)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# expect_error PATTERN COMMAND...: COMMAND exits 2 with one line on stderr that contains
# PATTERN (a grep -E regex) and writes nothing into $tmp/out (created empty here; pass
# outputs under it). mpirun's own framed notices (between lines of dashes) are not counted.
expect_error() {
  local pattern=$1; shift
  local err rc
  rm -rf "$tmp/out"; mkdir -p "$tmp/out"
  err=$("$@" 2>&1 >/dev/null); rc=$?
  err=$(sed '/^-----/,/^-----/d' <<<"$err")
  [ $rc -eq 2 ] || fail "$*: exited $rc, expected 2 ($err)"
  grep -qE -- "$pattern" <<<"$err" || fail "$*: error '$err' does not match '$pattern'"
  [ "$(wc -l <<<"$err")" -eq 1 ] || fail "$*: error is not one line: $err"
  [ -z "$(ls -A "$tmp/out")" ] || fail "$*: left files: $(ls -A "$tmp/out")"
}

# The bytes of a file, to check later that it was not touched.
checksum() { sha256sum "$1" | cut -d' ' -f1; }

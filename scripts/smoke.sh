#!/usr/bin/env bash
# A short run of each main command on the built tree (CI runs it after the tests).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
M="$MARLSIM_BUILD/bin/marlsim"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$MARLSIM_ROOT"
set -x
"$M" list >/dev/null
"$M" phold --lps 4096 --end 200
"${MPIRUN[@]}" -np 2 "$M" phold --lps 4096 --end 200
"$M" run configs/seed-study.toml --episodes 2 --out "$tmp/seed.h5" --summary-json "$tmp/seed.json"
"${MPIRUN[@]}" -np 2 "$M" run configs/seed-study-u80.toml --episodes 2 --quiet
if [ -d ../shared/traces ]; then
  "$M" run configs/trace-ricc.toml --episodes 1 --quiet
fi
set +x
echo "smoke: every main command ran"

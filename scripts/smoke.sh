#!/usr/bin/env bash
# A short run of each main command on the built tree (CI runs it after the tests).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
M="$MARLSIM_BUILD/bin/marlsim"
tmp=$(mktemp -d)
mkdir -p "$tmp/report"
trap 'rm -rf "$tmp"' EXIT
cd "$MARLSIM_ROOT"
set -x
"$M" list >/dev/null
"$M" phold --lps 4096 --end 200
"${MPIRUN[@]}" -np 2 "$M" phold --lps 4096 --end 200
"$M" run configs/seed-study.toml --episodes 2 --out "$tmp/seed.h5" --summary-json "$tmp/seed.json"
"${MPIRUN[@]}" -np 2 "$M" run configs/seed-study-u80.toml --episodes 2 --quiet
"${MPIRUN[@]}" -np 2 "$M" train configs/seed-study-u80-ac.toml --iterations 2 --episodes-per-iteration 2 \
  --set workload.tasks=200 --checkpoint-dir "$tmp/train" --summary-json "$tmp/report/train.json"
"$M" run configs/seed-study-u80-ac.toml --episodes 2 --set workload.tasks=200 --quiet \
  --set agents.checkpoint="$tmp/train/policy.h5" --out "$tmp/report/eval.h5" --summary-json "$tmp/report/eval.json"
/usr/bin/python3 analysis/report.py "$tmp/report" >/dev/null
if [ -d ../shared/traces ]; then
  "$M" run configs/trace-ricc.toml --episodes 1 --quiet
fi
set +x
echo "smoke: every main command ran"

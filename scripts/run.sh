#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job, the default study, on two ranks:
#   1. trains the learned policy `decentralized-ac` on the seed study at 80 % load
#      (configs/seed-study-u80-ac.toml: 100 nodes, decentralized) for 20 PPO iterations;
#   2. evaluates it next to four heuristics on 30 episodes never used in training, paired
#      against random;
#   3. writes a report with plots (analysis/report.py): the comparison with 95 % CIs,
#      completion-time CDFs, the learning curve and where training time went.
# Everything lands in results/default-study/ (report: results/default-study/report/report.md).
# Extra arguments go to the evaluating `marlsim run`, e.g. --episodes 10.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_packages
build_marlsim
out=results/default-study
cd "$MARLSIM_ROOT"
mkdir -p "$out"
M="$MARLSIM_BUILD/bin/marlsim"
scenario=configs/seed-study-u80-ac.toml

echo "== 1/3 training decentralized-ac (20 iterations x 8 episodes, 2 ranks)"
"${MPIRUN[@]}" -np 2 "$M" train "$scenario" --iterations 20 --episodes-per-iteration 8 \
  --checkpoint-dir "$out/train" --summary-json "$out/train.json"

echo "== 2/3 evaluating it against the heuristics on 30 unseen episodes (2 ranks)"
"${MPIRUN[@]}" -np 2 "$M" run "$scenario" --set agents.checkpoint="$out/train/policy.h5" \
  --policy decentralized-ac,priority-minmin,weighted-rr,least-loaded,random --baseline random \
  --out "$out/evaluation.h5" --summary-json "$out/evaluation.json" "$@"

echo "== 3/3 report"
/usr/bin/python3 analysis/report.py "$out"
echo "done: $out/report/report.md"

#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: the baseline comparison on the
# built-in seed-study scenario (5 policies x 30 episodes on the 100-node cluster of source
# study 1). Extra arguments go to `marlsim run`, e.g. --set workload.target_utilization=0.8
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_packages
build_marlsim
mkdir -p "$MARLSIM_ROOT/results"
cd "$MARLSIM_ROOT"
"$MARLSIM_BUILD/bin/marlsim" run configs/seed-study.toml \
  --out results/seed-study.h5 --summary-json results/seed-study.json "$@"

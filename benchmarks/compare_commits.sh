#!/usr/bin/env bash
# Before/after in one run: builds `marlsim` at two commits (default: OLD and the working
# tree's HEAD) and times the same commands on both, interleaved (A B A B ...) so that the
# noise of a shared machine hits both alike. Prints a Markdown table of median wall times
# and the ratio new/old (below 1: the new code is faster).
#
#   benchmarks/compare_commits.sh OLD [NEW] [REPS]      e.g.  benchmarks/compare_commits.sh f9bdfe8
#
# Commands: PHOLD on 1 and 2 ranks (the kernel), and `marlsim run` of the seed study's u80
# scenario at 1,000 nodes (centralized least-loaded, every node scored), 10,000 nodes
# (candidates = 16) and decentralized at 1,000 nodes (the cluster model).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
OLD=${1:?usage: compare_commits.sh OLD [NEW] [REPS]}
NEW=${2:-HEAD}
REPS=${3:-3}
work=$(mktemp -d /tmp/marlsim-compare.XXXXXX)
trap 'git -C "$MARLSIM_ROOT" worktree remove --force "$work/old" 2>/dev/null || true;
      git -C "$MARLSIM_ROOT" worktree remove --force "$work/new" 2>/dev/null || true; rm -rf "$work"' EXIT

build() {  # commit dir
  git -C "$MARLSIM_ROOT" worktree add -q --detach "$2" "$1"
  cmake -S "$2" -B "$2/build" -DCMAKE_BUILD_TYPE=Release -DMARLSIM_BUILD_TESTS=OFF -DMARLSIM_BUILD_BENCHMARKS=OFF \
    ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER} >/dev/null
  cmake --build "$2/build" -j"$(nproc)" --target marlsim >/dev/null
}
build "$OLD" "$work/old"
build "$NEW" "$work/new"

u80="$MARLSIM_ROOT/configs/seed-study-u80.toml"
declare -a names cmds
add() { names+=("$1"); cmds+=("$2"); }
add "PHOLD, 1 rank, 1,024 LPs"        "BIN phold --lps 1024 --end 8000"
add "PHOLD, 2 ranks, 1,024 LPs"       "MPI2 BIN phold --lps 1024 --end 2000"
add "run: 1,000 nodes, least-loaded"  "BIN run --scenario $u80 --quiet --set run.episodes=1 --set cluster.nodes=1000 --set workload.tasks=60000 --set scheduler.policy=least-loaded"
add "run: 10,000 nodes, 16 candidates" "BIN run --scenario $u80 --quiet --set run.episodes=1 --set cluster.nodes=10000 --set workload.tasks=300000 --set scheduler.policy=least-loaded --set scheduler.candidates=16"
add "run: decentralized, 1,000 nodes" "BIN run --scenario $u80 --quiet --set run.episodes=1 --set cluster.nodes=1000 --set workload.tasks=60000 --set scheduler.topology=decentralized --set scheduler.policy=least-loaded"

time_one() {  # dir command -> seconds
  local c=${2//BIN/$1/build/bin/marlsim}
  c=${c//MPI2/${MPIRUN[*]} -np 2}
  local t0 t1
  t0=$(date +%s.%N)
  eval "$c" >/dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "Before/after: old = $(git -C "$MARLSIM_ROOT" rev-parse --short "$OLD"), new = $(git -C "$MARLSIM_ROOT" rev-parse --short "$NEW"); $REPS interleaved repetitions; $(nproc) cores; $(date -u +%F)"
echo
echo "| command | old median (s) | new median (s) | new / old |"
echo "|---|---:|---:|---:|"
for i in "${!names[@]}"; do
  old_t=() new_t=()
  for ((r = 0; r < REPS; ++r)); do
    old_t+=("$(time_one "$work/old" "${cmds[$i]}")")
    new_t+=("$(time_one "$work/new" "${cmds[$i]}")")
  done
  o=$(printf '%s\n' "${old_t[@]}" | median)
  n=$(printf '%s\n' "${new_t[@]}" | median)
  printf '| %s | %.3f | %.3f | %.2f |\n' "${names[$i]}" "$o" "$n" "$(awk -v a="$o" -v b="$n" 'BEGIN {print b / a}')"
done

#!/usr/bin/env bash
# Parallel episodes (issue 10 s.2): a study on 1 and on 2 ranks, interleaved, REPS times.
# One line per run: the run's own wall time ("wall time" line: from the scenario loaded to the
# results written), the process wall time, and each rank's CPU time (user + sys), which a
# shared machine perturbs far less than wall time.
#   bash benchmarks/parallel_episodes.sh 6 configs/seed-study.toml [marlsim run options...]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/mpi_env.sh"
MARLSIM=${MARLSIM:-$ROOT/build/bin/marlsim}
reps=$1 scenario=$2
shift 2
for i in $(seq "$reps"); do
  for np in 1 2; do
    out=$(mpirun --oversubscribe --bind-to none -np "$np" /usr/bin/time -f "cpu %U %S wall %e" \
      "$MARLSIM" run "$scenario" --quiet "$@" 2>&1)
    run=$(grep -oP '^wall time \K[0-9.]+' <<<"$out")
    cpus=$(grep -oP '^cpu \K[0-9.]+ [0-9.]+' <<<"$out" | awk '{printf "%.2f ", $1 + $2}')
    process=$(grep -oP '^cpu .* wall \K[0-9.]+' <<<"$out" | sort -n | tail -1)
    echo "rep $i ranks $np run_wall_s $run process_wall_s $process rank_cpu_s $cpus load $(cut -d' ' -f1 /proc/loadavg)"
  done
done

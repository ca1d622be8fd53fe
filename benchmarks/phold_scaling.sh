#!/usr/bin/env bash
# Parallel PHOLD scaling with the real program (`marlsim phold` under mpirun).
#
# For each configuration (LPs per rank, lookahead, remote fraction; mean delay 1.0 s) and
# each rank count P in 1, 2 and 4 (4 is oversubscribed on this 2-core machine and labelled
# so), the problem is P x LPs-per-rank LPs. It is also run on one rank, which gives:
#   speedup    = events/s on P ranks / events/s of the same problem on 1 rank (strong scaling)
#   efficiency = speedup / P
#   weak ratio = events/s on P ranks / events/s of LPs-per-rank LPs on 1 rank (how ROSS's
#                figures scale: its 2-rank figure has twice the LPs of its 1-rank figure)
# and the checksum of every P-rank run must equal the 1-rank run of the same problem.
# Each run is repeated REPEAT times (default 3); the table shows the run with the median
# events/s, whose windows and compute/exchange/reduce split (slowest rank) it also prints.
#
#   benchmarks/phold_scaling.sh [path/to/marlsim]        (default build-bench/bin/marlsim)
#   REPEAT=5 RANKS="1 2" benchmarks/phold_scaling.sh
set -euo pipefail

MARLSIM=${1:-build-bench/bin/marlsim}
MPIRUN=${MPIRUN:-mpirun}
PYTHON=${PYTHON:-/usr/bin/python3}
REPEAT=${REPEAT:-3}
RANKS=${RANKS:-"1 2 4"}
NCORES=$(nproc)
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/mpi_env.sh"

[ -x "$MARLSIM" ] || { echo "phold_scaling: no marlsim program at $MARLSIM (build it first)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Simulated end time per LPs-per-rank: ~1 M events per 1,024 LPs, and for 8 LPs per rank a
# run long enough to have tens of thousands of windows.
end_for() { case $1 in 8) echo 20000 ;; *) echo 1000 ;; esac; }

# run NP TOTAL_LPS LOOKAHEAD REMOTE END TAG: REPEAT runs, JSON summaries in $tmp/TAG-N.json
run() {
  local np=$1 lps=$2 la=$3 remote=$4 end=$5 tag=$6 i
  for ((i = 0; i < REPEAT; i++)); do
    if ! "$MPIRUN" -np "$np" --oversubscribe --bind-to none "$MARLSIM" phold --lps "$lps" --lookahead "$la" \
         --mean 1.0 --remote "$remote" --end "$end" --seed 1 --summary-json "$tmp/$tag-$i.json" >/dev/null; then
      echo "phold_scaling: FAILED: mpirun -np $np marlsim phold --lps $lps --lookahead $la --remote $remote --end $end" >&2
      exit 1
    fi
  done
}

echo "# marlsim phold scaling: $(lscpu | sed -n 's/^Model name: *//p'), $NCORES cores, mean delay 1.0 s, seed 1, $REPEAT runs each (median shown)"
for per_rank in 1024 8; do
  end=$(end_for $per_rank)
  for la in 0.1 1.0; do
    for remote in 0.1 0.25; do
      for np in $RANKS; do
        total=$((np * per_rank))
        run 1 "$total" "$la" "$remote" "$end" "seq-$per_rank-$la-$remote-$total"
        [ "$np" -gt 1 ] && run "$np" "$total" "$la" "$remote" "$end" "par-$per_rank-$la-$remote-$np"
      done
    done
  done
done

"$PYTHON" - "$tmp" "$NCORES" "$RANKS" <<'EOF'
import glob, json, os, statistics, sys

tmp, ncores, ranks = sys.argv[1], int(sys.argv[2]), [int(r) for r in sys.argv[3].split()]

def median_run(tag):
    runs = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(tmp, tag + "-*.json")))]
    if not runs:
        sys.exit(f"phold_scaling: no results for {tag}")
    sums = {r["checksum"] for r in runs}
    if len(sums) != 1:
        sys.exit(f"phold_scaling: FAILED: repeated runs of {tag} gave different checksums {sorted(sums)}")
    runs.sort(key=lambda r: r["events_per_second"])
    return runs[len(runs) // 2]

def m(x):
    return f"{x / 1e6:.2f} M"

failed = False
print()
print("| LPs/rank | lookahead | remote | ranks | LPs | events/s | speedup | efficiency | weak ratio "
      "| windows | events/window | compute s | exchange s | reduce s | checksum |")
print("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for per_rank in (1024, 8):
    for la in ("0.1", "1.0"):
        for remote in ("0.1", "0.25"):
            base = median_run(f"seq-{per_rank}-{la}-{remote}-{per_rank}")
            for np in ranks:
                total = np * per_rank
                seq = median_run(f"seq-{per_rank}-{la}-{remote}-{total}")
                run = seq if np == 1 else median_run(f"par-{per_rank}-{la}-{remote}-{np}")
                if run["checksum"] != seq["checksum"]:
                    print(f"phold_scaling: FAILED: checksum {run['checksum']} on {np} ranks differs from "
                          f"{seq['checksum']} on 1 rank ({total} LPs, lookahead {la}, remote {remote})",
                          file=sys.stderr)
                    failed = True
                speedup = run["events_per_second"] / seq["events_per_second"]
                label = f"{np} (oversubscribed)" if np > ncores else str(np)
                print(f"| {per_rank} | {la} | {remote} | {label} | {total} | {m(run['events_per_second'])} "
                      f"| {speedup:.2f} | {100 * speedup / np:.0f} % "
                      f"| {run['events_per_second'] / base['events_per_second']:.2f} "
                      f"| {run['windows']} | {run['mean_events_per_window']:.1f} | {run['compute_s']:.3f} "
                      f"| {run['exchange_s']:.3f} | {run['reduce_s']:.3f} | {run['checksum']} |")
if failed:
    sys.exit("phold_scaling: FAILED: checksums differ between rank counts")
print()
print("checksums: every P-rank run equals the 1-rank run of the same problem")
EOF

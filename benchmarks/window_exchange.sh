#!/usr/bin/env bash
# One episode spread over 1, 2 and 4 ranks, two builds back to back (old then new, per
# configuration and rank count), to see what a window's synchronization costs and where a
# single episode starts to gain from more ranks. Per run: events, windows, events per
# window, cross-rank events, episode wall time (slowest rank, from --summary-json), and the
# CPU seconds (user + system) of each rank from /usr/bin/time. 4 ranks oversubscribe a 2-core
# machine. The model's metrics must be identical for every build and rank count: the script
# fails loudly if not.
#
#   benchmarks/window_exchange.sh OLD_MARLSIM NEW_MARLSIM
#   RANKS="1 2" CONFIGS="c10k d10k" benchmarks/window_exchange.sh /tmp/old/marlsim build/bin/marlsim
#
# Configurations (configs/seed-study-u80.toml, least-loaded, seed 1, one episode):
#   c1k / c10k / c100k   centralized, 1,000 / 10,000 / 100,000 nodes, 20 / 5 / 1 task(s) per node
#   d1k / d10k / d100k   decentralized (limited sharing, 1 s reports), the same sizes,
#                        run.max_time_s caps the reports' tail
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 OLD_MARLSIM NEW_MARLSIM   (env: RANKS, CONFIGS, MPIRUN, PYTHON)" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OLD=$1
NEW=$2
MPIRUN=${MPIRUN:-mpirun}
PYTHON=${PYTHON:-/usr/bin/python3}
RANKS=${RANKS:-"1 2 4"}
CONFIGS=${CONFIGS:-"c1k c10k c100k d1k d10k d100k"}
source "$ROOT/scripts/mpi_env.sh"
for b in "$OLD" "$NEW"; do [ -x "$b" ] || { echo "window_exchange: no program at $b" >&2; exit 2; }; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sets_for() {
  case $1 in
    c1k) echo "cluster.nodes=1000 workload.tasks=20000" ;;
    c10k) echo "cluster.nodes=10000 workload.tasks=50000" ;;
    c100k) echo "cluster.nodes=100000 workload.tasks=100000" ;;
    d1k) echo "cluster.nodes=1000 workload.tasks=20000 scheduler.topology=decentralized run.max_time_s=120" ;;
    d10k) echo "cluster.nodes=10000 workload.tasks=50000 scheduler.topology=decentralized run.max_time_s=60" ;;
    d100k) echo "cluster.nodes=100000 workload.tasks=100000 scheduler.topology=decentralized run.max_time_s=20" ;;
    *) echo "window_exchange: unknown configuration $1" >&2; exit 2 ;;
  esac
}

echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| config | ranks | build | events | windows | events/window | remote events | episode wall s | CPU s per rank |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---|"
for cfg in $CONFIGS; do
  args=()
  for s in $(sets_for "$cfg"); do args+=(--set "$s"); done
  for np in $RANKS; do
    for build in old new; do
      bin=$OLD
      [ $build = new ] && bin=$NEW
      out="$tmp/$cfg-$np-$build"
      if ! "$MPIRUN" -np "$np" --oversubscribe --bind-to none /usr/bin/time -f "cpu %U %S" "$bin" run \
           "$ROOT/configs/seed-study-u80.toml" --policy least-loaded --episodes 1 "${args[@]}" \
           --summary-json "$out.json" --quiet >"$out.log" 2>&1; then
        echo "window_exchange: FAILED: $bin, $cfg, $np ranks" >&2
        cat "$out.log" >&2
        exit 1
      fi
      "$PYTHON" - "$tmp" "$cfg" "$np" "$build" <<'EOF' || exit 1
import json, sys
tmp, cfg, np, build = sys.argv[1:5]
base = f"{tmp}/{cfg}-{np}-{build}"
p = json.load(open(base + ".json"))["policies"][0]
cpu = [float(u) + float(s) for line in open(base + ".log") if line.startswith("cpu ")
       for _, u, s in [line.split()]]
SKIP = ("wall", "windows", "remote_events")
model = {k: v for k, v in p.items() if not any(s in k for s in SKIP)}
ref_path = f"{tmp}/{cfg}-ref.json"
try:
    ref = json.load(open(ref_path))
except FileNotFoundError:
    ref = model
    json.dump(ref, open(ref_path, "w"))
bad = sorted(k for k in ref if model.get(k) != ref[k])
if bad:
    sys.exit(f"window_exchange: {cfg}, {np} ranks, {build}: metrics differ from the first run: {', '.join(bad)}")
label = np + (" (oversubscribed)" if int(np) > 2 else "")
events, windows = int(p["events"]), int(p["windows"])
print(f"| {cfg} | {label} | {build} | {events:,} | {windows:,} | {events / max(windows, 1):,.1f} "
      f"| {int(p.get('remote_events', 0)):,} | {p['wall_s']:.2f} | {' / '.join(f'{c:.2f}' for c in sorted(cpu))} |",
      flush=True)
EOF
    done
  done
done
echo
echo "metrics: identical for every build and rank count of each configuration"

#!/usr/bin/env bash
# marlsim sweep / collect and analysis/report.py from the command line: bad studies fail
# with one line and exit 2 before anything runs; a local sweep runs every run in its own
# folder, resumes after being killed half way, and gives the same results at 1 and 2 ranks;
# collect lists failed and missing runs; --slurm --dry-run writes the job-array script;
# the report's figures exist and plot data.
set -uo pipefail
MARLSIM=$1
SRC=${MARLSIM_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=/usr/bin/python3
source "$SRC/scripts/mpi_env.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

study() {  # NAME BODY: a study file in $tmp on the u80 scenario
  printf 'scenario = "%s"\nepisodes = 1\nset = ["workload.tasks=200"]\n%s\n' "$SRC/configs/seed-study-u80.toml" "$2" \
    >"$tmp/$1.toml"
}

# expect_error NAME PATTERN ARGS...: exit 2, one line matching PATTERN, no sweep directory.
expect_error() {
  local name=$1 pattern=$2
  shift 2
  "$MARLSIM" "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"
  local rc=$?
  [ $rc -eq 2 ] || fail "$name: exit $rc, expected 2 ($(cat "$tmp/err.txt"))"
  [ "$(wc -l <"$tmp/err.txt")" -eq 1 ] || fail "$name: expected one line, got: $(cat "$tmp/err.txt")"
  grep -q -- "$pattern" "$tmp/err.txt" || fail "$name: expected '$pattern' in: $(cat "$tmp/err.txt")"
  [ ! -e "$tmp/never" ] || fail "$name: the sweep directory was created"
}

study bad-axis $'[axes]\npolicys = ["random"]'
expect_error "unknown axis" 'bad-axis.toml:5: axes.policys: unknown axis (did you mean policy?)' \
  sweep --study "$tmp/bad-axis.toml" --out "$tmp/never" --local
study bad-value $'[axes]\ncoordination = ["none", "limted"]'
expect_error "unknown coordination" 'expected one of none, limited, global, centralized (did you mean limited?), got "limted"' \
  sweep --study "$tmp/bad-value.toml" --out "$tmp/never" --local
study bad-policy $'[axes]\npolicy = ["random", "least-laoded"]'
expect_error "unknown policy" 'run-0001 (policy=least-laoded)' sweep --study "$tmp/bad-policy.toml" --out "$tmp/never" --local
study bad-key $'[axes.set]\n"cluster.nodez" = [10, 20]'
expect_error "unknown scenario key" 'cluster.nodez' sweep --study "$tmp/bad-key.toml" --out "$tmp/never" --local
study bad-metric $'metrics = ["sla_pc"]'
expect_error "unknown metric" 'unknown metric "sla_pc" (did you mean sla_pct?)' \
  sweep --study "$tmp/bad-metric.toml" --out "$tmp/never" --local
printf 'scenario = "no-such.toml"\n' >"$tmp/no-scenario.toml"
expect_error "missing scenario" 'no such scenario file' sweep --study "$tmp/no-scenario.toml" --out "$tmp/never" --local
study bad-zip $'zip = ["ranks", "nodes"]\n[axes]\nranks = [1, 2]\nnodes = [100]'
expect_error "zip lengths" 'zipped axes need equally many values' sweep --study "$tmp/bad-zip.toml" --out "$tmp/never" --local
study twice $'[axes]\ntopology = ["centralized"]\ncoordination = ["none"]'
expect_error "two axes, one key" 'sets scheduler.topology, which axes.topology already sets' \
  sweep --study "$tmp/twice.toml" --out "$tmp/never" --local
study misfit $'[axes]\ncoordination = ["none", "limited"]\npolicy = ["random", "best-fit"]'
expect_error "a policy its coordination cannot run" 'run-0001 (coordination=none, policy=best-fit): policy best-fit in topology decentralized' \
  sweep --study "$tmp/misfit.toml" --out "$tmp/never" --local
study bad-exclude $'exclude = [{ coordination = "none", polcy = "best-fit" }]\n[axes]\ncoordination = ["none", "limited"]\npolicy = ["random", "best-fit"]'
expect_error "exclude: unknown axis" '"polcy" is not an axis of this study (did you mean policy?)' \
  sweep --study "$tmp/bad-exclude.toml" --out "$tmp/never" --local
# exclude drops the combination: 3 runs, numbered without a gap.
study excluded $'exclude = [{ coordination = "none", policy = "best-fit" }]\n[axes]\ncoordination = ["none", "limited"]\npolicy = ["random", "best-fit"]'
"$MARLSIM" sweep --study "$tmp/excluded.toml" --out "$tmp/excl" --local --dry-run >"$tmp/out.txt" 2>&1 || fail "exclude: $(cat "$tmp/out.txt")"
[ "$(grep -c '^run-000[0-2]: ' "$tmp/out.txt")" -eq 3 ] && ! grep -q "^run-0003" "$tmp/out.txt" || fail "exclude: $(cat "$tmp/out.txt")"
grep -q "^run-0002: .*--policy best-fit.*sharing=\"limited\"" "$tmp/out.txt" || fail "exclude: run-0002 should be limited/best-fit: $(cat "$tmp/out.txt")"
# A checkpoint path in a study is relative to the study file, whatever the working directory
# (each run works in its own folder): the trained policy runs in every coordination mode.
mkdir "$tmp/ckstudy" && cp "$SRC/configs/checkpoints/seed-study-u80-ac.h5" "$tmp/ckstudy/policy.h5"
printf 'scenario = "%s"\nepisodes = 1\nset = ["workload.tasks=100", "agents.checkpoint=\\"policy.h5\\""]\n[axes]\npolicy = ["decentralized-ac"]\ncoordination = ["none", "limited", "centralized"]\n' \
  "$SRC/configs/seed-study-u80-ac.toml" >"$tmp/ckstudy/study.toml"
(cd / && "$MARLSIM" sweep --study "$tmp/ckstudy/study.toml" --out "$tmp/ckstudy/out" --local >"$tmp/out.txt" 2>&1) \
  || fail "a study with a relative checkpoint: $(cat "$tmp/out.txt") $(cat "$tmp"/ckstudy/out/run-0000/stderr.txt)"
grep -q -- "--set 'agents.checkpoint=\"$tmp/ckstudy/policy.h5\"'" "$tmp/ckstudy/out/run-0000/command.txt" \
  || fail "the run did not get the checkpoint's absolute path: $(cat "$tmp/ckstudy/out/run-0000/command.txt")"
study wide $'[axes]\nranks = [1, 4]'
expect_error "more ranks than cores" 'run-0001 (ranks=4) asks for 4 rank(s) x 1 thread(s), this machine has 2 core(s)' \
  sweep --study "$tmp/wide.toml" --out "$tmp/never" --local --cores 2
expect_error "more ranks than the allocation" 'the partition has 2 CPU(s) (--max-cpus)' \
  sweep --study "$tmp/wide.toml" --out "$tmp/never" --slurm --max-cpus 2 --dry-run
expect_error "no mode" 'expected --local or --slurm' sweep --study "$tmp/wide.toml" --out "$tmp/never"
expect_error "collect: not a sweep" 'not a sweep directory' collect "$tmp"

# sbatch missing: its own message (the script is still written, for another machine).
study small $'[axes]\nranks = [1, 2]\npolicy = ["random", "least-loaded"]'
# PATH holds only what an Open MPI singleton needs to start: orted, and an rsh agent to exist.
mkdir "$tmp/bin" && ln -s "$(command -v orted)" "$tmp/bin/orted" && ln -s /bin/true "$tmp/bin/ssh"
PATH=$tmp/bin "$MARLSIM" sweep --study "$tmp/small.toml" --out "$tmp/nosbatch" --slurm >"$tmp/out.txt" 2>"$tmp/err.txt"
rc=$?
[ $rc -eq 2 ] && grep -q "sbatch: not found on PATH" "$tmp/err.txt" || fail "sbatch missing: exit $rc: $(cat "$tmp/err.txt")"

# sbatch refusing: its own message with sbatch's, exit 1, no job id recorded (a stand-in sbatch here;
# slurm/test-local-cluster.sh has the real one refuse an unknown partition).
printf '#!/bin/sh\necho "sbatch: error: invalid partition specified: nope" >&2\nexit 1\n' >"$tmp/bin/sbatch"
chmod +x "$tmp/bin/sbatch"
PATH=$tmp/bin "$MARLSIM" sweep --study "$tmp/small.toml" --out "$tmp/refused" --slurm >"$tmp/out.txt" 2>"$tmp/err.txt"
rc=$?
[ $rc -eq 1 ] && grep -q "sbatch refused .*sweep.sbatch (exit status 1): sbatch: error: invalid partition" "$tmp/err.txt" \
  || fail "sbatch refusing: exit $rc: $(cat "$tmp/err.txt")"
[ ! -e "$tmp/refused/slurm_job_id" ] || fail "a refused submission recorded a job id"
rm "$tmp/bin/sbatch"

# --slurm --dry-run: the job array, ranks from the axes, runs packed 3 to a task, nothing submitted.
"$MARLSIM" sweep --study "$tmp/small.toml" --out "$tmp/dry" --slurm --dry-run --runs-per-task 3 --max-parallel 5 \
  --partition short --account proj1 --time 00:10:00 >"$tmp/out.txt" 2>&1 || fail "dry run: $(cat "$tmp/out.txt")"
s=$tmp/dry/sweep.sbatch
for line in "#SBATCH --array=0-1%5" "#SBATCH --ntasks=2" "#SBATCH --partition=short" "#SBATCH --account=proj1" \
            "#SBATCH --time=00:10:00" "srun --mpi=pmix"; do
  grep -qF -- "$line" "$s" || fail "the script lacks '$line'"
done
[ "$(grep -c '^    run run-' "$s")" -eq 4 ] || fail "expected 4 runs in the script"
bash -n "$s" || fail "the script is not valid bash"
[ ! -e "$tmp/dry/slurm_job_id" ] || fail "a dry run submitted"

# A local sweep, stopped by SIGTERM half way (after its first run finished), then resumed.
study sweep $'metrics = ["mean_completion_s", "sla_pct", "events", "wall_s"]\n[axes]\nranks = [1, 2]\npolicy = ["random", "least-loaded"]\nseed = [1, 2]'
"$MARLSIM" sweep --study "$tmp/sweep.toml" --out "$tmp/sw" --local --cores 1 --oversubscribe >"$tmp/first.txt" 2>&1 &
pid=$!
for ((i = 0; i < 600; i++)); do
  compgen -G "$tmp/sw/run-*/exit_status" >/dev/null && break
  kill -0 "$pid" 2>/dev/null || fail "the sweep ended before it could be stopped: $(cat "$tmp/first.txt")"
  sleep 0.05
done
kill -TERM "$pid"
wait "$pid"
rc=$?
[ $rc -eq 143 ] || fail "a sweep stopped by SIGTERM exited $rc, expected 143: $(cat "$tmp/first.txt")"
grep -q "interrupted by signal 15" "$tmp/first.txt" || fail "no interruption message: $(cat "$tmp/first.txt")"
# The sweep stopped its runs too: no process is left working in the sweep directory.
for p in /proc/[0-9]*; do
  [[ "$(readlink "$p/cwd" 2>/dev/null)" == "$tmp/sw/"* ]] && fail "run process ${p#/proc/} outlived the sweep"
done
done_before=$(ls "$tmp"/sw/run-*/exit_status 2>/dev/null | wc -l)
[ "$done_before" -ge 1 ] && [ "$done_before" -lt 8 ] || fail "expected a half-finished sweep, $done_before of 8 runs done"
"$MARLSIM" sweep --study "$tmp/sweep.toml" --out "$tmp/sw" --local >"$tmp/second.txt" 2>&1 || fail "resume: $(cat "$tmp/second.txt")"
grep -q "8 run(s), $done_before finished before, $((8 - done_before)) to run" "$tmp/second.txt" \
  || fail "resume did not skip the $done_before finished run(s): $(head -1 "$tmp/second.txt")"
for d in "$tmp"/sw/run-*; do
  for f in run.json command.txt stdout.txt stderr.txt exit_status summary.json results.h5; do
    [ -e "$d/$f" ] || fail "$d has no $f"
  done
  [ "$(cat "$d/exit_status")" = 0 ] || fail "$d exited $(cat "$d/exit_status")"
done
grep -q "mpirun -np 2" "$tmp/sw/run-0004/command.txt" || fail "a 2-rank run not launched by mpirun: $(cat "$tmp/sw/run-0004/command.txt")"
"$MARLSIM" sweep --study "$tmp/sweep.toml" --out "$tmp/sw" --local >"$tmp/third.txt" 2>&1
grep -q "8 finished before, 0 to run" "$tmp/third.txt" || fail "a finished sweep reran: $(head -1 "$tmp/third.txt")"

"$MARLSIM" collect "$tmp/sw" >"$tmp/collect.txt" || fail "collect: $(cat "$tmp/collect.txt")"
$PY - "$tmp/sw" <<'PYEOF' || fail "the collected table is wrong"
import csv, sys, h5py
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/table.csv")))
assert len(rows) == 8 and all(r["status"] == "ok" for r in rows), rows
with h5py.File(f"{d}/table.h5", "r") as f:
    t = {k: f["runs"][k][()] for k in f["runs"]}
    assert f["runs"]["mean_completion_s"].attrs["unit"] in ("s", b"s")
assert len(t["run"]) == 8
for col in ("policy", "seed", "ranks", "mean_completion_s", "mean_completion_s_ci95", "sla_pct", "events", "run_wall_s"):
    assert col in t, col
by = {}
for p, s, r, c, e in zip(t["policy"], t["seed"], t["ranks"], t["mean_completion_s"], t["events"]):
    by.setdefault((p, s), {})[int(r)] = (c, e)
for k, v in by.items():
    assert v[1] == v[2], f"{k}: {v[1]} at 1 rank, {v[2]} at 2 ranks"
assert len({v[1] for v in by.values()}) == 4, "every policy and seed should differ"
PYEOF

# The report: every figure exists and plots data.
$PY "$SRC/analysis/report.py" "$tmp/sw" >"$tmp/report.txt" 2>&1 || fail "report: $(cat "$tmp/report.txt")"
check_figures() {  # DIR FIGURE...
  local dir=$1
  shift
  $PY - "$dir" "$@" <<'PYEOF' || fail "report figures in $dir"
import json, os, sys
import matplotlib.image as mpimg
d, want = sys.argv[1], sys.argv[2:]
figs = json.load(open(os.path.join(d, "figures.json")))
md = open(os.path.join(d, "report.md")).read()
page = open(os.path.join(d, "report.html")).read()  # the same report as HTML, with the same PNGs
for name in want:
    f = figs.get(name)
    assert f, f"no figure {name} (have {sorted(figs)})"
    assert f["series"] > 0 and f["points"] > 0, f"{name} plots nothing: {f}"
    img = mpimg.imread(os.path.join(d, f["file"]))
    assert img.std() > 0.01, f"{name} is blank"
    assert f"]({f['file']})" in md, f"{name} not in report.md"
    assert f'<img src="{f["file"]}"' in page, f"{name} not in report.html"
assert "<table>" in page and "<script" not in page, "report.html has no table"
PYEOF
}
check_figures "$tmp/sw/report" comparison completion_cdf scaling
grep -q "| policy=random | 2 |" "$tmp/sw/report/report.md" || fail "no scaling table row in the report"

# Failed and missing runs: listed by collect (exit 1), kept in the table, listed in the report.
echo 3 >"$tmp/sw/run-0001/exit_status"
rm "$tmp/sw/run-0002/exit_status"
"$MARLSIM" collect "$tmp/sw" >"$tmp/collect.txt"
rc=$?
[ $rc -eq 1 ] || fail "collect with a failed run: exit $rc"
grep -q "run-0001: failed (exit status 3)" "$tmp/collect.txt" || fail "failed run not listed: $(cat "$tmp/collect.txt")"
grep -q "run-0002: missing" "$tmp/collect.txt" || fail "missing run not listed: $(cat "$tmp/collect.txt")"
[ "$(grep -c ',failed,3,' "$tmp/sw/table.csv")" -eq 1 ] || fail "the failed run's row is not in the CSV"
[ "$(grep -c ',missing,' "$tmp/sw/table.csv")" -eq 1 ] || fail "the missing run's row is not in the CSV"
$PY "$SRC/analysis/report.py" "$tmp/sw" >/dev/null 2>&1 || fail "report with failed runs"
grep -q "run-0001: failed (exit status 3)" "$tmp/sw/report/report.md" || fail "the report does not list the failed run"

# An agent-scaling sweep (nodes x coordination x observation loss) and the learned policy's update
# time at each size (marlsim train summaries in update-time/): the report's agent-scaling figures.
study agents $'exclude = [{ coordination = "centralized", "agents.observation_loss" = 0.5 }]\n[axes]\nnodes = [10, 20]\ncoordination = ["limited", "centralized"]\npolicy = ["least-loaded"]\n[axes.set]\n"agents.observation_loss" = [0.0, 0.5]'
"$MARLSIM" sweep --study "$tmp/agents.toml" --out "$tmp/ag" --local >"$tmp/out.txt" 2>&1 || fail "agent sweep: $(cat "$tmp/out.txt")"
"$MARLSIM" collect "$tmp/ag" >/dev/null || fail "agent sweep: collect"
mkdir "$tmp/ag/update-time"
for n in 10 20; do
  "$MARLSIM" train "$SRC/configs/seed-study-u80-ac.toml" --iterations 1 --episodes-per-iteration 1 --quiet \
    --set cluster.nodes=$n --set workload.tasks=50 --checkpoint-dir "$tmp/ag/ck$n" \
    --summary-json "$tmp/ag/update-time/agents-$n.json" >/dev/null || fail "train at $n nodes"
done
$PY "$SRC/analysis/report.py" "$tmp/ag" >"$tmp/report.txt" 2>&1 || fail "agent report: $(cat "$tmp/report.txt")"
check_figures "$tmp/ag/report" agent_scaling observation_loss update_time
grep -q "| 20 | limited | least-loaded | 0.5 |" "$tmp/ag/report/report.md" || fail "no agent-scaling table row"
$PY "$SRC/analysis/report.py" "$tmp/ag" --out "$tmp/ag/md-only" --format md >/dev/null 2>&1 || fail "--format md"
[ -e "$tmp/ag/md-only/report.md" ] && [ ! -e "$tmp/ag/md-only/report.html" ] || fail "--format md wrote HTML"

# A report from plain `marlsim run` outputs.
mkdir "$tmp/runs"
"$MARLSIM" run "$SRC/configs/seed-study-u80.toml" --episodes 2 --set workload.tasks=200 --policy random,best-fit --quiet \
  --out "$tmp/runs/u80.h5" --summary-json "$tmp/runs/u80.json" >/dev/null || fail "marlsim run"
$PY "$SRC/analysis/report.py" "$tmp/runs" >"$tmp/report.txt" 2>&1 || fail "report of run outputs: $(cat "$tmp/report.txt")"
check_figures "$tmp/runs/report" comparison completion_cdf
echo "sweep_cli: all checks passed"

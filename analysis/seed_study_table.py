#!/usr/bin/python3
"""Markdown tables of the seed-study reproduction (scripts/reproduce_seed_study.sh).

usage: /usr/bin/python3 analysis/seed_study_table.py [RESULTS_DIR]   (default results/seed-study)

Reads the `marlsim run --summary-json` files in RESULTS_DIR and prints
  * one table per burst run (rate, u60, u80, u95, u80-batched, rate-public-code): policy, mean
    completion s +- 95 % CI, p95 s, SLA % +- CI, energy kWh, utilization %, makespan s, wall ms
    per episode, and the values source study 1 (arXiv 2603.24738) claims for the same policy
    (completion s / SLA %; its own SLA definition and speed-less nodes, see
    docs/seed-study-reproduction.md);
  * one table per steady-state run (steady-uNN-QUEUE): completion, wait, wait drift, SLA and the
    arrival-window utilizations, then the paired differences from the run's --baseline policy;
  * one table of source study 3's two-level grid (hierrl-nN-tT): per node count, task count and
    policy, completion, spills, SLA and utilization, and the difference from the baseline.
A confidence interval the run could not define (JSON null, e.g. one episode) prints as n/a.
"""
import json
import math
import os
import re
import sys

# Source study 1's published numbers (mean completion s, SLA %), 100 nodes, 1,000 tasks, 30 episodes.
CLAIMED = {
    "random": (36.5, 75.5),
    "weighted-rr": (36.2, 76.1),
    "priority-minmin": (52.3, 47.3),
}
CLAIMED_LEARNED = (30.8, 82.3)

# (file stem, title, show the study's claims); files that are missing are skipped.
BURSTS = [
    ("rate", "Burst at the study's own rate (0.5 tasks/s, configs/seed-study.toml)", True),
    ("u60", "Burst at target utilization 60 % (configs/seed-study-u60.toml)", True),
    ("u80", "Burst at target utilization 80 % (configs/seed-study-u80.toml)", True),
    ("u95", "Burst at target utilization 95 % (configs/seed-study-u95.toml)", True),
    ("u80-batched", "Burst at 80 %, decided in 5 s batches (configs/seed-study-u80-batched.toml)", False),
    ("rate-public-code", "The study's rate with its public code's values (best-effort slack 5, run-time cap "
     "500 s, a new cluster per episode)", True),
]
QUEUE_NAMES = {"fcfs": "FCFS", "easy-backfill": "EASY backfilling"}
STEADY = re.compile(r"^steady-u(\d+)-(fcfs|easy-backfill)$")
HIERRL = re.compile(r"^hierrl-n(\d+)-t(\d+)$")


def load(path):
    with open(path) as f:
        return json.load(f)


def fmt(x, digits=3):
    """A number with `digits` significant figures, no exponent for the ranges we print; None is n/a."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if x == 0:
        return "0"
    ax = abs(x)
    if ax >= 10 ** digits:
        return f"{x:,.0f}"
    decimals = max(0, digits - 1 - math.floor(math.log10(ax)))
    if ax < 1e-9:  # rounding residue (e.g. 1e-18 for a difference of equal values): zero
        return "0"
    return f"{x:.{decimals}f}"


def ci(d, key, digits=3):
    """`mean ± CI` of key in d (a policy's summary or its difference_from_baseline)."""
    return f"{fmt(d[key], digits)} ± {fmt(d.get(key + '_ci95'), 2)}"


def markdown(head, rows):
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def offered(s):
    return (f"offered load CPU {100 * s['offered_utilization']:.1f} % (work over cores x speed), memory "
            f"{100 * s.get('offered_memory_utilization', 0):.1f} % (memory x run time over memory x speed)")


def timing(s):
    runs = s["episodes"] * len(s["policies"])
    return (f"The whole comparison ({runs} episodes, workload generation included) took {s['wall_s']:.2f} s = "
            f"{1e3 * s['wall_s'] / runs:.1f} ms per episode; wall ms/ep is the simulation alone.")


def burst_table(s, show_claimed):
    head = ["policy", "completion s", "p95 s", "SLA %", "energy kWh", "util %", "makespan s", "wall ms/ep"]
    if show_claimed:
        head += ["study: completion s", "study: SLA %"]
    rows = []
    for p in s["policies"]:
        row = [p["policy"], ci(p, "mean_completion_s"), fmt(p["p95_completion_s"]), ci(p, "sla_pct"),
               fmt(p["energy_kwh"]), fmt(p["utilization_pct"]), fmt(p["makespan_s"]),
               fmt(1e3 * p["wall_s_per_episode"], 2)]
        if show_claimed:
            c = CLAIMED.get(p["policy"])
            row += [fmt(c[0]), fmt(c[1])] if c else ["", ""]
        rows.append(row)
    if show_claimed:
        rows.append(["*study's learned policy*"] + [""] * 7 + [fmt(CLAIMED_LEARNED[0]), fmt(CLAIMED_LEARNED[1])])
    return markdown(head, rows)


def steady_tables(s):
    head = ["policy", "completion s", "p95 s", "wait s", "wait drift s", "SLA %", "util % window",
            "speed util % window", "wall ms/ep"]
    rows = [[p["policy"], ci(p, "mean_completion_s"), fmt(p["p95_completion_s"]), ci(p, "mean_wait_s"),
             ci(p, "wait_drift_s"), ci(p, "sla_pct"), fmt(p["arrival_window_utilization_pct"]),
             fmt(p["arrival_window_speed_weighted_utilization_pct"]), fmt(1e3 * p["wall_s_per_episode"], 2)]
            for p in s["policies"]]
    out = [markdown(head, rows)]
    base = s.get("baseline")
    diffs = [p for p in s["policies"] if "difference_from_baseline" in p]
    if base and diffs:
        out.append(f"\nPaired differences, policy minus {base} per episode (same tasks), mean ± 95 % CI:\n")
        head = ["policy", "completion s", "wait s", "wait drift s", "SLA %", "speed util % window"]
        rows = [[p["policy"]] + [ci(p["difference_from_baseline"], k) for k in (
            "mean_completion_s", "mean_wait_s", "wait_drift_s", "sla_pct",
            "arrival_window_speed_weighted_utilization_pct")] for p in diffs]
        out.append(markdown(head, rows))
    return "\n".join(out)


def hierrl_table(found):
    """found: {(nodes, tasks): summary}; one row per grid point and policy."""
    first = next(iter(found.values()))
    base = first.get("baseline")
    head = ["nodes", "tasks", "policy", "completion s", "wait s", "spills", "SLA %", "util % window", "makespan s"]
    if base:
        head.append(f"completion s minus {base} (paired)")
    rows = []
    for (n, t), s in sorted(found.items()):
        for p in s["policies"]:
            row = [str(n), str(t), p["policy"], ci(p, "mean_completion_s"), ci(p, "mean_wait_s"), ci(p, "spills"),
                   ci(p, "sla_pct"), fmt(p["arrival_window_utilization_pct"]), fmt(p["makespan_s"])]
            if base:
                d = p.get("difference_from_baseline")
                row.append(ci(d, "mean_completion_s") if d else "")
            rows.append(row)
    return markdown(head, rows), first


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out = argv[1] if len(argv) == 2 else "results/seed-study"
    found = 0
    for stem, title, show_claimed in BURSTS:
        path = os.path.join(out, stem + ".json")
        if not os.path.exists(path):
            continue
        found += 1
        s = load(path)
        print(f"### {title}\n")
        print(f"{s['nodes']} nodes, {s['episodes']} episodes, {offered(s)} of capacity, {s['ranks']} rank(s); "
              f"± is the 95 % CI over episodes. {timing(s)}\n")
        print(burst_table(s, show_claimed))
        print()

    stems = sorted(f[:-5] for f in os.listdir(out) if f.endswith(".json")) if os.path.isdir(out) else []
    steady = sorted((int(m.group(1)), m.group(2) != "fcfs", m.group(0)) for m in map(STEADY.match, stems) if m)
    for u, _, stem in steady:
        found += 1
        s = load(os.path.join(out, stem + ".json"))
        queue = QUEUE_NAMES.get(s["queue"], s["queue"])
        print(f"### Steady state at {u} %, {queue} (configs/steady-u{u}.toml)\n")
        print(f"{s['nodes']} nodes, {s['episodes']} episodes, {offered(s)} of capacity, warm-up "
              f"{s.get('warmup_s', 0):g} s left out of the task metrics, {s['ranks']} rank(s); ± is the 95 % CI "
              f"over episodes; the window utilizations run from the warm-up's end to the last arrival. "
              f"{timing(s)}\n")
        print(steady_tables(s))
        print()

    grid = {}
    for m in map(HIERRL.match, stems):
        if m:
            grid[(int(m.group(1)), int(m.group(2)))] = load(os.path.join(out, m.group(0) + ".json"))
    if grid:
        found += len(grid)
        table, first = hierrl_table(grid)
        print("### Source study 3's two-level setting (configs/hierrl-alibaba2017.toml)\n")
        print(f"{first['episodes']} episodes per grid point, topology {first['topology']}, queue {first['queue']}, "
              f"{first['ranks']} rank(s); ± is the 95 % CI over episodes; spills: tasks a node sent to the global "
              f"scheduler, per episode.\n")
        print(table)
        print()
    if found == 0:
        print(f"seed_study_table: no summaries (rate.json, u60.json, ...) in {out}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

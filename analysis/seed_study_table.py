#!/usr/bin/python3
"""Markdown tables of the seed-study reproduction (scripts/reproduce_seed_study.sh).

usage: /usr/bin/python3 analysis/seed_study_table.py [RESULTS_DIR]   (default results/seed-study)

Reads the `marlsim run --summary-json` files RESULTS_DIR/{rate,u60,u80,u95,...}.json and
prints one table per load: policy, mean completion s +- 95 % CI, p95 s, SLA % +- CI, energy
kWh, utilization %, makespan s, wall ms per episode, and the values source study 1
(arXiv 2603.24738) claims for the same policy (completion s / SLA %), which come from its
own SLA definition and speed-less nodes (see docs/seed-study-reproduction.md).
"""
import json
import math
import os
import sys

# Source study 1's published numbers (mean completion s, SLA %), 100 nodes, 1,000 tasks, 30 episodes.
CLAIMED = {
    "random": (36.5, 75.5),
    "weighted-rr": (36.2, 76.1),
    "priority-minmin": (52.3, 47.3),
}
CLAIMED_LEARNED = (30.8, 82.3)

# (file stem, title); files that are missing are skipped.
RUNS = [
    ("rate", "Study's own rate (0.5 tasks/s, configs/seed-study.toml)"),
    ("u60", "Target utilization 60 % (configs/seed-study-u60.toml)"),
    ("u80", "Target utilization 80 % (configs/seed-study-u80.toml)"),
    ("u95", "Target utilization 95 % (configs/seed-study-u95.toml)"),
    ("u80-minmin-batch1", "80 %, priority-minmin with scheduler.batch_interval_s=1"),
    ("u60-steady", "60 %, steady state: workload.tasks=20000, 5 episodes"),
    ("u80-steady", "80 %, steady state: workload.tasks=20000, 5 episodes"),
    ("u80-steady-minmin-batch1", "80 %, steady state, priority-minmin with scheduler.batch_interval_s=1"),
]


def load(path):
    with open(path) as f:
        return json.load(f)


def fmt(x, digits=3):
    """A number with `digits` significant figures, no exponent for the ranges we print."""
    if x == 0:
        return "0"
    ax = abs(x)
    if ax >= 10 ** digits:
        return f"{x:,.0f}"
    decimals = max(0, digits - 1 - math.floor(math.log10(ax)))
    return f"{x:.{decimals}f}"


def table(summary, show_claimed=True):
    lines = []
    head = ["policy", "completion s", "p95 s", "SLA %", "energy kWh", "util %", "makespan s", "wall ms/ep"]
    if show_claimed:
        head += ["study: completion s", "study: SLA %"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
    for p in summary["policies"]:
        name = p["policy"]
        row = [
            name,
            f"{fmt(p['mean_completion_s'])} ± {fmt(p['mean_completion_s_ci95'], 2)}",
            fmt(p["p95_completion_s"]),
            f"{fmt(p['sla_pct'])} ± {fmt(p['sla_pct_ci95'], 2)}",
            fmt(p["energy_kwh"]),
            fmt(p["utilization_pct"]),
            fmt(p["makespan_s"]),
            fmt(1e3 * p["wall_s_per_episode"], 2),
        ]
        if show_claimed:
            c = CLAIMED.get(name)
            row += [fmt(c[0]), fmt(c[1])] if c else ["", ""]
        lines.append("| " + " | ".join(row) + " |")
    if show_claimed:
        lines.append("| *study's learned policy* | | | | | | | | " + f"{CLAIMED_LEARNED[0]} | {CLAIMED_LEARNED[1]} |")
    return "\n".join(lines)


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out = argv[1] if len(argv) == 2 else "results/seed-study"
    found = 0
    for stem, title in RUNS:
        path = os.path.join(out, stem + ".json")
        if not os.path.exists(path):
            continue
        found += 1
        s = load(path)
        runs = s["episodes"] * len(s["policies"])
        print(f"### {title}\n")
        print(f"{s['nodes']} nodes, {s['episodes']} episodes, offered load "
              f"CPU {100 * s['offered_utilization']:.1f} % (work over cores x speed), memory "
              f"{100 * s.get('offered_memory_utilization', 0):.1f} % (memory x run time over memory x speed) of "
              f"capacity, {s['ranks']} rank(s); "
              f"± is the 95 % CI over episodes. The whole comparison ({runs} episodes, workload generation "
              f"included) took {s['wall_s']:.2f} s = {1e3 * s['wall_s'] / runs:.1f} ms per episode; "
              "wall ms/ep is the simulation alone.\n")
        print(table(s, show_claimed=stem in ("rate", "u60", "u80", "u95")))
        print()
    if found == 0:
        print(f"seed_study_table: no summaries (rate.json, u60.json, ...) in {out}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

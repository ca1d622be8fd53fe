#!/usr/bin/python3
"""Mean completion time and SLA % vs load per policy, with 95 % CI bars (seed-study reproduction).

usage: /usr/bin/python3 analysis/plot_seed_study.py [RESULTS_DIR [OUT.png]]
       (defaults results/seed-study and RESULTS_DIR/seed-study.png)

Reads RESULTS_DIR/{rate,u60,u80,u95}.json (marlsim run --summary-json) and draws two panels
against the offered load (% of cores x speed); the study's claimed values (its own SLA
definition and speed-less nodes, 0.5 tasks/s) are drawn as hollow markers at its load.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STEMS = ["rate", "u60", "u80", "u95"]
CLAIMED = {"random": (36.5, 75.5), "weighted-rr": (36.2, 76.1), "priority-minmin": (52.3, 47.3)}
CLAIMED_LEARNED = (30.8, 82.3)


def main(argv):
    if len(argv) > 3 or (len(argv) > 1 and argv[1] in ("-h", "--help")):
        print("usage: plot_seed_study.py [RESULTS_DIR [OUT.png]]", file=sys.stderr)
        return 2
    out_dir = argv[1] if len(argv) > 1 else "results/seed-study"
    png = argv[2] if len(argv) > 2 else os.path.join(out_dir, "seed-study.png")
    loads, series = [], {}
    for stem in STEMS:
        path = os.path.join(out_dir, stem + ".json")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            s = json.load(f)
        # The offered load of the dominant resource (CPU or memory), which target_utilization sets.
        loads.append(100 * max(s["offered_utilization"], s.get("offered_memory_utilization", 0)))
        for p in s["policies"]:
            d = series.setdefault(p["policy"], {k: [] for k in ("x", "c", "cci", "sla", "slaci")})
            d["x"].append(loads[-1])
            d["c"].append(p["mean_completion_s"])
            d["cci"].append(p["mean_completion_s_ci95"])
            d["sla"].append(p["sla_pct"])
            d["slaci"].append(p["sla_pct_ci95"])
    if not series:
        print(f"plot_seed_study: no summaries in {out_dir}", file=sys.stderr)
        return 1

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.4))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    study_load = loads[0] if STEMS[0] == "rate" and loads else None
    for i, (name, d) in enumerate(series.items()):
        c = colors[i % len(colors)]
        ax1.errorbar(d["x"], d["c"], yerr=d["cci"], marker="o", ms=4, capsize=3, color=c, label=name)
        ax2.errorbar(d["x"], d["sla"], yerr=d["slaci"], marker="o", ms=4, capsize=3, color=c, label=name)
        if name in CLAIMED and study_load is not None:
            ax1.plot([study_load], [CLAIMED[name][0]], marker="s", ms=8, mfc="none", mec=c, ls="none")
            ax2.plot([study_load], [CLAIMED[name][1]], marker="s", ms=8, mfc="none", mec=c, ls="none")
    if study_load is not None:
        for ax, v in ((ax1, CLAIMED_LEARNED[0]), (ax2, CLAIMED_LEARNED[1])):
            ax.plot([study_load], [v], marker="*", ms=11, mfc="none", mec="black", ls="none",
                    label="study's learned policy")
            ax.plot([], [], marker="s", ms=8, mfc="none", mec="gray", ls="none", label="study's claim (same colour)")
    ax1.set_xlabel("offered load, % of capacity (cores x speed)")
    ax1.set_ylabel("mean completion time, s")
    ax1.set_title("Mean completion (arrival to end), 95 % CI")
    ax2.set_xlabel("offered load, % of capacity (cores x speed)")
    ax2.set_ylabel("SLA met, % of completed tasks")
    ax2.set_title("SLA (deadline = arrival + slack x run time)")
    for ax in (ax1, ax2):
        ax.grid(True, alpha=0.3)
        ax.set_xlim(-3, 100)
    ax2.legend(fontsize=8, loc="lower right")
    fig.suptitle("Seed study (100 nodes, 1,000 tasks, 30 episodes) in marlsim", fontsize=11)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    print(f"plot_seed_study: wrote {png}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

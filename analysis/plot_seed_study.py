#!/usr/bin/python3
"""Mean completion time and SLA % vs load per policy, with 95 % CI bars (seed-study reproduction).

usage: /usr/bin/python3 analysis/plot_seed_study.py [RESULTS_DIR [OUT.png]]
       (defaults results/seed-study and RESULTS_DIR/seed-study.png)

Reads RESULTS_DIR/{rate,u60,u80,u95}.json (marlsim run --summary-json, the 1,000-task bursts)
and draws two panels against the offered load of the dominant resource (CPU or memory); the
study's claimed values (its own SLA definition and speed-less nodes, 0.5 tasks/s) are drawn as
hollow markers at its load. If RESULTS_DIR has steady-uNN-fcfs.json / steady-uNN-easy-backfill.json
(the steady states), a second row shows their mean completion and wait drift against the load,
FCFS solid and EASY backfilling dashed. A CI the run could not define (JSON null) draws no bar.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STEMS = ["rate", "u60", "u80", "u95"]
STEADY_LOADS = [60, 70, 80]
QUEUES = [("fcfs", "-", "FCFS"), ("easy-backfill", "--", "EASY")]
CLAIMED = {"random": (36.5, 75.5), "weighted-rr": (36.2, 76.1), "priority-minmin": (52.3, 47.3)}
CLAIMED_LEARNED = (30.8, 82.3)


def dominant_load(s):
    """The offered load of the dominant resource (CPU or memory) in %, which target_utilization sets."""
    return 100 * max(s["offered_utilization"], s.get("offered_memory_utilization", 0))


def ci(p, key):
    """The 95 % CI of key, 0 (no bar) where the run could not define it (JSON null)."""
    v = p.get(key + "_ci95")
    return 0.0 if v is None else v


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
        loads.append(dominant_load(s))
        for p in s["policies"]:
            d = series.setdefault(p["policy"], {k: [] for k in ("x", "c", "cci", "sla", "slaci")})
            d["x"].append(loads[-1])
            d["c"].append(p["mean_completion_s"])
            d["cci"].append(ci(p, "mean_completion_s"))
            d["sla"].append(p["sla_pct"])
            d["slaci"].append(ci(p, "sla_pct"))
    if not series:
        print(f"plot_seed_study: no summaries in {out_dir}", file=sys.stderr)
        return 1
    steady = {}  # (policy, queue) -> {"x", "c", "cci", "drift", "driftci"}
    for u in STEADY_LOADS:
        for queue, _, _ in QUEUES:
            path = os.path.join(out_dir, f"steady-u{u}-{queue}.json")
            if not os.path.exists(path):
                continue
            with open(path) as f:
                s = json.load(f)
            for p in s["policies"]:
                d = steady.setdefault((p["policy"], queue), {k: [] for k in ("x", "c", "cci", "drift", "driftci")})
                d["x"].append(dominant_load(s))
                d["c"].append(p["mean_completion_s"])
                d["cci"].append(ci(p, "mean_completion_s"))
                d["drift"].append(p["wait_drift_s"])
                d["driftci"].append(ci(p, "wait_drift_s"))

    rows = 2 if steady else 1
    fig, axes = plt.subplots(rows, 2, figsize=(11, 4.4 * rows), squeeze=False)
    ax1, ax2 = axes[0]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    color_of = {name: colors[i % len(colors)] for i, name in enumerate(series)}
    study_load = loads[0] if STEMS[0] == "rate" and loads else None
    for name, d in series.items():
        c = color_of[name]
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
    xlabel = "offered load of the dominant resource, % of capacity"
    ax1.set_xlabel(xlabel)
    ax1.set_ylabel("mean completion time, s")
    ax1.set_title("Bursts (1,000 tasks x 30 episodes): mean completion, 95 % CI", fontsize=10)
    ax2.set_xlabel(xlabel)
    ax2.set_ylabel("SLA met, % of completed tasks")
    ax2.set_title("Bursts: SLA (deadline = arrival + slack x run time)", fontsize=10)
    for ax in (ax1, ax2):
        ax.grid(True, alpha=0.3)
        ax.set_xlim(-3, 100)
    ax2.legend(fontsize=8, loc="lower right")
    if steady:
        ax3, ax4 = axes[1]
        for (name, queue), d in steady.items():
            style = next(ls for q, ls, _ in QUEUES if q == queue)
            c = color_of.get(name, "gray")
            ax3.errorbar(d["x"], d["c"], yerr=d["cci"], marker="o", ms=4, capsize=3, color=c, ls=style)
            ax4.errorbar(d["x"], d["drift"], yerr=d["driftci"], marker="o", ms=4, capsize=3, color=c, ls=style)
        for q, ls, label in QUEUES:
            ax4.plot([], [], color="gray", ls=ls, label=label)
        ax3.set_yscale("log")
        ax3.set_ylabel("mean completion time, s (log)")
        ax3.set_title("Steady state (60,000 tasks x 10 episodes, 600 s warm-up)", fontsize=10)
        ax4.set_yscale("symlog", linthresh=1)
        ax4.set_ylabel("wait drift, s (symlog; 0 = keeps up)")
        ax4.set_title("Steady state: wait drift (later minus earlier half)", fontsize=10)
        ax4.legend(fontsize=8, loc="upper left")
        for ax in (ax3, ax4):
            ax.set_xlabel(xlabel)
            ax.grid(True, alpha=0.3)
    fig.suptitle("Seed study (100 nodes, the study's task distributions) in marlsim", fontsize=11)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    print(f"plot_seed_study: wrote {png}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

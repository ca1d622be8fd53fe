#!/usr/bin/python3
"""Learning gate 2: hrac's learning curves with and without local-global reward shaping.

usage: /usr/bin/python3 analysis/plot_reward_shaping.py OUT.png RUN.json [RUN.json ...]

Each RUN.json is a `marlsim train --policy hrac --summary-json` file (its `reward_lambda` and
`seed` say which curve it is). Prints, per lambda and seed, the first iteration at which the
mean return (per trajectory, unshaped, 3-iteration moving average) reaches the target, and
draws mean return and mean completion time per iteration (mean over seeds, thin lines per seed).

The target is fixed from the unshaped runs (lambda = 1) before comparing: 90 % of the way from
the untrained return (the mean over every run of iteration 0's return) to the lambda = 1
plateau (the mean of their last 5 iterations over their seeds). A run that never reaches it
counts as "not reached" (and as its iteration count + 1 in the mean).
"""
import json
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def moving_average(x, k=3):
    return np.array([np.mean(x[max(0, i - k + 1) : i + 1]) for i in range(len(x))])


def main(out, paths):
    runs = defaultdict(dict)  # lambda -> seed -> summary
    for p in paths:
        s = json.load(open(p))
        runs[float(s.get("reward_lambda", 1.0))][s["seed"]] = s
    if 1.0 not in runs:
        sys.exit("need the unshaped runs (reward_lambda 1)")
    ret = {lam: {seed: np.array([r["mean_return"] for r in s["curve"]]) for seed, s in by.items()}
           for lam, by in runs.items()}
    start = np.mean([c[0] for by in ret.values() for c in by.values()])
    plateau = np.mean([c[-5:].mean() for c in ret[1.0].values()])
    target = start + 0.9 * (plateau - start)
    print(f"untrained return {start:.3f}, lambda=1 plateau {plateau:.3f}, target {target:.3f} (per trajectory)")
    print("lambda  seed  iterations-to-target  final return  final completion s")
    summary = {}
    for lam in sorted(ret):
        hits = []
        for seed in sorted(ret[lam]):
            c = moving_average(ret[lam][seed])
            reached = np.nonzero(c >= target)[0]
            it = int(reached[0]) + 1 if len(reached) else None
            hits.append(it if it is not None else len(c) + 1)
            comp = runs[lam][seed]["curve"][-1]["mean_completion_s"]
            print(f"{lam:6.2f}  {seed:4}  {it if it is not None else 'not reached':>20}  {ret[lam][seed][-1]:12.3f}  "
                  f"{comp:18.2f}")
        summary[lam] = hits
        print(f"{lam:6.2f}  mean  {np.mean(hits):20.1f}")

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, lam in enumerate(sorted(ret, reverse=True)):
        color = colors[i % len(colors)]
        for key, ax in (("mean_return", axes[0]), ("mean_completion_s", axes[1])):
            curves = [np.array([r[key] for r in runs[lam][seed]["curve"]]) for seed in sorted(runs[lam])]
            n = min(len(c) for c in curves)
            x = np.arange(1, n + 1)
            for c in curves:
                ax.plot(x, c[:n], color=color, alpha=0.25, lw=0.8)
            label = "no shaping (lambda 1)" if lam == 1.0 else f"shaping, lambda {lam:g}"
            ax.plot(x, np.mean([c[:n] for c in curves], axis=0), color=color, lw=2, label=label)
    axes[0].axhline(target, color="grey", ls=":", lw=1, label="target return")
    axes[0].set(xlabel="iteration", ylabel="mean return per trajectory (unshaped)", title="hrac: return")
    axes[1].set(xlabel="iteration", ylabel="mean completion time, s", title="hrac: completion time")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"figure: {out}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])

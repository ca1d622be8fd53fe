#!/usr/bin/python3
"""Learning gate 2: hrac's learning curves with and without local-global reward shaping.

usage: /usr/bin/python3 analysis/plot_reward_shaping.py [--target plateau|best] OUT.png RUN.json [...]

Each RUN.json is a `marlsim train --policy hrac --summary-json` file (its `reward_lambda` and
`seed` say which curve it is; all must share one `local_reward`). Prints, per lambda and seed,
the first iteration at which the mean return (per trajectory, the task rewards' return, i.e.
the global objective, whatever the learner trained on; 3-iteration moving average) reaches the
target, and draws mean return and mean completion time per iteration (mean over seeds, thin
lines per seed).

The target is fixed from the unshaped runs (lambda = 1) before comparing:
  plateau (default): 90 % of the way from the untrained return (the mean over every run of
    iteration 0's return) to the lambda = 1 plateau (the mean of their last 5 iterations over
    their seeds). Degenerate when the unshaped runs do not improve (plateau <= untrained).
  best: the best 3-iteration moving average any lambda = 1 run reached (a return the
    unshaped learner demonstrably reaches).
A run that never reaches it counts as "not reached" (and as its iteration count + 1 in the mean).
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


def main(out, paths, method="plateau"):
    runs = defaultdict(dict)  # lambda -> seed -> summary
    locals_ = set()
    for p in paths:
        s = json.load(open(p))
        runs[float(s.get("reward_lambda", 1.0))][s["seed"]] = s
        locals_.add(s.get("local_reward", "task"))
    if len(locals_) != 1:
        sys.exit(f"the runs mix local rewards {sorted(locals_)}: compare one at a time")
    local = locals_.pop()
    if 1.0 not in runs:
        sys.exit("need the unshaped runs (reward_lambda 1)")
    ret = {lam: {seed: np.array([r["mean_return"] for r in s["curve"]]) for seed, s in by.items()}
           for lam, by in runs.items()}
    start = np.mean([c[0] for by in ret.values() for c in by.values()])
    plateau = np.mean([c[-5:].mean() for c in ret[1.0].values()])
    best = max(moving_average(c).max() for c in ret[1.0].values())
    target = start + 0.9 * (plateau - start) if method == "plateau" else best
    print(f"local reward {local}: untrained return {start:.3f}, lambda=1 plateau {plateau:.3f}, best lambda=1 "
          f"{best:.3f}; target ({method}) {target:.3f} (per trajectory)")
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
            label = f"{local}, no shaping (lambda 1)" if lam == 1.0 else f"{local}, shaping, lambda {lam:g}"
            ax.plot(x, np.mean([c[:n] for c in curves], axis=0), color=color, lw=2, label=label)
    axes[0].axhline(target, color="grey", ls=":", lw=1, label=f"target return ({method})")
    axes[0].set(xlabel="iteration", ylabel="mean return per trajectory (unshaped)", title="hrac: return")
    axes[1].set(xlabel="iteration", ylabel="mean completion time, s", title="hrac: completion time")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"figure: {out}")


if __name__ == "__main__":
    args = sys.argv[1:]
    method = "plateau"
    if args[:1] == ["--target"]:
        if len(args) < 2 or args[1] not in ("plateau", "best"):
            sys.exit("--target: expected plateau or best")
        method, args = args[1], args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    main(args[0], args[1:], method)

#!/usr/bin/python3
"""Learning gate 2: hrac's learning curves with and without local-global reward shaping.

usage: /usr/bin/python3 analysis/plot_reward_shaping.py [--target plateau|best|VALUE] OUT.png RUN.json [...]

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
    unshaped learner demonstrably reaches). It rises with the number of unshaped seeds (a
    maximum), so compare runs of one seed set only.
  VALUE: a fixed return, e.g. one chosen from an earlier set of seeds (pre-registered: the
    target does not move when seeds are added).
A run that never reaches it counts as "not reached" (and as its iteration count + 1 in the mean).
Per lambda it also prints, with 95 % confidence intervals over seeds (t, seeds - 1 degrees of
freedom): the mean iterations to the target, the mean return over all iterations (the area
under the learning curve, which needs no target) and its paired difference from lambda = 1 on
the same seeds (same initial network and training episodes).
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


T95 = {1: 12.71, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
       11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086,
       25: 2.060, 30: 2.042}


def ci95(x):
    """(mean, half-width of the 95 % t interval) of a sample; half-width nan for one value."""
    x = np.asarray(x, dtype=float)
    if len(x) < 2:
        return float(x.mean()), float("nan")
    dof = len(x) - 1
    t = T95[dof] if dof in T95 else T95[max(k for k in T95 if k <= dof)]
    return float(x.mean()), float(t * x.std(ddof=1) / np.sqrt(len(x)))


def iterations_to(curve, target):
    """First iteration (1-based) whose 3-iteration moving average reaches target; None if never."""
    reached = np.nonzero(moving_average(curve) >= target)[0]
    return int(reached[0]) + 1 if len(reached) else None


def compare(ret, target):
    """Per lambda: {hits, reached, iterations (mean, ci), auc (mean, ci), auc_vs_unshaped (mean, ci, seeds)}.

    ret: lambda -> seed -> per-iteration mean returns. "Not reached" counts as len(curve) + 1."""
    def capped(c):
        h = iterations_to(c, target)
        return h if h is not None else len(c) + 1

    out = {}
    for lam in sorted(ret):
        hits = [iterations_to(c, target) for _, c in sorted(ret[lam].items())]
        its = [capped(c) for _, c in sorted(ret[lam].items())]
        auc = {seed: float(np.mean(c)) for seed, c in ret[lam].items()}
        common = sorted(set(auc) & set(ret.get(1.0, {})))
        diff = [auc[s] - float(np.mean(ret[1.0][s])) for s in common]
        it_diff = [capped(ret[lam][s]) - capped(ret[1.0][s]) for s in common]
        out[lam] = {"hits": hits, "reached": sum(h is not None for h in hits), "iterations": ci95(its),
                    "iterations_vs_unshaped": (*ci95(it_diff), len(common)), "auc": ci95(list(auc.values())),
                    "auc_vs_unshaped": (*ci95(diff), len(common))}
    return out


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
    if method == "plateau":
        target = start + 0.9 * (plateau - start)
    elif method == "best":
        target = best
    else:
        target = float(method)
    print(f"local reward {local}: untrained return {start:.3f}, lambda=1 plateau {plateau:.3f}, best lambda=1 "
          f"{best:.3f}; target ({method}) {target:.3f} (per trajectory)")
    print("lambda  seed  iterations-to-target  final return  final completion s")
    stats = compare(ret, target)
    for lam in sorted(ret):
        for (seed, c), it in zip(sorted(ret[lam].items()), stats[lam]["hits"]):
            comp = runs[lam][seed]["curve"][-1]["mean_completion_s"]
            print(f"{lam:6.2f}  {seed:4}  {it if it is not None else 'not reached':>20}  {c[-1]:12.3f}  {comp:18.2f}")
    print("\nlambda  seeds  reached  iterations to target  paired vs lambda 1  mean return over iterations  "
          "paired vs lambda 1   (95% CIs over seeds)")
    for lam in sorted(ret):
        st = stats[lam]
        (im, ic), (am, ac) = st["iterations"], st["auc"]
        (jm, jc, _), (dm, dc, n) = st["iterations_vs_unshaped"], st["auc_vs_unshaped"]
        print(f"{lam:6.2f}  {len(st['hits']):5}  {st['reached']:7}  {im:11.1f} +- {ic:4.1f}  {jm:+10.1f} +- {jc:4.1f}  "
              f"{am:20.3f} +- {ac:5.3f}  {dm:+10.3f} +- {dc:5.3f}  ({n} paired seeds)")

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
        if len(args) < 2:
            sys.exit("--target: expected plateau, best or a number")
        if args[1] not in ("plateau", "best"):
            try:
                float(args[1])
            except ValueError:
                sys.exit(f"--target: expected plateau, best or a number, got {args[1]!r}")
        method, args = args[1], args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    main(args[0], args[1:], method)

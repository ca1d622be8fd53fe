#!/usr/bin/python3
"""A Markdown report with PNG figures from a sweep directory or from `marlsim run` outputs.

usage: /usr/bin/python3 analysis/report.py DIR [--out REPORT_DIR]

DIR is either
  - a sweep directory (`marlsim sweep --out DIR`, then `marlsim collect DIR`): read from
    DIR/table.h5 and each run's results.h5, or
  - a folder of `marlsim run` outputs: NAME.json (--summary-json) with NAME.h5 (--out) beside it.

Writes REPORT_DIR (default DIR/report): report.md, the figures (PNG), and figures.json, which
records how many series and points each figure plots (tests check that no figure is empty).
Figures: policy comparison (mean completion time with 95 % CIs), completion-time CDFs,
every numeric axis against the main metrics, and, when the runs differ in ranks, wall time,
speedup and parallel efficiency (strong scaling; weak scaling when ranks are zipped with
the problem size). Needs Debian's numpy, h5py and matplotlib (/usr/bin/python3).
"""
import argparse
import json
import math
import os
import sys

import h5py
import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Two-sided 95 % Student t quantiles by degrees of freedom (1.96 beyond 30).
T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
       2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
SHOWN = [("mean_completion_s", "completion s"), ("p95_completion_s", "p95 s"), ("sla_pct", "SLA %"),
         ("utilization_pct", "util %"), ("energy_kwh", "energy kWh"), ("wall_s_per_episode", "wall s/ep")]
MAX_LINES = 12


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def mean_ci(values, ci_if_single=float("nan")):
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    if v.size == 0:
        return float("nan"), float("nan")
    if v.size == 1:
        return float(v[0]), ci_if_single
    t = T95[v.size - 2] if v.size - 1 <= len(T95) else 1.96
    return float(v.mean()), float(t * v.std(ddof=1) / math.sqrt(v.size))


class Rows:
    """The collected table: a list of dicts (one per run and policy) plus where each run lives."""

    def __init__(self, rows, axes, zip_axes, title, source):
        self.rows, self.axes, self.zip, self.title, self.source = rows, axes, zip_axes, title, source

    def ok(self):
        return [r for r in self.rows if r.get("status", "ok") == "ok"]


def load_sweep(d):
    manifest = json.load(open(os.path.join(d, "study.json")))
    table = os.path.join(d, "table.h5")
    if not os.path.exists(table):
        sys.exit(f"report: {table} does not exist: run `marlsim collect {d}` first")
    with h5py.File(table, "r") as f:
        cols = {k: f["runs"][k][()] for k in f["runs"]}
    n = len(cols["run"])
    rows = []
    for i in range(n):
        r = {k: (text(v[i]) if v.dtype.kind in "OSU" else float(v[i])) for k, v in cols.items()}
        r["results"] = os.path.join(d, r["run_dir"], "results.h5")
        rows.append(r)
    axes = [a for a in manifest.get("axes", [])]
    return Rows(rows, axes, manifest.get("zip", []), f"Study {manifest.get('study')}", d)


def load_training(d):
    """`marlsim train --summary-json` files in d (command "train"), by name."""
    curves = {}
    if not os.path.isdir(d) or os.path.exists(os.path.join(d, "study.json")):
        return curves
    for name in sorted(os.listdir(d)):
        if name.endswith(".json"):
            s = json.load(open(os.path.join(d, name)))
            if s.get("command") == "train" and s.get("curve"):
                curves[name[:-5]] = s
    return curves


def learning_curves(rep, curves):
    """Per training run: mean completion time and SLA per iteration, and where the time went."""
    if not curves:
        return
    rep.lines += ["## Training", ""]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    points = 0
    for name, s in curves.items():
        it = [r["iteration"] + 1 for r in s["curve"]]
        ax1.plot(it, [r["mean_completion_s"] for r in s["curve"]], marker=".", label=f"{name} ({s['policy']})")
        ax2.plot(it, [r["sla_pct"] for r in s["curve"]], marker=".", label=name)
        points += len(it)
        last = s["curve"][-1]
        rep.lines += [f"`{name}`: {s['policy']} on {s['scenario']}, {len(it)} iteration(s) x "
                      f"{s['episodes_per_iteration']} episode(s), {s['wall_s']:.1f} s wall. Last iteration: mean "
                      f"completion {last['mean_completion_s']:.2f} s, SLA {last['sla_pct']:.1f} %, entropy "
                      f"{last['entropy']:.3f}; per iteration collection {last['collect_s']:.2f} s, update "
                      f"{last['update_s']:.2f} s (forward {last['forward_s']:.2f}, backward {last['backward_s']:.2f}, "
                      f"optimizer {last['optimizer_s']:.3f}).", ""]
    ax1.set_xlabel("iteration")
    ax1.set_ylabel("mean completion time, s")
    ax2.set_xlabel("iteration")
    ax2.set_ylabel("SLA met, %")
    ax1.legend(fontsize=8)
    rep.figure("learning_curve", fig, len(curves), points,
               "Learning curves: the training episodes' mean completion time and SLA per iteration")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    parts = [("collect_s", "collection"), ("forward_s", "update: forward"), ("backward_s", "update: backward"),
             ("optimizer_s", "update: optimizer")]
    names = list(curves)
    bottom = np.zeros(len(names))
    for key, lab in parts:
        v = np.array([np.mean([r[key] for r in curves[n]["curve"]]) for n in names])
        ax.bar(names, v, bottom=bottom, label=lab)
        bottom += v
    ax.set_ylabel("seconds per iteration")
    ax.legend(fontsize=8)
    rep.figure("training_time", fig, len(parts), len(parts) * len(names),
               "Where a training iteration's time goes (mean over iterations, slowest rank)")


def load_runs(d):
    rows = []
    for name in sorted(os.listdir(d)):
        if not name.endswith(".json"):
            continue
        s = json.load(open(os.path.join(d, name)))
        if s.get("command") != "run":
            continue
        stem = name[:-5]
        for p in s["policies"]:
            r = {k: v for k, v in p.items() if isinstance(v, (int, float))}
            r.update(policy=p["policy"], run_dir=stem, status="ok", ranks=s.get("ranks", 1), run_wall_s=s.get("wall_s"),
                     results=os.path.join(d, stem + ".h5"), name=stem)
            rows.append(r)
    if not rows:
        sys.exit(f"report: {d} holds neither study.json (a sweep) nor `marlsim run --summary-json` files")
    return Rows(rows, ["name"] if len({r["name"] for r in rows}) > 1 else [], [], f"marlsim run outputs in {d}", d)


def label(r, keys):
    return ", ".join(f"{k}={fmt_value(r.get(k))}" for k in keys)


def fmt_value(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def order(kv):
    """Sort key for groups: numbers by value (25 before 100), then text."""
    return tuple((0, v, "") if isinstance(v, float) else (1, 0.0, str(v)) for v in kv[0])


def group(rows, keys):
    groups = {}
    for r in rows:
        groups.setdefault(tuple(r.get(k) for k in keys), []).append(r)
    return groups


class Report:
    def __init__(self, out):
        self.out, self.lines, self.figures = out, [], {}

    def figure(self, name, fig, series, points, caption):
        path = os.path.join(self.out, name + ".png")
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        self.figures[name] = {"file": name + ".png", "series": series, "points": points}
        self.lines += [f"![{caption}]({name}.png)", "", f"*{caption}*", ""]


def comparison(rep, data, keys):
    """Policy comparison: one table row per configuration (seeds pooled) and a bar chart."""
    rows = data.ok()
    seeded = "seed" in data.axes
    rep.lines += ["## Policy comparison", "",
                  "Mean ± 95 % confidence half-width: over seeds (Student's t) when the study has a seed axis, "
                  "else over the run's episodes.", ""]
    heads = [h for m, h in SHOWN if any(np.isfinite(r.get(m, float("nan"))) for r in rows)]
    metrics = [m for m, h in SHOWN if h in heads]
    rep.lines += ["| " + " | ".join(keys + heads) + " |", "|" + "---|" * (len(keys) + len(heads))]
    bars = []
    for k, g in sorted(group(rows, keys).items(), key=order):
        cells = [fmt_value(v) for v in k]
        for m in metrics:
            single = g[0].get(m + "_ci95", float("nan")) if len(g) == 1 else float("nan")
            mu, ci = mean_ci([r.get(m, float("nan")) for r in g], single if not seeded or len(g) == 1 else float("nan"))
            cells.append(f"{mu:.4g} ± {ci:.2g}" if np.isfinite(ci) else f"{mu:.4g}")
            if m == "mean_completion_s":
                bars.append((label(dict(zip(keys, k)), keys), mu, ci if np.isfinite(ci) else 0.0))
        rep.lines.append("| " + " | ".join(cells) + " |")
    rep.lines.append("")
    if bars:
        fig, ax = plt.subplots(figsize=(max(5, 0.6 * len(bars) + 2), 4))
        ax.bar(range(len(bars)), [b[1] for b in bars], yerr=[b[2] for b in bars], capsize=3, color="#4878a8")
        ax.set_xticks(range(len(bars)))
        ax.set_xticklabels([b[0] for b in bars], rotation=45, ha="right", fontsize=8)
        ax.set_ylabel("mean completion time (s)")
        ax.set_title("Mean completion time, 95 % CI")
        rep.figure("comparison", fig, 1, len(bars), "Mean completion time per configuration (error bars: 95 % CI)")


def completion_cdfs(rep, data, keys):
    """Completion-time CDFs from the per-task rows of each run's results file, seeds pooled."""
    fig, ax = plt.subplots(figsize=(6, 4))
    series = points = 0
    for k, g in sorted(group(data.ok(), keys).items(), key=order)[:MAX_LINES]:
        values = []
        for r in g:
            try:
                with h5py.File(r["results"], "r") as f:
                    values.append(f[r["policy"]]["tasks"]["completion_s"][()])
            except (OSError, KeyError):
                continue
        if not values:
            continue
        v = np.sort(np.concatenate(values))
        v = v[np.isfinite(v)]
        if v.size == 0:
            continue
        ax.plot(v, np.arange(1, v.size + 1) / v.size, label=label(dict(zip(keys, k)), keys) or "all", lw=1.2)
        series += 1
        points += int(v.size)
    if series == 0:
        plt.close(fig)
        rep.lines += ["(no per-task results files: no completion-time CDF)", ""]
        return
    ax.set_xscale("log")
    ax.set_xlabel("completion time (s, log scale)")
    ax.set_ylabel("fraction of tasks")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    rep.lines += ["## Completion-time distributions", ""]
    rep.figure("completion_cdf", fig, series, points, "Completion time CDF (end - arrival), all tasks of all episodes")


def numeric_axes(data):
    """Numeric axes worth a plot; of zipped axes only the first (the others move with it)."""
    out = []
    for a in data.axes:
        if a in ("ranks", "threads", "seed", "episodes"):
            continue
        if a in data.zip and any(z in out for z in data.zip):
            continue
        vals = {r.get(a) for r in data.ok()}
        if len(vals) > 1 and all(isinstance(v, float) for v in vals):
            out.append(a)
    return out


def axis_plots(rep, data, keys):
    """Each numeric axis (load, nodes, ...) against completion time, SLA and wall time per episode."""
    for axis in numeric_axes(data):
        moving = data.zip if axis in data.zip else [axis]
        others = [k for k in keys if k not in moving]
        metrics = [(m, h) for m, h in [("mean_completion_s", "mean completion (s)"), ("sla_pct", "SLA (%)"),
                                       ("wall_s_per_episode", "wall time per episode (s)")]
                   if any(np.isfinite(r.get(m, float("nan"))) for r in data.ok())]
        fig, axs = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.8), squeeze=False)
        series = points = 0
        for k, g in sorted(group(data.ok(), others).items(), key=order)[:MAX_LINES]:
            xs = sorted({r[axis] for r in g})
            for (m, h), ax in zip(metrics, axs[0]):
                ys = [mean_ci([r.get(m, float("nan")) for r in g if r[axis] == x])[0] for x in xs]
                ax.plot(xs, ys, marker="o", label=label(dict(zip(others, k)), others) or "all")
                ax.set_xlabel(axis)
                ax.set_ylabel(h)
                ax.grid(alpha=0.3)
                points += len(xs)
            series += 1
        xs_all = [r[axis] for r in data.ok()]
        if min(xs_all) > 0 and max(xs_all) / min(xs_all) > 20:  # sizes spanning decades (25 to 10,000 nodes)
            for ax in axs[0]:
                ax.set_xscale("log")
        if "wall_s_per_episode" in [m for m, h in metrics]:
            ax = axs[0][[m for m, h in metrics].index("wall_s_per_episode")]
            lo, hi = ax.get_ylim()
            if hi > 0 and min(l for line in ax.get_lines() for l in line.get_ydata() if l > 0) * 100 < hi:
                ax.set_yscale("log")
        fig.legend(*axs[0][0].get_legend_handles_labels(), loc="upper center", bbox_to_anchor=(0.5, -0.04),
                   ncol=min(3, max(1, series)), fontsize=7)
        title = axis if axis not in data.zip else " = ".join(data.zip)
        rep.lines += [f"## Against {title}", ""]
        rep.figure(f"axis_{axis.replace('.', '_')}", fig, series, points, f"Metrics against {title} (seeds pooled)")


def scaling(rep, data):
    """Wall time, speedup and efficiency over ranks, per configuration (seeds pooled)."""
    rows = data.ok()
    if len({r.get("ranks") for r in rows}) < 2:
        return
    weak = "ranks" in data.zip
    # One wall time per run (runs comparing several policies have one row per policy).
    per_run = {r["run_dir"]: r for r in rows}.values()
    others = [a for a in data.axes if a not in ("ranks", "seed") and a not in data.zip]
    fig, axs = plt.subplots(1, 3, figsize=(13, 3.8))
    series = points = 0
    lines = ["## Scaling over ranks", "",
             ("Weak scaling: the problem grows with the ranks (" + ", ".join(data.zip) + "); efficiency = T(1) / T(p)."
              if weak else "Strong scaling: the same problem on more ranks; speedup = T(1) / T(p), "
              "efficiency = speedup / p."),
             "Wall time is the whole `marlsim run` (every episode and policy of the run), mean over seeds.", "",
             "| configuration | ranks | wall s | speedup | efficiency |", "|---|---|---|---|---|"]
    for k, g in sorted(group(per_run, others).items(), key=order)[:MAX_LINES]:
        ranks = sorted({r["ranks"] for r in g})
        wall = [mean_ci([r["run_wall_s"] for r in g if r["ranks"] == p])[0] for p in ranks]
        if ranks[0] != 1 or not np.isfinite(wall[0]):
            continue
        speedup = [wall[0] / w * (p if weak else 1) for p, w in zip(ranks, wall)]
        eff = [s / p for s, p in zip(speedup, ranks)]
        name = label(dict(zip(others, k)), others) or "all"
        axs[0].plot(ranks, wall, marker="o", label=name)
        axs[1].plot(ranks, speedup, marker="o", label=name)
        axs[2].plot(ranks, eff, marker="o", label=name)
        for p, w, s, e in zip(ranks, wall, speedup, eff):
            lines.append(f"| {name} | {int(p)} | {w:.3f} | {s:.2f} | {100 * e:.0f} % |")
        series += 1
        points += len(ranks)
    if series == 0:
        plt.close(fig)
        return
    top = max(r["ranks"] for r in rows)
    axs[1].plot([1, top], [1, top], "k--", lw=0.8, label="ideal")
    axs[2].axhline(1.0, color="k", ls="--", lw=0.8)
    for ax, h in zip(axs, ["wall time (s)", "scaled speedup" if weak else "speedup", "efficiency"]):
        ax.set_xlabel("MPI ranks")
        ax.set_ylabel(h)
        ax.set_xscale("log", base=2)
        ax.grid(alpha=0.3)
    axs[0].legend(fontsize=7)
    rep.lines += lines + [""]
    rep.figure("scaling", fig, series, points, ("Weak" if weak else "Strong") + " scaling over MPI ranks")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--out")
    args = ap.parse_args()
    if not os.path.isdir(args.dir):
        sys.exit(f"report: {args.dir}: no such directory")
    data = load_sweep(args.dir) if os.path.exists(os.path.join(args.dir, "study.json")) else load_runs(args.dir)
    out = args.out or os.path.join(args.dir, "report")
    os.makedirs(out, exist_ok=True)
    rep = Report(out)

    failed = [r for r in data.rows if r.get("status", "ok") != "ok"]
    rep.lines += [f"# {data.title}", "", f"Source: `{os.path.abspath(data.source)}`; "
                  f"{len({r['run_dir'] for r in data.rows})} run(s), {len(data.rows)} row(s).", ""]
    if failed:
        rep.lines += ["**Runs without results** (left out of every figure):", ""]
        for r in failed:
            status = r.get("exit_status", float("nan"))
            rep.lines.append(f"- {r['run_dir']}: {r['status']} (exit status "
                             f"{fmt_value(status) if np.isfinite(status) else 'none'})")
        rep.lines.append("")
    if not data.ok():
        sys.exit("report: no run has results")
    # A configuration is every axis but the seed (pooled) and the launch shape (ranks/threads give the same results).
    keys = ["policy"] + [a for a in data.axes if a not in ("policy", "seed", "ranks", "threads")]
    comparison(rep, data, keys)
    completion_cdfs(rep, data, keys)
    axis_plots(rep, data, keys)
    scaling(rep, data)
    learning_curves(rep, load_training(args.dir))
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(rep.lines) + "\n")
    with open(os.path.join(out, "figures.json"), "w") as f:
        json.dump(rep.figures, f, indent=2)
    print(f"report: {os.path.join(out, 'report.md')} with {len(rep.figures)} figure(s): "
          + ", ".join(rep.figures))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""A Markdown and/or HTML report with PNG figures from a sweep directory or `marlsim run` outputs.

usage: /usr/bin/python3 analysis/report.py DIR [--out REPORT_DIR] [--format md|html|both]

DIR is either
  - a sweep directory (`marlsim sweep --out DIR`, then `marlsim collect DIR`): read from
    DIR/table.h5 and each run's results.h5, or
  - a folder of `marlsim run` outputs: NAME.json (--summary-json) with NAME.h5 (--out) beside it.

Writes REPORT_DIR (default DIR/report): report.md and/or report.html (--format, default both;
the same text), the figures (PNG), and figures.json, which records how many series and points
each figure plots (tests check that no figure is empty).
Figures: policy comparison (mean completion time with 95 % CIs), completion-time CDFs,
every numeric axis against the main metrics, and, when the runs differ in ranks, wall time,
speedup and parallel efficiency (strong scaling; weak scaling when ranks are zipped with
the problem size). An agent-scaling sweep (axes `nodes` and `coordination`, `sharing` or
`topology`) adds quality and cost against the number of agents (completion, SLA, events/s,
decisions/s, decision batch, messages and bytes per agent, staleness, wall time), quality against
the observation loss (axis "agents.observation_loss"), and the learned policy's update time
against agents from `marlsim train --summary-json` files DIR/update-time/agents-N.json (N agents).
Needs Debian's numpy, h5py and matplotlib (/usr/bin/python3).
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_html import to_html  # noqa: E402

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


LOSS = "agents.observation_loss"
# (column, heading, format) of the agent-scaling table; events/s and decisions/s are per episode's wall time.
AGENT_COLUMNS = [("mean_completion_s", "completion s", "{:.4g}"), ("sla_pct", "SLA %", "{:.1f}"),
                 ("events_per_s", "events/s", "{:,.0f}"), ("decisions_per_s", "decisions/s", "{:,.0f}"),
                 ("mean_decision_batch", "batch", "{:.3g}"), ("messages_per_agent", "msgs/agent", "{:,.0f}"),
                 ("bytes_per_agent", "bytes/agent", "{:,.0f}"), ("mean_staleness_s", "staleness s", "{:.3g}"),
                 ("wall_s", "wall s/episode", "{:.3g}")]
AGENT_PANELS = [("mean_completion_s", "mean completion (s)"), ("sla_pct", "SLA (%)"),
                ("wall_s", "wall s per episode"), ("events_per_s", "events / s"), ("decisions_per_s", "decisions / s"),
                ("messages_per_agent", "messages per agent"), ("bytes_per_agent", "bytes per agent"),
                ("mean_staleness_s", "mean staleness (s)")]


def is_agent_scaling(data):
    return "nodes" in data.axes and any(a in data.axes for a in ("coordination", "sharing", "topology"))


def with_rates(r):
    """A row with events/s and decisions/s of its episodes (the metrics are per episode).

    With batched episodes (run.batch_episodes = E) wall_s is the whole shared kernel's, so an
    episode's share is wall_s / E."""
    batched = r.get("batched_episodes", 1)
    batched = batched if np.isfinite(batched) and batched >= 1 else 1
    wall = r.get("wall_s", float("nan")) / batched
    ok = np.isfinite(wall) and wall > 0
    return dict(r, wall_s=wall, events_per_s=r.get("events", float("nan")) / wall if ok else float("nan"),
                decisions_per_s=r.get("decisions", float("nan")) / wall if ok else float("nan"))


def agent_scaling(rep, data):
    """Quality and cost against the number of agents, per coordination mode and policy (seeds pooled)."""
    mode = next(a for a in ("coordination", "sharing", "topology") if a in data.axes)
    rows = [with_rates(r) for r in data.ok()]
    keys = ["nodes", mode, "policy"] + ([LOSS] if LOSS in data.axes else [])
    cols = [c for c in AGENT_COLUMNS if any(np.isfinite(r.get(c[0], float("nan"))) for r in rows)]
    rep.lines += ["## Agent scaling", "",
                  f"One agent per node. Per number of agents (nodes), {mode} and policy"
                  + (" and observation loss" if LOSS in data.axes else "") + ": means over seeds and episodes "
                  "(completion time ± 95 % CI over seeds); events/s and decisions/s are an episode's events or "
                  "decisions over its wall time; messages and bytes are per agent per episode; staleness is the "
                  "information age of the load a decision saw (empty: nothing reported).", "",
                  "| " + " | ".join(["agents", mode, "policy"] + (["loss"] if LOSS in data.axes else [])
                                    + [h for _, h, _ in cols]) + " |",
                  "|" + "---|" * (len(keys) + len(cols))]
    for k, g in sorted(group(rows, keys).items(), key=order):
        cells = [fmt_value(v) for v in k]
        for m, _, f in cols:
            mu, ci = mean_ci([r.get(m, float("nan")) for r in g])
            text_ = f.format(mu) if np.isfinite(mu) else ""
            cells.append(text_ + (f" ± {ci:.2g}" if m == "mean_completion_s" and np.isfinite(ci) else ""))
        rep.lines.append("| " + " | ".join(cells) + " |")
    rep.lines.append("")

    # Against agents: the fully observed rows (no loss) per mode and policy.
    base = [r for r in rows if r.get(LOSS, 0.0) == 0.0]
    panels = [p for p in AGENT_PANELS if any(np.isfinite(r.get(p[0], float("nan"))) for r in base)]
    fig, axs = plt.subplots(2, (len(panels) + 1) // 2, figsize=(4.2 * ((len(panels) + 1) // 2), 7.5), squeeze=False)
    flat = [ax for row in axs for ax in row]
    series = points = 0
    for k, g in sorted(group(base, [mode, "policy"]).items(), key=order)[:MAX_LINES]:
        xs = sorted({r["nodes"] for r in g})
        for (m, h), ax in zip(panels, flat):
            ys = [mean_ci([r.get(m, float("nan")) for r in g if r["nodes"] == x])[0] for x in xs]
            if not any(np.isfinite(ys)):
                continue
            ax.plot(xs, ys, marker="o", label=f"{k[0]}, {k[1]}")
            points += int(np.isfinite(ys).sum())
        series += 1
    for (m, h), ax in zip(panels, flat):
        ax.set_xscale("log")
        ax.set_xlabel("agents (nodes)")
        ax.set_ylabel(h)
        ax.grid(alpha=0.3)
        if m not in ("mean_completion_s", "sla_pct"):
            ax.set_yscale("log")
    for ax in flat[len(panels):]:
        ax.set_visible(False)
    fig.legend(*flat[0].get_legend_handles_labels(), loc="upper center", bbox_to_anchor=(0.5, -0.01),
               ncol=min(4, max(1, series)), fontsize=8)
    fig.tight_layout()
    rep.lines += ["### Quality and cost against agents", ""]
    rep.figure("agent_scaling", fig, series, points,
               f"Quality and cost against the number of agents per {mode} and policy"
               + (" (observation loss 0)" if LOSS in data.axes else "") + ", seeds pooled; cost axes log scale")

    losses = sorted({r[LOSS] for r in rows if isinstance(r.get(LOSS), float)})
    if len(losses) < 2:
        return
    varied = [r for r in rows if any(o[LOSS] != r[LOSS] and o[mode] == r[mode] and o["nodes"] == r["nodes"]
                                     and o["policy"] == r["policy"] for o in rows)]
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.8))
    series = points = 0
    for k, g in sorted(group(varied, ["nodes", mode, "policy"]).items(), key=order)[:MAX_LINES]:
        xs = sorted({r[LOSS] for r in g})
        for m, ax in zip(("mean_completion_s", "sla_pct"), axs):
            ax.plot(xs, [mean_ci([r.get(m, float("nan")) for r in g if r[LOSS] == x])[0] for x in xs], marker="o",
                    label=f"{fmt_value(k[0])} agents, {k[1]}, {k[2]}")
            points += len(xs)
        series += 1
    if series == 0:
        plt.close(fig)
        return
    for ax, h in zip(axs, ("mean completion (s)", "SLA (%)")):
        ax.set_xlabel("observation loss (fraction of load reports lost)")
        ax.set_ylabel(h)
        ax.grid(alpha=0.3)
    fig.legend(*axs[0].get_legend_handles_labels(), loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=3,
               fontsize=7)
    rep.lines += ["### Partial observability", ""]
    rep.figure("observation_loss", fig, series, points, "Quality against the observation loss, seeds pooled")


# Source study 2 (HRAC + LGRS): 7.3 s per policy update at 25 agents, its largest size.
SOURCE_UPDATE_S_AT_25 = 7.3


def load_update_times(d):
    """`marlsim train --summary-json` files d/agents-N.json: per agent count, means over iterations."""
    out = {}
    if not os.path.isdir(d):
        return out
    for name in os.listdir(d):
        if name.startswith("agents-") and name.endswith(".json") and name[7:-5].isdigit():
            curve = json.load(open(os.path.join(d, name)))["curve"]
            out[int(name[7:-5])] = {k: float(np.mean([r[k] for r in curve]))
                                    for k in ("update_s", "forward_s", "backward_s", "optimizer_s", "decisions",
                                              "collect_s")}
    return out


def update_time(rep, times):
    """The learned policy's update time against agents (parameter sharing: one network at every size)."""
    if not times:
        return
    agents = sorted(times)
    first = times[agents[0]]
    rep.lines += ["### Per-policy update time against agents", "",
                  "`marlsim train` of the learned policy at each size (DIR/update-time/agents-N.json; means over "
                  "iterations; all agents share one network, so there is one policy to update at every size). "
                  f"Source study 2 reports {SOURCE_UPDATE_S_AT_25} s per update at 25 agents, growing non-linearly.",
                  "", "| agents | decisions / update | update s | forward / backward / optimizer s | us / decision "
                  "| update vs " + str(agents[0]) + " agents | collection s |", "|---:|---:|---:|---|---:|---:|---:|"]
    for n in agents:
        t = times[n]
        rep.lines.append(f"| {n:,} | {t['decisions']:,.0f} | {t['update_s']:.3g} | {t['forward_s']:.3g} / "
                         f"{t['backward_s']:.3g} / {t['optimizer_s']:.2g} | {1e6 * t['update_s'] / t['decisions']:.1f} "
                         f"| {t['update_s'] / first['update_s']:.1f}x | {t['collect_s']:.3g} |")
    rep.lines.append("")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax1.plot(agents, [times[n]["update_s"] for n in agents], marker="o", label="marlsim: update s")
    ax1.plot([25], [SOURCE_UPDATE_S_AT_25], marker="*", ms=12, ls="", color="#c03030", label="source study 2 at 25")
    ax1.set_ylabel("seconds per update")
    ax2.plot(agents, [1e6 * times[n]["update_s"] / times[n]["decisions"] for n in agents], marker="o")
    ax2.set_ylabel("update us per decision")
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_xlabel("agents (nodes)")
        ax.grid(alpha=0.3)
    ax1.set_yscale("log")
    ax1.legend(fontsize=8)
    rep.figure("update_time", fig, 2, 2 * len(agents) + 1,
               "Per-policy update time against agents (left, log-log, with source study 2's 7.3 s at 25 agents) "
               "and per decision (right)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--out")
    ap.add_argument("--format", choices=["md", "html", "both"], default="both",
                    help="report.md, report.html (same text, same PNG figures) or both (default)")
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
    if is_agent_scaling(data):
        agent_scaling(rep, data)
        update_time(rep, load_update_times(os.path.join(args.dir, "update-time")))
    learning_curves(rep, load_training(args.dir))
    written = []
    if args.format in ("md", "both"):
        written.append(os.path.join(out, "report.md"))
        with open(written[-1], "w") as f:
            f.write("\n".join(rep.lines) + "\n")
    if args.format in ("html", "both"):
        written.append(os.path.join(out, "report.html"))
        with open(written[-1], "w") as f:
            f.write(to_html(rep.lines, data.title))
    with open(os.path.join(out, "figures.json"), "w") as f:
        json.dump(rep.figures, f, indent=2)
    print(f"report: {' and '.join(written)} with {len(rep.figures)} figure(s): " + ", ".join(rep.figures))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A lower bound on the mean completion time ANY scheduler can reach on source study 3's grid
(configs/hierrl-alibaba2017.toml), against what ray-hybrid and random reach, to tell where
learning gate 3 (>= 10 % below ray-hybrid, >= 15 % below random; issue 12) is reachable at all.

A task's completion is (ready - arrival) + wait + run time. The bound gives every task zero
wait and its run time on the fastest node; it ignores capacity (as if every node could start
every task at once), so no schedule on the real cluster does better. The run times are taken
from the simulation itself (`marlsim run --out`, end - start per task), and the script refuses
to give a bound unless what it assumes is what the file shows:
  * each task's run time is the same on every node it ran on, in every episode and policy
    (the scenario's nodes all have speed 1, so a task's run time is work / cores anywhere;
    the minimum over the observed runs is taken in any case);
  * (ready - arrival), the time waiting for DAG parents, is taken as 0: exact where no task has
    parents (ready == arrival in the file: the 52-task points), a weaker but still valid bound
    where some do (marked 'DAG' in the table);
  * every task completed in every episode (the bound's mean is over the same tasks).

usage: analysis/hierrl_bound.py MARLSIM [EPISODES] [NODES:TASKS ...]
       (default 30 episodes and the whole grid 2-5 nodes x 52/171/292 tasks)
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SCENARIO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs", "hierrl-alibaba2017.toml")
POLICIES = ("ray-hybrid", "random", "least-loaded")


def simulate(marlsim, nodes, tasks, episodes, out):
    subprocess.run([marlsim, "run", SCENARIO, "--policy", ",".join(POLICIES), "--episodes", str(episodes),
                    "--quiet", "--out", out, "--set", f"cluster.nodes={nodes}",
                    "--set", f"workload.trace.max_tasks={tasks}"], check=True, stdout=subprocess.DEVNULL)


def bound(path, tasks):
    """(bound s, {policy: mean completion s}, whether some task has DAG parents) from one `marlsim run --out`
    file."""
    dag = False
    runs = {}  # task id -> every observed run time, s
    means = {}
    with h5py.File(path, "r") as f:
        for policy in POLICIES:
            t = f[policy]["tasks"]
            task, arrival, ready = t["task"][:], t["arrival_s"][:], t["ready_s"][:]
            run = t["end_s"][:] - t["start_s"][:]
            episodes = np.unique(t["episode"][:])
            if len(task) != tasks * len(episodes):
                sys.exit(f"{path}: {policy}: {len(task)} completed tasks, expected {tasks} in each of "
                         f"{len(episodes)} episodes")
            dag = dag or bool(np.any(ready != arrival))
            for i, r in zip(task, run):
                runs.setdefault(int(i), []).append(r)
            means[policy] = float(f[policy]["episodes"]["mean_completion_s"][:].mean())
    spread = max(max(r) - min(r) for r in runs.values())
    if spread > 1e-6:
        sys.exit(f"{path}: a task's run time differs by {spread:.3g} s between nodes/episodes; "
                 "the bound would need each node's speed")
    return float(np.mean([min(r) for r in runs.values()])), means, dag


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    marlsim = sys.argv[1]
    episodes = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    points = [tuple(int(x) for x in a.split(":")) for a in sys.argv[3:]] or \
        [(n, t) for n in (2, 3, 4, 5) for t in (52, 171, 292)]
    print(f"{episodes} episodes per grid point (0..{episodes - 1}); bound: every task started at its arrival "
          "on the fastest node (zero wait, capacity ignored; DAG: waits for parents also taken as 0); a policy's mean is over the episodes; "
          "'% below' is how far below that mean the bound lies, the most any scheduler can gain.\n")
    print("| nodes | tasks | bound s | ray-hybrid s | bound % below ray-hybrid | random s | bound % below random "
          "| 10 % / 15 % reachable |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for nodes, tasks in points:
            out = os.path.join(tmp, f"{nodes}x{tasks}.h5")
            simulate(marlsim, nodes, tasks, episodes, out)
            lb, means, dag = bound(out, tasks)
            below_ray = (1 - lb / means["ray-hybrid"]) * 100
            below_random = (1 - lb / means["random"]) * 100
            verdict = ("yes" if below_ray >= 10 else "no") + " / " + ("yes" if below_random >= 15 else "no")
            print(f"| {nodes} | {tasks} | {lb:.1f}{' (DAG)' if dag else ''} | {means['ray-hybrid']:.1f} | {below_ray:.1f} | "
                  f"{means['random']:.1f} | {below_random:.1f} | {verdict} |")


if __name__ == "__main__":
    main()

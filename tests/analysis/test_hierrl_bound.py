#!/usr/bin/env python3
"""analysis/hierrl_bound.py's bound() on small hand-made `marlsim run --out` files: the bound is the
mean of the tasks' run times, the DAG flag follows ready > arrival, and a file that breaks what the
bound assumes (a task's run time differing between runs, a task missing) is refused.

usage: test_hierrl_bound.py REPO_ROOT
"""
import os
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.join(sys.argv[1], "analysis"))
import hierrl_bound  # noqa: E402


def write(path, runs, waits, ready_delay=0.0, drop_last=False):
    """Two episodes of tasks with the given run times (s); policy p's tasks wait waits[p] s each."""
    with h5py.File(path, "w") as f:
        for p, policy in enumerate(hierrl_bound.POLICIES):
            task, episode, arrival, ready, start, end = [], [], [], [], [], []
            for e in range(2):
                for i, r in enumerate(runs):
                    a = 10.0 * i
                    rd = a + (ready_delay if i == 1 else 0.0)
                    task.append(i), episode.append(e), arrival.append(a), ready.append(rd)
                    start.append(rd + waits[p]), end.append(rd + waits[p] + r)
            n = len(task) - (1 if drop_last else 0)
            t = f.create_group(f"{policy}/tasks")
            for name, v in (("task", task), ("episode", episode), ("arrival_s", arrival), ("ready_s", ready),
                            ("start_s", start), ("end_s", end)):
                t[name] = np.array(v[:n])
            completion = np.array(end) - np.array(arrival)
            f[f"{policy}/episodes/mean_completion_s"] = np.array([completion[:len(runs)].mean()] * 2)


def refused(path, tasks):
    try:
        hierrl_bound.bound(path, tasks)
    except SystemExit as e:
        return str(e)
    return None


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ok.h5")
        write(path, [4.0, 10.0, 100.0], waits=[6.0, 9.0, 0.0])
        lb, means, dag = hierrl_bound.bound(path, 3)
        assert abs(lb - 38.0) < 1e-9, lb
        assert abs(means["ray-hybrid"] - 44.0) < 1e-9 and abs(means["random"] - 47.0) < 1e-9, means
        assert not dag

        path = os.path.join(tmp, "dag.h5")
        write(path, [4.0, 10.0, 100.0], waits=[1.0, 1.0, 1.0], ready_delay=5.0)
        lb, _, dag = hierrl_bound.bound(path, 3)
        assert dag and abs(lb - 38.0) < 1e-9, (dag, lb)

        # One policy sees task 2 run 50 s longer: run times differ between nodes, no bound.
        path = os.path.join(tmp, "speeds.h5")
        write(path, [4.0, 10.0, 100.0], waits=[0.0, 0.0, 0.0])
        with h5py.File(path, "r+") as f:
            end = f["random/tasks/end_s"]
            v = end[:]
            v[2] += 50.0
            end[...] = v
        message = refused(path, 3)
        assert message and "run time differs" in message, message

        path = os.path.join(tmp, "missing.h5")
        write(path, [4.0, 10.0, 100.0], waits=[0.0, 0.0, 0.0], drop_last=True)
        message = refused(path, 3)
        assert message and "expected 3 in each of 2 episodes" in message, message
    print("hierrl_bound: 4 cases passed")


if __name__ == "__main__":
    main()

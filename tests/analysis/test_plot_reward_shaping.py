#!/usr/bin/env python3
"""analysis/plot_reward_shaping.py's statistics on hand-made learning curves: iterations to a
target (3-iteration moving average, "not reached" = iterations + 1), the t interval, and the
paired difference from lambda = 1 on common seeds only.

usage: test_plot_reward_shaping.py REPO_ROOT
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(sys.argv[1], "analysis"))
import plot_reward_shaping as prs  # noqa: E402


def check(cond, what):
    if not cond:
        sys.exit(f"FAILED: {what}")


# Moving average of [0, 3, 6, 9] is [0, 1.5, 3, 6]: reaches 3 at iteration 3, never 7.
check(prs.iterations_to(np.array([0.0, 3, 6, 9]), 3.0) == 3, "iterations_to: first 3-iteration average >= target")
check(prs.iterations_to(np.array([0.0, 3, 6, 9]), 7.0) is None, "iterations_to: never reached")

m, h = prs.ci95([1.0, 2.0, 3.0])
check(abs(m - 2.0) < 1e-12 and abs(h - 4.303 * 1.0 / np.sqrt(3)) < 1e-9, f"ci95 of 1,2,3: got {m}, {h}")
check(np.isnan(prs.ci95([5.0])[1]), "ci95 of one value has no width")

ret = {
    1.0: {1: np.array([0.0, 0, 0, 0]), 2: np.array([0.0, 0, 3, 9])},
    0.5: {1: np.array([1.0, 1, 1, 1]), 2: np.array([0.0, 9, 9, 9]), 3: np.array([100.0] * 4)},
}
st = prs.compare(ret, 3.0)
check(st[1.0]["hits"] == [None, 4] and st[1.0]["reached"] == 1, f"lambda 1 hits: {st[1.0]['hits']}")
check(st[1.0]["iterations"][0] == (5 + 4) / 2, "not reached counts as iterations + 1")
check(st[0.5]["hits"] == [None, 2, 1], f"lambda 0.5 hits: {st[0.5]['hits']}")
# Paired on seeds 1 and 2 only (seed 3 has no unshaped run): (1 - 0) and (6.75 - 3).
dm, _, n = st[0.5]["auc_vs_unshaped"]
check(n == 2 and abs(dm - (1.0 + 3.75) / 2) < 1e-12, f"paired difference: {dm} over {n} seeds")
# Iterations, paired: seed 1 (5 - 5) and seed 2 (2 - 4).
jm, _, _ = st[0.5]["iterations_vs_unshaped"]
check(jm == (0 + -2) / 2, f"paired iterations difference: {jm}")
print("ok")

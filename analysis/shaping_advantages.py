#!/usr/bin/python3
"""How much local-global reward shaping changes what PPO sees (learning gate 2's analysis).

usage: /usr/bin/python3 analysis/shaping_advantages.py LAMBDA TRAJECTORIES.h5 [...]

For each `marlsim train` trajectory file, recomputes GAE (gamma 0.99, lambda 0.95, the
trainer's defaults) per agent trajectory from the file's unshaped `rewards` and its critic
`value`s twice: unshaped, and shaped as the trainer does (engine/training/reward_shaping.hpp,
r' = LAMBDA r + (1 - LAMBDA) (V(next) - V)). PPO normalises advantages per minibatch, so what
matters is how the two differ after normalisation: their correlation, the share of decisions
whose normalised advantage keeps its sign, and the mean absolute difference.

This analyses the FIRST gate-2 setting (task rewards, V the role critic's `value`, which the
file stores). Since the rework (docs/training.md, "Local-global reward shaping") the trainer
shapes with a separate global value estimator whose values the file does not hold, so this
script no longer reproduces what training does with --reward-lambda < 1.
"""
import sys
from collections import defaultdict

import h5py
import numpy as np


def gae(r, v, next_v, terminal, gamma=0.99, lam=0.95):
    adv, last = np.zeros_like(r), 0.0
    for i in range(len(r) - 1, -1, -1):
        last = r[i] + gamma * next_v[i] - v[i] + (0.0 if terminal[i] else gamma * lam * last)
        adv[i] = last
    return adv


def compare(path, shaping):
    with h5py.File(path, "r") as f:
        episode, agent, reward, value, terminal, timeout = (
            f[k][:] for k in ["episode", "agent", "rewards", "value", "terminals", "timeouts"])
    trajectories = defaultdict(list)  # rows are in decision order within an (episode, agent)
    for i in range(len(reward)):
        trajectories[(episode[i], agent[i])].append(i)
    plain, shaped = [], []
    for rows in trajectories.values():
        rows = np.array(rows)
        r, v = reward[rows].astype(np.float64), value[rows].astype(np.float64)
        term, tout = terminal[rows].astype(bool), timeout[rows].astype(bool)
        next_v = np.append(v[1:], 0.0)
        next_v[term] = 0.0
        next_v[tout] = v[tout]
        plain.append(gae(r, v, next_v, term))
        shaped.append(gae(shaping * r + (1 - shaping) * (next_v - v), v, next_v, term))
    a, b = np.concatenate(plain), np.concatenate(shaped)
    na, nb = (a - a.mean()) / a.std(), (b - b.mean()) / b.std()
    print(f"{path}: {len(a)} decisions, correlation {np.corrcoef(a, b)[0, 1]:.3f}, same sign "
          f"{np.mean(np.sign(na) == np.sign(nb)):.3f}, mean |difference| {np.mean(np.abs(na - nb)):.3f} "
          "(normalised advantages)")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    for p in sys.argv[2:]:
        compare(p, float(sys.argv[1]))

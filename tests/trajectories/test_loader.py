#!/usr/bin/python3
"""Checks analysis/trajectories.py on files written by write_trajectory_example at 1, 2, 4 ranks.

usage: test_loader.py SOURCE_DIR TMP_DIR FILE_1RANK FILE_2RANKS FILE_4RANKS
The expected rows are the formulas of tests/trajectory_rows.hpp, recomputed here."""
import os
import subprocess
import sys

import h5py
import numpy as np

SRC, TMP, FILES = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path.insert(0, os.path.join(SRC, "analysis"))
import trajectories  # noqa: E402

AGENTS, EPISODES, OBS, K, F, G = 8, 3, 6, 4, 3, 5
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def decisions(e, a):
    return 1 + (a * 3 + e) % 5


def expected():
    rows, before = [], 0
    for e in range(EPISODES):
        for c in range(AGENTS // 2):
            for a in (2 * c, 2 * c + 1):
                for s in range(decisions(e, a)):
                    rows.append((e, a, s, before + s, (e * 100 + c * 10 + s)))
            before += max(decisions(e, 2 * c), decisions(e, 2 * c + 1))
    return rows


rows = expected()
n = len(rows)
exp = {k: [] for k in ["observations", "actions", "rewards", "terminals", "timeouts", "episode", "agent", "role",
                       "time_s", "candidate_count", "candidate_features", "global_state_index", "global_states",
                       "role_attention"]}
for e, a, s, g, state_base in rows:
    b = e * 1000 + a * 10 + s
    count = 1 + (a + s) % K
    feats = np.zeros((K, F), dtype=np.float32)
    for k in range(count):
        feats[k] = [b + k / 8 + f / 64 for f in range(F)]
    last = s + 1 == decisions(e, a)
    exp["observations"].append(np.float32([b + j / 64 for j in range(OBS)]))
    exp["actions"].append((s + e) % count)
    exp["rewards"].append(np.float32(e + a / 2 + s / 16))
    exp["terminals"].append(int(last and a % 3 == 0))
    exp["timeouts"].append(int(last and a % 3 != 0))
    exp["episode"].append(e)
    exp["agent"].append(a)
    exp["role"].append(a % 2)
    exp["time_s"].append(e * 100.0 + s * 0.5 + a * 0.125)
    exp["candidate_count"].append(count)
    exp["candidate_features"].append(feats)
    exp["global_state_index"].append(g)
    exp["global_states"].append(np.float32([state_base + j / 32 for j in range(G)]))
    exp["role_attention"].append(np.float32([[state_base + (2 * a_ + b_) / 4 for b_ in range(2)] for a_ in range(2)]))
exp = {k: np.array(v) for k, v in exp.items()}

# 1. Each file, read sequentially in one pass, is the expected trajectory row for row.
for path in FILES:
    with trajectories.TrajectorySet(path) as data:
        check(len(data) == n, f"{path}: {len(data)} rows, expected {n}")
        check(data.role_names == ["worker", "scheduler"], f"{path}: role names {data.role_names}")
        batches = list(data.minibatches(7, shuffle=False))
        check(all(len(b["actions"]) == 7 for b in batches[:-1]), f"{path}: minibatch sizes")
        got = {k: np.concatenate([b[k] for b in batches]) for k in batches[0]}
        for k, v in exp.items():
            ok = got[k].shape == v.shape and np.array_equal(got[k].astype(v.dtype), v)
            check(ok, f"{path}: {k} differs from the expected rows")
        check(np.array_equal(got["candidate_mask"], np.arange(K)[None, :] < exp["candidate_count"][:, None]),
              f"{path}: candidate_mask")
        check(got["observations"].dtype == np.float32 and got["actions"].dtype == np.int32, f"{path}: dtypes")
    with h5py.File(path, "r") as f:
        check(int(f.attrs["mask_unfit"]) == 1, f"{path}: mask_unfit attribute")

# 2. The files written at 1, 2 and 4 ranks have identical datasets.
with h5py.File(FILES[0], "r") as ref:
    for path in FILES[1:]:
        with h5py.File(path, "r") as f:
            for k in ref:
                check(np.array_equal(ref[k][:], f[k][:]), f"{path}: dataset {k} differs from {FILES[0]}")

# 3. Shuffled over several files: every row exactly once, reproducible by seed, not sequential.
def keyed(batches):
    return [(int(fi), int(e), int(a), float(t)) for b in batches
            for fi, e, a, t in zip(b["file"], b["episode"], b["agent"], b["time_s"])]


with trajectories.TrajectorySet(FILES) as data:
    first = keyed(data.minibatches(16, shuffle=True, seed=3, block_rows=8, window_blocks=2))
    again = keyed(data.minibatches(16, shuffle=True, seed=3, block_rows=8, window_blocks=2))
    other = keyed(data.minibatches(16, shuffle=True, seed=4, block_rows=8, window_blocks=2))
    sequential = keyed(data.minibatches(16, shuffle=False))
    check(len(first) == len(FILES) * n and sorted(first) == sorted(sequential), "shuffled pass misses or repeats rows")
    check(first == again, "same seed gave a different order")
    check(first != other and first != sequential, "shuffling did not change the order")
    dropped = list(data.minibatches(16, shuffle=True, drop_last=True))
    check(all(len(b["actions"]) == 16 for b in dropped), "drop_last left a short batch")
    gs = next(data.minibatches(5, shuffle=False, keys=["actions"], with_global_states=False))
    check(set(gs) == {"actions", "file"}, f"keys= not honoured: {sorted(gs)}")
    summary = data.summary()
    check("role_attention:" in summary and "mask_unfit: 1" in summary, f"summary lacks role attention:\n{summary}")

# 4. Files of another layout are refused, naming both files.
other_path = os.path.join(TMP, "other-layout.h5")
with h5py.File(FILES[0], "r") as src, h5py.File(other_path, "w") as dst:
    for k, v in src.attrs.items():
        dst.attrs[k] = v
    dst.attrs["observation_dim"] = np.uint64(7)
try:
    trajectories.TrajectorySet([FILES[0], other_path])
    check(False, "a file of another layout was accepted")
except trajectories.TrajectoryError as e:
    check(other_path in str(e) and FILES[0] in str(e) and "observation_dim" in str(e), f"unclear error: {e}")

# 5. The command line prints a summary, and exits 2 on a file that is not a trajectory file.
script = os.path.join(SRC, "analysis", "trajectories.py")
out = subprocess.run([sys.executable, script, FILES[0], "--batches", "1"], capture_output=True, text=True)
check(out.returncode == 0 and f"{n} decisions" in out.stdout and "batch 0:" in out.stdout, f"summary: {out.stdout}")
bad = os.path.join(TMP, "not.h5")
open(bad, "w").write("not hdf5")
out = subprocess.run([sys.executable, script, bad], capture_output=True, text=True)
check(out.returncode == 2 and bad in out.stderr, f"bad file: rc {out.returncode} {out.stderr}")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)

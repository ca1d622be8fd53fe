#!/usr/bin/python3
"""Minibatches from marlsim trajectory files (docs/trajectories.md), as dicts of numpy arrays.

usage: /usr/bin/python3 analysis/trajectories.py FILE.h5 [FILE.h5 ...] [--batch-size B] [--batches N]
       prints a summary of each file (rows, episodes, agents, roles, rewards, provenance) and,
       with --batches, the shapes of the first N shuffled minibatches.

In Python:
    from trajectories import TrajectorySet
    data = TrajectorySet(["run1.h5", "run2.h5"])          # refuses files of different layouts
    for batch in data.minibatches(256, shuffle=True, seed=0):
        batch["observations"]   # [256, obs_dim] float32, batch["global_states"] [256, G] ...
        batch["role_attention"] # hrac files: [256, R, R], the decision's cycle's role attention

Only h5py and numpy (Debian's /usr/bin/python3). Files are read block by block (one HDF5
chunk-sized block at a time), never whole: shuffling permutes blocks across all files, then rows
inside a window of `window_blocks` blocks, so memory stays at about window_blocks x block rows.
"""
import argparse
import sys

import h5py
import numpy as np

FORMAT = "marlsim-trajectories"
# The per-decision datasets (one row each); global_states is looked up by global_state_index.
DECISION_KEYS = ["observations", "actions", "rewards", "terminals", "timeouts", "episode", "time_s", "agent",
                 "role", "candidate_features", "candidate_count", "candidate_mask", "log_prob", "value",
                 "global_state_index", "policy_version"]
# Attributes that must agree for files to be mixed in one minibatch stream.
LAYOUT_ATTRS = ["format_version", "observation_dim", "max_candidates", "candidate_feature_dim", "global_state_dim",
                "observation_layout"]


class TrajectoryError(Exception):
    """A file that is not a trajectory file, or files that cannot be mixed."""


def _attr(f, name):
    value = f.attrs[name]
    return value.decode() if isinstance(value, bytes) else value


class TrajectorySet:
    def __init__(self, paths):
        if isinstance(paths, str):
            paths = [paths]
        if not paths:
            raise TrajectoryError("no trajectory files given")
        self.paths = list(paths)
        self.files = []
        for path in self.paths:
            try:
                f = h5py.File(path, "r")
            except OSError as e:
                raise TrajectoryError(f"{path}: not a readable HDF5 file ({e})") from None
            if f.attrs.get("format") != FORMAT:
                raise TrajectoryError(f"{path}: not a marlsim trajectory file (attribute format != {FORMAT!r})")
            self.files.append(f)
        first = self.files[0]
        for path, f in zip(self.paths[1:], self.files[1:]):
            for name in LAYOUT_ATTRS:
                if _attr(f, name) != _attr(first, name):
                    raise TrajectoryError(f"{path}: {name} = {_attr(f, name)!r} differs from "
                                          f"{self.paths[0]}: {name} = {_attr(first, name)!r}")
        self.rows = [f["actions"].shape[0] for f in self.files]
        self.role_names = [str(n) for n in first["role"].attrs["names"]]

    def __len__(self):
        return sum(self.rows)

    def close(self):
        for f in self.files:
            f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read(self, file_index, start, stop, keys, with_global_states):
        f = self.files[file_index]
        out = {k: f[k][start:stop] for k in keys}
        if with_global_states:
            index = f["global_state_index"][start:stop]
            valid = index >= 0
            unique, inverse = np.unique(index[valid], return_inverse=True)  # h5py wants sorted unique indices
            # Per-cycle tables (global_states; role_attention in hrac files), one row per decision.
            for name in ["global_states", "role_attention"]:
                if name not in f:
                    continue
                rows = np.zeros((stop - start,) + f[name].shape[1:], dtype=np.float32)
                if valid.any():
                    rows[valid] = f[name][unique][inverse]
                out[name] = rows
        out["file"] = np.full(stop - start, file_index, dtype=np.int32)
        return out

    def minibatches(self, batch_size, shuffle=True, seed=0, keys=None, with_global_states=True, drop_last=False,
                    block_rows=None, window_blocks=8):
        """Yields dicts of numpy arrays of batch_size rows (the last one shorter unless drop_last).

        keys: the decision datasets to read (default all); 'global_states' [rows, G] (and in hrac
        files 'role_attention' [rows, R, R]) is added from global_state_index when
        with_global_states (zeros where the index is -1), and 'file' (the
        file's position in paths) always. Sequential order is file by file, row by row; shuffled
        order is a permutation fixed by seed: every row exactly once per pass."""
        keys = DECISION_KEYS if keys is None else list(keys)
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        if block_rows is None:
            chunks = self.files[0]["actions"].chunks
            block_rows = chunks[0] if chunks else 1024
        blocks = [(i, start, min(start + block_rows, n)) for i, n in enumerate(self.rows)
                  for start in range(0, n, block_rows)]
        rng = np.random.default_rng(seed)
        if shuffle:
            blocks = [blocks[j] for j in rng.permutation(len(blocks))]
        window = max(1, window_blocks if shuffle else 1)
        pending = None
        for w in range(0, len(blocks), window):
            parts = [self._read(i, a, b, keys, with_global_states) for i, a, b in blocks[w:w + window]]
            merged = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
            if shuffle:
                order = rng.permutation(len(merged["file"]))
                merged = {k: v[order] for k, v in merged.items()}
            if pending is not None:
                merged = {k: np.concatenate([pending[k], merged[k]]) for k in merged}
            n = len(merged["file"])
            full = n - n % batch_size
            for start in range(0, full, batch_size):
                yield {k: v[start:start + batch_size] for k, v in merged.items()}
            pending = {k: v[full:] for k, v in merged.items()} if full < n else None
        if pending is not None and not drop_last:
            yield pending

    def summary(self):
        lines = []
        for path, f, rows in zip(self.paths, self.files, self.rows):
            episodes = np.unique(f["episode"][:]) if rows else np.array([], dtype=np.uint64)
            agents = np.unique(f["agent"][:]) if rows else np.array([], dtype=np.uint64)
            rewards = f["rewards"][:]
            roles = np.bincount(f["role"][:], minlength=len(self.role_names)) if rows else []
            lines.append(f"{path}: {rows} decisions, {f['global_states'].shape[0]} global states, "
                         f"{len(episodes)} episodes, {len(agents)} agents")
            lines.append("  roles: " + ", ".join(f"{n} {c}" for n, c in zip(self.role_names, roles)))
            if rows:
                lines.append(f"  rewards: mean {rewards.mean():.6g}, min {rewards.min():.6g}, max {rewards.max():.6g}; "
                             f"terminals {int(f['terminals'][:].sum())}, timeouts {int(f['timeouts'][:].sum())}")
            lines.append(f"  observations {f['observations'].shape[1:]}, candidate_features "
                         f"{f['candidate_features'].shape[1:]}, global_states {f['global_states'].shape[1:]}")
            if "role_attention" in f:
                weights = f["role_attention"][:]
                lines.append(f"  role_attention: {weights.shape[0]} cycles, mean (rows: attending role) "
                             + np.array2string(weights.mean(axis=0) if len(weights) else weights.sum(axis=0),
                                               precision=3).replace("\n", ""))
            for name in ["scenario", "seed", "policy", "policy_version", "code_version", "mask_unfit",
                         "reward_assignment"]:
                if name in f.attrs:  # mask_unfit: files since format 1 with the attribute
                    lines.append(f"  {name}: {_attr(f, name)}")
        return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Summarise marlsim trajectory files.")
    parser.add_argument("files", nargs="+")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--batches", type=int, default=0, help="print the shapes of the first N shuffled minibatches")
    args = parser.parse_args(argv)
    try:
        with TrajectorySet(args.files) as data:
            print(data.summary())
            print(f"total: {len(data)} decisions in {len(args.files)} file(s)")
            for i, batch in enumerate(data.minibatches(args.batch_size, shuffle=True)):
                if i >= args.batches:
                    break
                print(f"batch {i}: " + ", ".join(f"{k} {v.shape} {v.dtype}" for k, v in batch.items()))
    except TrajectoryError as e:
        print(f"trajectories.py: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

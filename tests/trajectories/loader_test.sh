#!/usr/bin/env bash
# Writes the synthetic trajectory at 1, 2 and 4 ranks and checks analysis/trajectories.py on it.
# usage: loader_test.sh WRITE_EXAMPLE MPIEXEC SOURCE_DIR
set -euo pipefail
WRITER=$1 MPIEXEC=$2 SRC=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for np in 1 2 4; do
  "$MPIEXEC" -np $np --oversubscribe --allow-run-as-root --bind-to none "$WRITER" "$tmp/traj-$np.h5"
done
/usr/bin/python3 "$SRC/tests/trajectories/test_loader.py" "$SRC" "$tmp" "$tmp/traj-1.h5" "$tmp/traj-2.h5" "$tmp/traj-4.h5"

#!/usr/bin/env bash
# Outputs that cannot be lost or corrupted (issue 9, items 1-4): every output path checked
# before the run, outputs that coincide with each other or an input refused, unique partial
# names, and nothing published unless everything was written.
source "$(dirname "$0")/lib/common.sh"
SCENARIO=$SRC/configs/seed-study.toml
small=(--episodes 1 --quiet --set workload.tasks=50 --policy random)

# 1. Two runs with the same --out at the same time: both succeed, and the file is one
#    run's whole result (same-seed runs are identical, so it equals a run made alone).
"$MARLSIM" run "$SCENARIO" --episodes 3 --quiet --set workload.tasks=2000 --policy random,least-loaded \
  --out "$tmp/alone.h5" >/dev/null || fail "reference run failed"
pids=()
for i in 1 2; do
  "$MARLSIM" run "$SCENARIO" --episodes 3 --quiet --set workload.tasks=2000 --policy random,least-loaded \
    --out "$tmp/shared.h5" >"$tmp/concurrent-$i.txt" 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent run with the same --out failed: $(cat "$tmp"/concurrent-*.txt)"; done
ls "$tmp" | grep -q partial && fail "concurrent runs left partial files: $(ls "$tmp")"
$PY - "$tmp/alone.h5" "$tmp/shared.h5" <<'PY' || fail "the file written by two concurrent runs differs from one run's"
import h5py, numpy, sys
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names = []
a.visit(lambda n: names.append(n) if isinstance(a[n], h5py.Dataset) else None)
for n in names:
    if n.endswith("wall_s") or "wall_us" in n: continue
    assert numpy.array_equal(a[n][()], b[n][()]), n
PY

# 2. A summary JSON that cannot be written: refused before the run, existing results untouched.
echo "earlier results" >"$tmp/keep.h5"
before=$(checksum "$tmp/keep.h5")
mkdir -p "$tmp/adir"
for bad in "$tmp/adir" /proc/marlsim.json "$tmp/no-such-dir/s.json"; do
  expect_error "^marlsim: error: --summary-json: .*$(basename "$bad")" \
    "$MARLSIM" run "$SCENARIO" "${small[@]}" --out "$tmp/keep.h5" --summary-json "$bad"
  [ "$(checksum "$tmp/keep.h5")" = "$before" ] || fail "--summary-json $bad: the existing --out file was changed"
done
if [ "$(id -u)" -ne 0 ]; then  # root writes into read-only folders anyway
  mkdir -p "$tmp/ro" && chmod a-w "$tmp/ro"
  expect_error "--summary-json: $tmp/ro/s.json: cannot create a file in the folder $tmp/ro: Permission denied" \
    "$MARLSIM" run "$SCENARIO" "${small[@]}" --out "$tmp/keep.h5" --summary-json "$tmp/ro/s.json"
fi

# 3. Outputs that coincide with each other or with an input.
expect_error "--summary-json: $tmp/out/r.h5 is also the output of --out" \
  "$MARLSIM" run "$SCENARIO" "${small[@]}" --out "$tmp/out/r.h5" --summary-json "$tmp/out/r.h5"
cp "$SCENARIO" "$tmp/scenario.toml"
sbefore=$(checksum "$tmp/scenario.toml")
expect_error "--out: $tmp/scenario.toml is the input file" "$MARLSIM" run "$tmp/scenario.toml" "${small[@]}" --out "$tmp/scenario.toml"
expect_error "--summary-json: $tmp/./scenario.toml is the input file" \
  "$MARLSIM" run "$tmp/scenario.toml" "${small[@]}" --summary-json "$tmp/./scenario.toml"
[ "$(checksum "$tmp/scenario.toml")" = "$sbefore" ] || fail "the scenario file was overwritten"
expect_error "output.results: $tmp/scenario.toml is the input file" \
  "$MARLSIM" run "$tmp/scenario.toml" "${small[@]}" --set "output.results=\"$tmp/scenario.toml\""

# 4. Unwritable output paths: exit 2 before the run, one line naming the path and the reason.
expect_error "--out: $tmp/adir is a folder" "$MARLSIM" run "$SCENARIO" "${small[@]}" --out "$tmp/adir"
expect_error "--out: $tmp/out/x/ is a folder" "$MARLSIM" run "$SCENARIO" "${small[@]}" --out "$tmp/out/x/"
expect_error "--out: /proc/r.h5: cannot create a file in the folder /proc" "$MARLSIM" run "$SCENARIO" "${small[@]}" --out /proc/r.h5
expect_error "--out: /dev/null exists and is not a regular file" "$MARLSIM" run "$SCENARIO" "${small[@]}" --out /dev/null
mkdir -p "$tmp/x.h5.partial"  # a folder where the old fixed partial name would go: no longer in the way
"$MARLSIM" run "$SCENARIO" "${small[@]}" --out "$tmp/x.h5" >/dev/null || fail "--out with X.partial a folder failed"
[ -f "$tmp/x.h5" ] || fail "no results with X.partial a folder"
rmdir "$tmp/x.h5.partial"
# The same checks at 2 ranks: one line (rank 0), exit 2.
expect_error "--out: $tmp/adir is a folder" "${MPIRUN[@]}" -np 2 "$MARLSIM" run "$SCENARIO" "${small[@]}" --out "$tmp/adir"
expect_error "--summary-json: $tmp/adir is a folder" \
  "${MPIRUN[@]}" -np 2 "$MARLSIM" phold --lps 64 --end 10 --summary-json "$tmp/adir"

# A successful run publishes every output and leaves no partial file.
"${MPIRUN[@]}" -np 2 "$MARLSIM" run "$SCENARIO" "${small[@]}" --out "$tmp/keep.h5" --summary-json "$tmp/s.json" \
  >/dev/null || fail "2-rank run failed"
[ "$(checksum "$tmp/keep.h5")" != "$before" ] && [ -s "$tmp/s.json" ] || fail "outputs not published"
ls "$tmp" | grep -q partial && fail "partial files left: $(ls "$tmp")"
echo "outputs CLI: all checks passed"

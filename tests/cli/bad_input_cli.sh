#!/usr/bin/env bash
# Every bad input a clear error (issue 9, items 6-8): exit 2, one line naming the option,
# key or file and what was expected, no output written.
source "$(dirname "$0")/lib/common.sh"
SCENARIO=$SRC/configs/seed-study.toml
run=("$MARLSIM" run "$SCENARIO" --episodes 1 --quiet --out "$tmp/out/r.h5" --summary-json "$tmp/out/s.json")
phold=("$MARLSIM" phold --summary-json "$tmp/out/p.json")

# 6. Unbounded inputs: bounded, or refused by an up-front memory estimate naming the key.
expect_error 'burst_multiplier: expected a multiplier from 0 to 1000, got 10000000' \
  "${run[@]}" --set workload.profile.burst_multiplier=1e7
expect_error 'bursts\[0\]\.multiplier: expected a multiplier from 0 to 1000, got 4294967296' \
  "${run[@]}" --set 'workload.profile.bursts=[{start_s = 0, duration_s = 10, multiplier = 4294967296}]'
expect_error 'cluster.nodes: this run needs about [0-9.e+]+ GB of memory \(1000000000 nodes' \
  "${run[@]}" --set cluster.nodes=1e9
expect_error 'workload.tasks: this run needs about [0-9.e+]+ GB of memory \(100 nodes, 1000000000000 tasks\)' \
  "${run[@]}" --set workload.tasks=1e12
expect_error 'cluster.nodes: this run needs about [0-9]+ GB of memory \(100000 nodes that each keep a view of every node' \
  "${run[@]}" --set cluster.nodes=100000 --set scheduler.topology=decentralized --set scheduler.sharing=global
# One episode of 1e7 tasks fits (~5.5 GB); 64 of them side by side (run.batch_episodes) do not.
expect_error 'run.batch_episodes: this run needs about [0-9.e+]+ GB of memory \(64 episodes side by side, each of 100 nodes, 10000000 tasks\)' \
  "$MARLSIM" run "$SCENARIO" --episodes 64 --batch-episodes 64 --quiet --set workload.tasks=1e7
# srun's direct launch (no mpirun variables): a single-rank run counts the ranks Slurm puts on
# the machine, each with its own copy of the program, task cache and buffers.
expect_error "^marlsim: error: $SCENARIO: workload.tasks: this run needs about [0-9.e+]+ GB of memory \\(100 nodes, 10000000 tasks, 1000 ranks on this machine\\)" \
  env -u OMPI_COMM_WORLD_LOCAL_SIZE -u MPI_LOCALNRANKS SLURM_STEP_TASKS_PER_NODE='1000(x2)' \
  "${run[@]}" --set workload.tasks=1e7
# A batch script's own process (sbatch --ntasks-per-node, no srun step) is one rank: counted as
# 1000 ranks, their programs alone (25 MiB each) would exceed the machine and refuse this run.
env -u OMPI_COMM_WORLD_LOCAL_SIZE -u MPI_LOCALNRANKS -u SLURM_STEP_TASKS_PER_NODE SLURM_NTASKS_PER_NODE=1000 \
  "${run[@]}" --set workload.tasks=20 >/dev/null || fail "sbatch's SLURM_NTASKS_PER_NODE was counted as ranks"
expect_error '^marlsim: error: --population: this run needs about [0-9.e+]+ GB of memory \(1024 LPs x 4294967295 events\)' \
  "${phold[@]}" --population 4294967295

# 7. Options: a lookahead below the clock's 1 ns, negative seeds, seeds beyond 2^63 - 1.
expect_error '^marlsim: error: --lookahead: expected at least 1e-09 s \(1 ns' "${phold[@]}" --lookahead 1e-12
expect_error '^marlsim: error: --seed: expected a seed from 0 to 9223372036854775807 \(2\^63 - 1\), got -5' "${phold[@]}" --seed -5
expect_error '^marlsim: error: --seed: expected a seed from 0 to 9223372036854775807 \(2\^63 - 1\), got -1' "${run[@]}" --seed -1
expect_error '^marlsim: error: --seed: expected a seed .* got 9223372036854775808' "${run[@]}" --seed 9223372036854775808
"$MARLSIM" run "$SCENARIO" --episodes 1 --quiet --set workload.tasks=20 --seed 9223372036854775807 >/dev/null ||
  fail "the largest seed (2^63 - 1) was refused"

# A checkpoint path given with --set is relative to the working directory, and the error says so.
expect_error 'agents.checkpoint: "no-such-policy.h5" is not a file \(an HDF5 checkpoint, relative to the working directory with --set\)' \
  "${run[@]}" --set agents.checkpoint=no-such-policy.h5

# Rank groups (parallel episodes): negative counts, and more groups than ranks.
expect_error '^marlsim: error: --rank-groups: expected 0 \(automatic\) or a number of rank groups from 1 to the rank count, got -1' \
  "${run[@]}" --rank-groups -1
expect_error 'run.rank_groups: expected an integer >= 0, got -1' "${run[@]}" --set run.rank_groups=-1
expect_error '^marlsim: error: --rank-groups: 2 groups need at least 2 ranks; the run has 1$' "${run[@]}" --rank-groups 2
expect_error "^marlsim: error: $SCENARIO: run.rank_groups: 2 groups need at least 2 ranks; the run has 1 \\(0: automatic\\)$" \
  "${run[@]}" --set run.rank_groups=2
expect_error '^marlsim: error: --rank-groups: 3 groups need at least 3 ranks; the run has 2$' \
  "${MPIRUN[@]}" -np 2 "${run[@]}" --rank-groups 3
# Bad input that only one rank group meets: with seed 1 and 20 tasks, episode 0's last task
# arrives at ~46.9 s and episode 1's at ~29.7 s, so a 40 s warm-up fails episode 1 alone,
# which rank 1 runs (two groups). Every rank stops; rank 0 prints rank 1's line; exit 2.
expect_error "^marlsim: error: $SCENARIO: run.warmup_s: the warm-up \\(40 s\\) outlasts the arrivals of episode 1 \\(last at 29.7335 s\\)" \
  "${MPIRUN[@]}" -np 2 "$MARLSIM" run "$SCENARIO" --episodes 2 --quiet --out "$tmp/out/r.h5" --summary-json \
  "$tmp/out/s.json" --policy random --set workload.tasks=20 --seed 1 --set run.warmup_s=40 --rank-groups 2

# 8. Trace paths that are not trace files, and the Alibaba 2017 machine list blamed on its own file.
mkdir -p "$tmp/traces/folder.swf"
mkfifo "$tmp/traces/fifo.swf"
# Trace scenarios with their path replaced (the scenario's own trace need not exist).
swf=("$MARLSIM" run "$SRC/configs/trace-ricc.toml" --episodes 1 --quiet --out "$tmp/out/r.h5")
expect_error "$tmp/traces/folder.swf: is a folder; expected a trace file" \
  "${swf[@]}" --set "workload.trace.path=\"$tmp/traces/folder.swf\""
expect_error '/dev/zero: is not a regular file \(a device, FIFO or socket\)' \
  "${swf[@]}" --set 'workload.trace.path="/dev/zero"'
expect_error "$tmp/traces/fifo.swf: is not a regular file" \
  "timeout" 20 "${swf[@]}" --set "workload.trace.path=\"$tmp/traces/fifo.swf\""
printf 'task_create_time,end,job,task,n,status,cpu,mem\n10,20,1,1,3,Terminated,50,0.01\n' >"$tmp/traces/batch_task.csv"
ali=("$MARLSIM" run "$SRC/configs/trace-alibaba2017.toml" --episodes 1 --quiet --out "$tmp/out/r.h5"
     --set "workload.trace.path=\"$tmp/traces/batch_task.csv\"")
expect_error "workload.trace.second_path: cluster.source = \"trace\" needs the machine list, and $tmp/traces/server_event.csv does not exist" \
  "${ali[@]}"
: >"$tmp/traces/server_event.csv"
expect_error "$tmp/traces/server_event.csv: no 'add' events in 0 lines: expected the machine list" "${ali[@]}"
printf '0,1,add,,64,0.69,1\n' >"$tmp/traces/server_event.csv"
"$MARLSIM" run "$SRC/configs/trace-alibaba2017.toml" --episodes 1 --quiet \
  --set "workload.trace.path=\"$tmp/traces/batch_task.csv\"" >/dev/null || fail "a valid alibaba2017 trace was refused"
# A trace time beyond the clock names the trace file and line.
printf '1 10 0 100 4 -1 -1 4 100 -1 1 1 1 -1 1 -1 -1 -1\n2 1e12 0 100 4 -1 -1 4 100 -1 1 1 1 -1 1 -1 -1 -1\n' >"$tmp/traces/far.swf"
expect_error "$tmp/traces/far.swf:2: field 2 \(submit time\): 1e\+12 s is beyond the simulator's clock" \
  "${swf[@]}" --set "workload.trace.path=\"$tmp/traces/far.swf\""
# A setting the policy would silently ignore or replace is refused, naming the key and why.
expect_error '^marlsim: error: agents.greedy: only decentralized-ac evaluates greedily; hrac would ignore it' \
  "${run[@]}" --policy hrac --set agents.greedy=true
expect_error '^marlsim: error: agents.greedy: only decentralized-ac evaluates greedily; hierrl would ignore it' \
  "${run[@]}" --policy hierrl --set agents.greedy=true --set scheduler.topology=two-level
expect_error '^marlsim: error: agents.mask_unfit: only decentralized-ac masks unfit candidates; hrac would ignore it' \
  "${run[@]}" --policy hrac --set agents.mask_unfit=true
expect_error '^marlsim: error: agents.mask_unfit: only decentralized-ac masks unfit candidates; hrac would ignore it' \
  "$MARLSIM" train "$SCENARIO" --policy hrac --iterations 1 --quiet --set agents.mask_unfit=true
expect_error '^marlsim: error: agents.mask_unfit: only decentralized-ac masks unfit candidates; hierrl would ignore it' \
  "${run[@]}" --policy hierrl --set agents.mask_unfit=true --set scheduler.topology=two-level
expect_error "^marlsim: error: scheduler.queue: hierrl's low-level agent orders every node's queue, which would replace \"sjf\"" \
  "${run[@]}" --policy hierrl --set scheduler.topology=two-level --set 'scheduler.queue="sjf"'
expect_error "^marlsim: error: scheduler.queue: hierrl's low-level agent" \
  "$MARLSIM" train "$SCENARIO" --policy hierrl --iterations 1 --quiet --set scheduler.topology=two-level \
  --set 'scheduler.queue="sjf"'
echo "bad input CLI: all checks passed"

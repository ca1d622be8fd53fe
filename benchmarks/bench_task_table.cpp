// Task-table lookups (workloads/task_table.hpp), the cluster model's per-event read of a task:
// a whole table against a generated stream replayed in chunks (4,096 tasks a chunk, 64 held),
// over 1,000,000 tasks of configs/seed-study-u80.toml's generator on 100 nodes.
// - sequential: ids in order (the source, the metrics on rank 0): a chunk made once per 4,096;
// - window: ids jumping about a window of 200,000 tasks (tasks in flight: held chunks, hits);
// - scattered: ids jumping about the whole stream (more chunks than held: each miss makes one).
// Counter: lookups_per_s (kIsRate); chunks_made per lookup for the replayed table.
//
//   build/bin/bench_task_table
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "workloads/seed_study_cluster.hpp"
#include "workloads/seed_study_workload.hpp"
#include "workloads/task_table.hpp"

namespace {

using namespace marlsim;

constexpr std::uint64_t kTasks = 1'000'000;

SeedStudyWorkloadConfig workload() {
  SeedStudyWorkloadConfig cfg;
  cfg.tasks = kTasks;
  cfg.target_utilization = 0.8;
  return cfg;
}

const ClusterSpec& cluster() {
  static const ClusterSpec c = [] {
    SeedStudyClusterConfig cc;
    cc.nodes = 100;
    return generate_seed_study_cluster(cc, 1);
  }();
  return c;
}

// Arg 0: whole, 1: replayed. Arg 1: the span the ids jump about (1: sequential).
void BM_task_table_lookup(benchmark::State& state) {
  const bool replayed = state.range(0) == 1;
  const auto span = static_cast<std::uint64_t>(state.range(1));
  static const std::vector<TaskSpec> whole_tasks = generate_seed_study_tasks(workload(), cluster(), 1, 0);
  const TaskTable table = replayed ? seed_study_task_table(workload(), cluster(), 1, 0)
                                   : TaskTable::view(whole_tasks, cluster());
  std::uint64_t id = 0, step = 0;
  double sum = 0;
  for (auto _ : state) {
    // Sequential, or a stride that wanders about [base, base + span) while the base advances.
    const std::uint64_t base = (step / 16) % (kTasks - span + 1);
    id = span == 1 ? step % kTasks : base + (step * 2'654'435'761ull) % span;
    sum += table[id].work_core_s;
    ++step;
  }
  benchmark::DoNotOptimize(sum);
  state.counters["lookups_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                       benchmark::Counter::kIsRate);
  state.counters["chunks_made_per_lookup"] = static_cast<double>(table.chunks_made()) /
                                             static_cast<double>(state.iterations());
}
BENCHMARK(BM_task_table_lookup)
    ->ArgNames({"replayed", "span"})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Args({0, 200'000})
    ->Args({1, 200'000})
    ->Args({0, 1'000'000})
    ->Args({1, 1'000'000});

}  // namespace

BENCHMARK_MAIN();

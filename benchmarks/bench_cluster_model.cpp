// Events/s of the full cluster model: one episode of configs/seed-study-u80.toml (least-loaded,
// centralized, FCFS queues) via run_episode on Communicator(MPI_COMM_SELF), at 100, 1,000
// and 10,000 nodes with 20 tasks per node (100 nodes = the study's 1,000 tasks). The cluster
// and the task stream are built once, outside the timing; the timed part is run_episode
// (LP construction, the run, the gather and the metrics).
//
// Args: {nodes, candidates}: candidates 0 = the central scheduler scores every node (O(N)
// per decision), 16 = power of 16 choices (O(K)).
// Counters: events_per_s (kIsRate, over the whole run_episode), kernel_events_per_s (events
// over the kernel's own wall_s, which leaves out set-up and gather), events, windows.
//
//   build/bin/bench_cluster_model [--benchmark_repetitions=3 --benchmark_report_aggregates_only=true]
//   MARLSIM_SCENARIO=path/to.toml build/bin/bench_cluster_model
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/cluster/episode.hpp"
#include "engine/experiment/comparison.hpp"
#include "engine/experiment/scenario.hpp"
#include "mpi/communicator.hpp"

namespace {

using namespace marlsim;

std::string scenario_path() {
  if (const char* env = std::getenv("MARLSIM_SCENARIO")) return env;
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / "configs" / "seed-study-u80.toml").string();
}

void BM_cluster_episode(benchmark::State& state) {
  const auto nodes = state.range(0);
  const auto candidates = state.range(1);
  const Scenario scenario = load_scenario(
      scenario_path(), {"cluster.nodes=" + std::to_string(nodes), "workload.tasks=" + std::to_string(20 * nodes),
                        "scheduler.candidates=" + std::to_string(candidates)});
  const ClusterSpec cluster = build_cluster(scenario, nullptr);
  const std::vector<TaskSpec> tasks = build_tasks(scenario, cluster, nullptr, 0);
  const Communicator self(MPI_COMM_SELF);
  const TaskTable table = TaskTable::view(tasks, cluster);
  const EpisodeInput input{&scenario, &cluster, &table, "least-loaded", 0};

  double events = 0, kernel_wall = 0, windows = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const EpisodeResult r = run_episode(self, input);
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (r.metrics.completed != tasks.size()) state.SkipWithError("episode left tasks unfinished");
    events += static_cast<double>(r.metrics.events);
    kernel_wall += r.metrics.wall_s;
    windows += static_cast<double>(r.metrics.windows);
    benchmark::DoNotOptimize(r.checksum);
  }
  const auto iters = static_cast<double>(state.iterations());
  state.counters["events_per_s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["kernel_events_per_s"] = kernel_wall > 0 ? events / kernel_wall : 0.0;
  state.counters["events"] = events / iters;
  state.counters["windows"] = windows / iters;
}

BENCHMARK(BM_cluster_episode)
    ->ArgNames({"nodes", "candidates"})
    ->Args({100, 0})
    ->Args({1000, 0})
    ->Args({1000, 16})
    ->Args({10000, 16})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  marlsim::MpiSession mpi(&argc, &argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

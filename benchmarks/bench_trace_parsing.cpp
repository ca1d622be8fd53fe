// Trace parsing throughput (compressed and decompressed MB/s, tasks/s) for every reader on
// the real public traces, and the seed-study generator's tasks/s. A missing trace is
// skipped with a message, not a failure.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

#include "workloads/seed_study_cluster.hpp"
#include "workloads/seed_study_workload.hpp"
#include "workloads/trace_reader.hpp"

using namespace marlsim;

namespace {

std::string trace(const std::string& relative) { return std::string(MARLSIM_SHARED_DIR) + "/traces/" + relative; }

void parse_trace(benchmark::State& state, const char* format, const std::string& path) {
  if (!std::filesystem::exists(path)) {
    state.SkipWithError(("trace not found: " + path).c_str());
    return;
  }
  TraceOptions opt;
  opt.path = path;
  double file_bytes = 0, text_bytes = 0, tasks = 0, lines = 0;
  for (auto _ : state) {
    Workload w = read_trace(format, opt);
    file_bytes += static_cast<double>(w.report.file_bytes);
    text_bytes += static_cast<double>(w.report.text_bytes);
    tasks += static_cast<double>(w.tasks.size());
    lines += static_cast<double>(w.report.lines_read);
    benchmark::DoNotOptimize(w.tasks.data());
  }
  // Rates over the whole run (kIsRate divides by elapsed seconds); bytes in MB (10^6).
  state.counters["compressed_MB_per_s"] = benchmark::Counter(file_bytes / 1e6, benchmark::Counter::kIsRate);
  state.counters["text_MB_per_s"] = benchmark::Counter(text_bytes / 1e6, benchmark::Counter::kIsRate);
  state.counters["lines_per_s"] = benchmark::Counter(lines, benchmark::Counter::kIsRate);
  state.counters["tasks_per_s"] = benchmark::Counter(tasks, benchmark::Counter::kIsRate);
  state.counters["tasks"] = tasks / static_cast<double>(state.iterations());
}

void BM_swf_ricc2010(benchmark::State& s) { parse_trace(s, "swf", trace("pwa_ricc2010/RICC-2010-2.swf.gz")); }
void BM_alibaba2018_dags(benchmark::State& s) {
  parse_trace(s, "alibaba2018", trace("alibaba_v2018_dag/selected_DAGs.csv.gz"));
}
void BM_alibaba2017_batch(benchmark::State& s) {
  parse_trace(s, "alibaba2017", trace("alibaba_v2017/batch_task.csv.gz"));
}
void BM_google2011_part0(benchmark::State& s) { parse_trace(s, "google2011", trace("google2011_part0")); }

// One seed-study episode of state.range(0) tasks at 80 % target utilization per iteration.
void generate_episodes(benchmark::State& state, SeedStudyWorkloadConfig cfg) {
  cfg.tasks = static_cast<std::uint64_t>(state.range(0));
  cfg.target_utilization = 0.8;
  const ClusterSpec cluster = generate_seed_study_cluster({}, 1);
  std::uint64_t episode = 0;
  for (auto _ : state) {
    auto tasks = generate_seed_study_tasks(cfg, cluster, 1, episode++);
    benchmark::DoNotOptimize(tasks.data());
  }
  state.counters["tasks_per_s"] = benchmark::Counter(
      static_cast<double>(cfg.tasks) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_seed_study_generator(benchmark::State& state) { generate_episodes(state, {}); }

// The same with a diurnal cycle and Poisson bursts (arrivals by thinning).
void BM_seed_study_generator_dynamic(benchmark::State& state) {
  SeedStudyWorkloadConfig cfg;
  cfg.profile.diurnal_amplitude = 0.5;
  cfg.profile.diurnal_period_s = 3600;
  cfg.profile.burst_rate_per_s = 1.0 / 1800;
  cfg.profile.burst_mean_duration_s = 120;
  generate_episodes(state, cfg);
}

void BM_seed_study_cluster(benchmark::State& state) {
  SeedStudyClusterConfig cfg;
  cfg.nodes = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(generate_seed_study_cluster(cfg, 1).nodes.data());
  state.counters["nodes_per_s"] = benchmark::Counter(
      static_cast<double>(cfg.nodes) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_swf_ricc2010)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_alibaba2018_dags)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_alibaba2017_batch)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_google2011_part0)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_seed_study_generator)->Arg(1000)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_seed_study_generator_dynamic)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_seed_study_cluster)->Arg(100)->Arg(10000)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();

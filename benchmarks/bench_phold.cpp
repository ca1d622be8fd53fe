// Sequential PHOLD on the kernel: run_phold over MPI_COMM_SELF (one rank, one window),
// reporting committed events per second of the run phase, as ROSS reports its event rate.
//
// Arguments: LPs, remote fraction in %, lookahead in ms, mean in ms. marlsim's delay is
// lookahead + Exp(mean - lookahead) (mean delay = --mean); ROSS 8's models/phold sends after
// Exp(mean) + lookahead (mean delay = mean + lookahead). Both conventions are run: "mean 1000"
// is marlsim's --mean 1.0, "mean 1100" / "mean 2000" reproduce ROSS's delays for its
// --mean=1.0 with lookahead 0.1 / 1.0.
//
//   build-bench/bin/bench_phold --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>

#include "engine/phold/phold.hpp"
#include "mpi/communicator.hpp"

using namespace marlsim;

namespace {

// Each run commits about this many events (LPs x end time / mean delay), so small and large
// LP counts take a similar time and the timer sees whole runs of ~0.1-0.3 s.
constexpr double kEventsPerRun = 2.0e6;

void BM_phold_sequential(benchmark::State& state) {
  PholdConfig config;
  config.lps = static_cast<std::uint64_t>(state.range(0));
  config.remote_fraction = static_cast<double>(state.range(1)) / 100.0;
  config.lookahead_s = static_cast<double>(state.range(2)) / 1000.0;
  config.mean_delay_s = static_cast<double>(state.range(3)) / 1000.0;
  config.end_time_s = std::max(10.0 * config.mean_delay_s,
                               kEventsPerRun * config.mean_delay_s / static_cast<double>(config.lps));
  config.seed = 1;
  const Communicator self(MPI_COMM_SELF);

  std::uint64_t events = 0;
  double seconds = 0;
  for (auto _ : state) {
    const PholdResult result = run_phold(self, config);
    benchmark::DoNotOptimize(result.checksum);
    events += result.stats.events;
    seconds += result.stats.wall_s;
    state.SetIterationTime(result.stats.wall_s);  // the run phase, without building the LPs
  }
  state.counters["events/s"] = seconds > 0 ? static_cast<double>(events) / seconds : 0.0;
  state.counters["events/run"] = static_cast<double>(events) / static_cast<double>(state.iterations());
}

void configs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"lps", "remote%", "lookahead_ms", "mean_ms"});
  for (std::int64_t lps : {8, 1024, 2048, 65536}) {
    for (std::int64_t remote : {25, 10}) {
      b->Args({lps, remote, 100, 1000});   // marlsim --lookahead 0.1 --mean 1.0
      b->Args({lps, remote, 1000, 1000});  // marlsim --lookahead 1.0 --mean 1.0 (every delay exactly 1 s)
      b->Args({lps, remote, 100, 1100});   // ROSS --lookahead=0.1 --mean=1.0
      b->Args({lps, remote, 1000, 2000});  // ROSS defaults: --lookahead=1.0 --mean=1.0
    }
  }
}

}  // namespace

BENCHMARK(BM_phold_sequential)->Apply(configs)->UseManualTime()->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  MpiSession mpi(&argc, &argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

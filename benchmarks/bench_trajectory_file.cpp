// Trajectory file throughput (mpi/hdf5/trajectory_file.hpp): decisions per second and MB/s for
// a 50-float observation with K = 16 candidates x 8 features, a 64-float global state every 8
// decisions, flushed every `rows_per_flush` rows per rank (one flush = one episode), file create
// to rename included. Files go to /tmp and are deleted after each run.
//
//   build/bin/bench_trajectory_file --benchmark_counters_tabular=true
//   mpirun -np 2 --oversubscribe --allow-run-as-root --bind-to none build/bin/bench_trajectory_file
//     --benchmark_filter=File --benchmark_counters_tabular=true   (one line; only rank 0 prints;
//     rows/s and MB/s count all ranks' rows)
//
// BM_Buffer times append() + set_outcome() alone (the cost a simulation pays per decision),
// BM_File the whole pipeline. MB = 10^6 bytes of dataset contents (what h5py reads back).
#include <benchmark/benchmark.h>
#include <hdf5.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "benchmarks/bench_support.hpp"
#include "mpi/communicator.hpp"
#include "mpi/hdf5/trajectory_file.hpp"

namespace {

constexpr std::size_t kObs = 50, kCandidates = 16, kFeatures = 8, kGlobal = 64, kDecisionsPerCycle = 8;
constexpr std::size_t kRowsPerRank = 1 << 16;  // 65,536 decisions per rank per file

// Bytes of one decision row in the file: observations, candidate features, mask, and the 1-D
// columns (actions, rewards, terminals, timeouts, episode, time_s, agent, role, count, log_prob,
// value, global_state_index, policy_version).
constexpr std::size_t kRowBytes = 4 * kObs + 4 * kCandidates * kFeatures + kCandidates +
                                  (4 + 4 + 1 + 1 + 8 + 8 + 8 + 1 + 4 + 4 + 4 + 8 + 4);
constexpr std::size_t kStateBytes = 4 * kGlobal + 8 + 8;

marlsim::TrajectorySettings settings(int gzip) {
  marlsim::TrajectorySettings s;
  s.observation_dim = kObs;
  s.max_candidates = kCandidates;
  s.candidate_feature_dim = kFeatures;
  s.global_state_dim = kGlobal;
  s.role_names = {"worker"};
  s.scenario = "bench";
  s.policy = "bench";
  s.reward_assignment = "bench";
  s.gzip_level = gzip;
  return s;
}

// A pool of random rows (random floats are gzip's worst case, as in bench_results_file); row i
// of an episode takes pool row i % kPool, so consecutive rows differ.
constexpr std::size_t kPool = 4096;
struct Inputs {
  std::vector<float> observations, features, states;
  Inputs() {
    std::mt19937 rng(12345);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (std::size_t i = 0; i < kPool * kObs; ++i) observations.push_back(normal(rng));
    for (std::size_t i = 0; i < kPool * kCandidates * kFeatures; ++i) features.push_back(normal(rng));
    for (std::size_t i = 0; i < kPool * kGlobal; ++i) states.push_back(normal(rng));
  }
  std::span<const float> observation(std::size_t i) const { return row(observations, i, kObs); }
  std::span<const float> candidates(std::size_t i) const { return row(features, i, kCandidates * kFeatures); }
  std::span<const float> state(std::size_t i) const { return row(states, i, kGlobal); }
  static std::span<const float> row(const std::vector<float>& v, std::size_t i, std::size_t width) {
    return std::span<const float>(v).subspan((i % kPool) * width, width);
  }
};

// Appends `rows` decisions (and their global states) with outcomes, as one episode would.
void append_episode(marlsim::TrajectoryWriter& out, const Inputs& in, std::size_t rows, std::uint64_t episode) {
  marlsim::TrajectoryDecision d;
  d.episode = episode;
  d.candidate_count = kCandidates;
  for (std::size_t i = 0; i < rows; ++i) {
    if (i % kDecisionsPerCycle == 0)
      d.global_state = out.append_global_state(episode, static_cast<double>(i), in.state(i / kDecisionsPerCycle));
    d.observation = in.observation(i);
    d.candidate_features = in.candidates(i);
    d.agent = i % 100;
    d.time_s = static_cast<double>(i);
    d.action = static_cast<std::int32_t>(i % kCandidates);
    const auto row = out.append(d);
    out.set_outcome(row, 1.0f, false);
  }
}

void set_counters(benchmark::State& state, std::size_t rows_per_iteration) {
  const double rows = static_cast<double>(state.iterations()) * static_cast<double>(rows_per_iteration);
  const double bytes = rows * (kRowBytes + static_cast<double>(kStateBytes) / kDecisionsPerCycle);
  state.counters["rows/s"] = benchmark::Counter(rows, benchmark::Counter::kIsRate);
  state.counters["MB/s"] = benchmark::Counter(bytes / 1e6, benchmark::Counter::kIsRate);
}

// append() + set_outcome() per decision, no file I/O (flushes are outside the timed region).
void BM_Buffer(benchmark::State& state) {
  const Inputs in;
  marlsim::Communicator self{MPI_COMM_SELF};
  const std::string path = "/tmp/marlsim-bench-traj-buffer-" + std::to_string(::getpid()) + ".h5";
  marlsim::TrajectoryWriter out(path, self, settings(0));
  for (auto _ : state) {
    append_episode(out, in, 1024, 0);
    state.PauseTiming();
    out.flush();
    state.ResumeTiming();
  }
  set_counters(state, 1024);
  // Dropped without close(): the partial file is removed.
}

// The whole file: range(0) rows per flush per rank, range(1) gzip level.
void BM_File(benchmark::State& state) {
  const auto rows_per_flush = static_cast<std::size_t>(state.range(0));
  const Inputs in;
  marlsim::Communicator comm;
  std::string path = "/tmp/marlsim-bench-traj-" + std::to_string(::getpid()) + ".h5";
  comm.broadcast(path);
  for (auto _ : state) {
    marlsim::TrajectoryWriter out(path, comm, settings(static_cast<int>(state.range(1))));
    for (std::size_t done = 0; done < kRowsPerRank; done += rows_per_flush) {
      append_episode(out, in, rows_per_flush, done / rows_per_flush);
      out.flush();
    }
    out.close();
  }
  if (comm.is_root()) std::remove(path.c_str());
  set_counters(state, kRowsPerRank * static_cast<std::size_t>(comm.size()));
}

}  // namespace

BENCHMARK(BM_Buffer)->Iterations(200)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_File)
    ->ArgNames({"rows_per_flush", "gzip"})
    ->ArgsProduct({{1024, 16384}, {0}})
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_File)
    ->ArgNames({"rows_per_flush", "gzip"})
    ->Args({16384, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

int main(int argc, char** argv) {
  marlsim::MpiSession mpi(&argc, &argv);  // parallel HDF5 needs MPI even on one rank
  marlsim::Communicator world;
  if (!world.is_root() && std::freopen("/dev/null", "w", stdout) == nullptr) return 1;
  benchmark::Initialize(&argc, argv);
  marlsim::bench::add_cpu_model_context();
  benchmark::AddCustomContext("hdf5", H5_VERS_INFO);
  benchmark::AddCustomContext("ranks", std::to_string(world.size()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

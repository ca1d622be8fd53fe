// Write bandwidth of ResultsFile against a raw write() of the same bytes (the ceiling on this
// machine), for trajectory-like appends (one call per window of decisions), gzip-1 and the
// indexed per-task writes. Files go to /tmp and are deleted after each iteration.
//
//   build/bin/bench_results_file --benchmark_counters_tabular=true
//
// Each benchmark reports MB/s (10^6 bytes per second of wall time, file create to close
// included) and, when the raw benchmark with the same bytes per call ran first, x_raw: the
// fraction of the raw write() rate reached (same calls, same bytes, same run).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "benchmarks/bench_support.hpp"
#include "mpi/communicator.hpp"
#include "mpi/hdf5/results_file.hpp"

namespace {

constexpr std::size_t kTotalBytes = std::size_t{64} << 20;  // 64 MiB per file

std::string temp_file(const char* tag) {
  return "/tmp/marlsim-bench-" + std::to_string(::getpid()) + "-" + tag + ".h5";
}

// Random floats: the worst case for gzip (REFERENCE-FIGURES quotes ~35 MB/s on random data).
const std::vector<float>& random_floats() {
  static const std::vector<float> data = [] {
    std::vector<float> v(kTotalBytes / sizeof(float));
    std::mt19937 rng(12345);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (float& x : v) x = normal(rng);
    return v;
  }();
  return data;
}

// MB/s of raw write() by bytes per call, filled by BM_RawWrite for the ratio counters.
std::map<std::size_t, double>& raw_rate() {
  static std::map<std::size_t, double> rates;
  return rates;
}

// Wall time of the timed loop, kept by hand so the ratio to raw write() can be computed here.
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// MB/s as a Google Benchmark rate counter, plus x_raw = this rate / raw write() rate.
double report(benchmark::State& state, std::size_t bytes_per_iteration, std::size_t bytes_per_call,
              double wall_seconds) {
  const double mb = static_cast<double>(state.iterations()) * static_cast<double>(bytes_per_iteration) / 1e6;
  state.counters["MB/s"] = benchmark::Counter(mb, benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes_per_iteration));
  const double rate = mb / wall_seconds;
  if (auto it = raw_rate().find(bytes_per_call); it != raw_rate().end()) state.counters["x_raw"] = rate / it->second;
  return rate;
}

// The ceiling: the same bytes through write() in calls of the same size, then close().
void BM_RawWrite(benchmark::State& state) {
  const auto bytes_per_call = static_cast<std::size_t>(state.range(0));
  const std::string path = temp_file("raw");
  const auto* bytes = reinterpret_cast<const char*>(random_floats().data());
  const auto start = Clock::now();
  for (auto _ : state) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) throw std::runtime_error("cannot open " + path);
    for (std::size_t done = 0; done < kTotalBytes; done += bytes_per_call) {
      if (::write(fd, bytes + done, std::min(bytes_per_call, kTotalBytes - done)) < 0)
        throw std::runtime_error("write failed");
    }
    ::close(fd);
  }
  const double wall = seconds_since(start);
  std::remove(path.c_str());
  raw_rate()[bytes_per_call] = report(state, kTotalBytes, bytes_per_call, wall);
}

// Appends of float rows: range(0) rows per call (one window), range(1) row width (1 = 1-D
// column, 64 = observation vectors), range(2) gzip level.
void BM_Append(benchmark::State& state) {
  const auto rows_per_call = static_cast<std::size_t>(state.range(0));
  const auto width = static_cast<std::size_t>(state.range(1));
  marlsim::ResultsFileSettings settings;
  settings.gzip_level = static_cast<int>(state.range(2));
  const std::string path = temp_file("append");
  const std::vector<float>& data = random_floats();
  const std::size_t values_per_call = rows_per_call * width;
  const auto start = Clock::now();
  for (auto _ : state) {
    marlsim::ResultsFile out(path, marlsim::Communicator{}, settings);
    for (std::size_t first = 0; first < data.size(); first += values_per_call) {
      std::span<const float> window(data.data() + first, std::min(values_per_call, data.size() - first));
      if (width == 1) {
        out.append("/trajectory/value", window);
      } else {
        out.append_rows("/trajectory/observation", window, width);
      }
    }
    out.close();
  }
  const double wall = seconds_since(start);
  std::remove(path.c_str());
  report(state, kTotalBytes, values_per_call * sizeof(float), wall);
}

// Per-task metrics: range(0) rows of float64 at their task id, given in a shuffled order
// (range(1) = 1) or already sorted (0). The whole column is one call.
void BM_WriteIndexed(benchmark::State& state) {
  const auto rows = static_cast<std::uint64_t>(state.range(0));
  std::vector<std::uint64_t> index(rows);
  std::iota(index.begin(), index.end(), 0);
  if (state.range(1) != 0) std::shuffle(index.begin(), index.end(), std::mt19937_64(7));
  std::vector<double> values(index.begin(), index.end());
  const std::string path = temp_file("indexed");
  const auto start = Clock::now();
  for (auto _ : state) {
    marlsim::ResultsFile out(path, marlsim::Communicator{});
    out.write_indexed("/tasks/wait_s", rows, index, values, -1.0);
    out.close();
  }
  const double wall = seconds_since(start);
  std::remove(path.c_str());
  report(state, rows * sizeof(double), rows * sizeof(double), wall);
}

// The alternative not taken for write_indexed: hand the shuffled coordinates to HDF5 as a
// point selection (H5Sselect_elements) through the same MPI-IO driver and collective mode.
void BM_PointSelectionBaseline(benchmark::State& state) {
  const auto rows = static_cast<std::uint64_t>(state.range(0));
  std::vector<hsize_t> index(rows);
  std::iota(index.begin(), index.end(), 0);
  std::shuffle(index.begin(), index.end(), std::mt19937_64(7));
  std::vector<double> values(index.begin(), index.end());
  const std::string path = temp_file("points");
  const auto start = Clock::now();
  for (auto _ : state) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL);
    hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    const hsize_t dims[1] = {rows};
    hid_t space = H5Screate_simple(1, dims, nullptr);
    hid_t dataset = H5Dcreate2(file, "/wait_s", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t xfer = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(xfer, H5FD_MPIO_COLLECTIVE);
    H5Sselect_elements(space, H5S_SELECT_SET, rows, index.data());
    hid_t memory = H5Screate_simple(1, dims, nullptr);
    if (H5Dwrite(dataset, H5T_NATIVE_DOUBLE, memory, space, xfer, values.data()) < 0)
      throw std::runtime_error("point-selection write failed");
    for (hid_t p : {xfer, fapl}) H5Pclose(p);
    for (hid_t s : {memory, space}) H5Sclose(s);
    H5Dclose(dataset);
    H5Fclose(file);
  }
  const double wall = seconds_since(start);
  std::remove(path.c_str());
  report(state, rows * sizeof(double), rows * sizeof(double), wall);
}

}  // namespace

// Raw write() for every bytes-per-call used below, so each HDF5 line gets its ratio.
BENCHMARK(BM_RawWrite)
    ->Arg(1024 * 4)
    ->Arg(65536 * 4)  // also 1024 rows of width 64
    ->Arg(65536 * 64 * 4)
    ->Arg(std::int64_t{1} << 20 << 3)
    ->Arg(std::int64_t{8} << 20 << 3)
    ->Iterations(5)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Append)
    ->ArgNames({"rows_per_call", "width", "gzip"})
    ->ArgsProduct({{1024, 65536}, {1, 64}, {0}})
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Append)
    ->ArgNames({"rows_per_call", "width", "gzip"})
    ->ArgsProduct({{1024, 65536}, {1, 64}, {1}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_WriteIndexed)
    ->ArgNames({"rows", "shuffled"})
    ->ArgsProduct({{1 << 20, 8 << 20}, {0, 1}})
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_PointSelectionBaseline)
    ->ArgNames({"rows"})
    ->Arg(1 << 20)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

int main(int argc, char** argv) {
  marlsim::MpiSession mpi(&argc, &argv);  // parallel HDF5 needs MPI even on one rank
  benchmark::Initialize(&argc, argv);
  marlsim::bench::add_cpu_model_context();
  benchmark::AddCustomContext("hdf5", H5_VERS_INFO);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

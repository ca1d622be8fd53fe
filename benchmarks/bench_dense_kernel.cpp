// The bit-exact dense kernel (agents/nn/dense_kernel.hpp) against Eigen's own float product
// on the same shapes, both measured in each iteration of the same benchmark so that the ratio
// sees the same machine load.
//
//   BM_dense_vs_eigen/<in>/<out>/<batch>/<threads>: one dense_forward (identity activation,
//     bias included) and one Eigen `Y.noalias() = X * W` (no bias) per iteration. Time is the
//     kernel's. Counters: kernel_GFLOPs and eigen_GFLOPs (2 * batch * in * out per call) and
//     kernel_vs_eigen (their ratio; the target is >= 0.7 at batch >= 1,024).
//   BM_dense_simd_level/<level>/<in>/<out>/<batch>: the kernel alone on 1 thread at each SIMD
//     level (0 portable, 1 AVX2, 2 AVX-512): what the run-time choice buys.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <chrono>

#include "agents/nn/dense_kernel.hpp"
#include "benchmarks/bench_support.hpp"

using namespace marlsim::nn;
using Eigen::Index;
using marlsim::bench::random_matrix;

namespace {

struct Problem {
  RowMatrixF x, w, y, y_eigen;
  Eigen::RowVectorXf b;
  Problem(Index batch, Index in, Index out)
      : x(random_matrix(batch, in, 1)),
        w(random_matrix(in, out, 2)),
        y(batch, out),
        y_eigen(batch, out),
        b(random_matrix(1, out, 3)) {}
  double flops() const { return 2.0 * static_cast<double>(x.rows() * x.cols() * w.cols()); }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void BM_dense_vs_eigen(benchmark::State& state) {
  const Index in = state.range(0), out = state.range(1), batch = state.range(2);
  const int threads = static_cast<int>(state.range(3));
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(threads);
  Problem p(batch, in, out);
  double kernel_s = 0, eigen_s = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    dense_forward(p.x, p.w, p.b, Activation::Identity, p.y);
    benchmark::DoNotOptimize(p.y.data());
    const double k = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    p.y_eigen.noalias() = p.x * p.w;
    benchmark::DoNotOptimize(p.y_eigen.data());
    eigen_s += seconds_since(t0);
    kernel_s += k;
    state.SetIterationTime(k);
  }
  omp_set_num_threads(saved_threads);
  const double n = static_cast<double>(state.iterations());
  state.counters["kernel_GFLOPs"] = p.flops() * n / kernel_s * 1e-9;
  state.counters["eigen_GFLOPs"] = p.flops() * n / eigen_s * 1e-9;
  state.counters["kernel_vs_eigen"] = eigen_s / kernel_s;
}

void BM_dense_simd_level(benchmark::State& state) {
  const auto level = static_cast<SimdLevel>(state.range(0));
  if (!simd_level_supported(level)) {
    state.SkipWithError("SIMD level not supported on this CPU");
    return;
  }
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(1);
  Problem p(state.range(3), state.range(1), state.range(2));
  for (auto _ : state) {
    dense_forward(p.x, p.w, p.b, Activation::Identity, p.y, level);
    benchmark::DoNotOptimize(p.y.data());
  }
  omp_set_num_threads(saved_threads);
  state.counters["GFLOPs"] = benchmark::Counter(p.flops() * static_cast<double>(state.iterations()) * 1e-9,
                                                benchmark::Counter::kIsRate);
  state.SetLabel(std::string(simd_level_name(level)));
}

// The study's 50 -> 128 and 128 -> 128 layers and 128 -> 1 heads, a centralized critic's
// 512 -> 256 and 256 -> 256.
void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"in", "out", "batch", "threads"});
  for (auto [in, out] : {std::pair{50, 128}, {128, 128}, {128, 1}, {512, 256}, {256, 256}})
    for (int threads : {1, 2})
      for (int batch : {1, 4, 16, 64, 256, 1024, 4096}) b->Args({in, out, batch, threads});
}

}  // namespace

BENCHMARK(BM_dense_vs_eigen)->Apply(shapes)->UseManualTime()->MinTime(0.2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_dense_simd_level)
    ->ArgNames({"level", "in", "out", "batch"})
    ->ArgsProduct({{0, 1, 2}, {128}, {128}, {1, 1024}})
    ->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();

// The actor-critic forward (agents/nn/actor_critic_network.hpp) on the study's shapes (20 own +
// 30 candidate features = 50 -> 128 ReLU -> 1 scorer, 20 -> 128 -> 1 value head), K = 16
// candidates per request, against Eigen's own float products on the same layer shapes, both
// measured in each iteration so the ratio sees the same machine load.
//
//   BM_actor_critic/<requests>/<threads>/<sample>: one batched forward per iteration (with a
//     uniform draw per request when sample = 1). Counters: decisions_per_s, GFLOPs (2 * rows *
//     in * out summed over the layers of both networks), eigen_GFLOPs (the same products as
//     plain `Y.noalias() = X * W`, no bias, activation, softmax or sampling) and vs_eigen
//     (their ratio; the target is >= 0.7 at >= 1,024 requests; batch 1 target is
//     >= 480,000 decisions/s).
#include <benchmark/benchmark.h>
#include <omp.h>

#include <chrono>
#include <random>
#include <vector>

#include "agents/nn/actor_critic_network.hpp"

using namespace marlsim::nn;
using Eigen::Index;

namespace {

constexpr Index kCandidates = 16;
const ActorCriticSettings kStudy{20, 30, {128}, {Activation::Relu}};  // the study's ReLU

RowMatrixF random_matrix(Index rows, Index cols, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  RowMatrixF m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = u(gen);
  return m;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The same products as the network's layers, as plain Eigen GEMMs.
struct EigenProducts {
  std::vector<RowMatrixF> inputs, weights, outputs;
  void add(Index rows, const DenseLayer& layer, unsigned seed) {
    inputs.push_back(random_matrix(rows, layer.weights.rows(), seed));
    weights.push_back(layer.weights);
    outputs.emplace_back(rows, layer.weights.cols());
  }
  void run() {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      outputs[i].noalias() = inputs[i] * weights[i];
      benchmark::DoNotOptimize(outputs[i].data());
    }
  }
  double flops() const {
    double f = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i)
      f += 2.0 * static_cast<double>(inputs[i].rows() * inputs[i].cols() * weights[i].cols());
    return f;
  }
};

void BM_actor_critic(benchmark::State& state) {
  const Index requests = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  const bool sample = state.range(2) != 0;
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(threads);
  const ActorCriticNetwork net(kStudy, 1);
  DecisionBatch batch;
  batch.own = random_matrix(requests, kStudy.own_features, 2);
  batch.candidates = random_matrix(requests * kCandidates, kStudy.candidate_features, 3);
  for (Index r = 0; r <= requests; ++r) batch.offsets.push_back(r * kCandidates);
  if (sample) batch.uniforms.assign(static_cast<std::size_t>(requests), 0.5);
  EigenProducts eigen;
  for (const DenseLayer& layer : net.actor_layers()) eigen.add(requests * kCandidates, layer, 4);
  for (const DenseLayer& layer : net.value_layers()) eigen.add(requests, layer, 5);
  double net_s = 0, eigen_s = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    DecisionOutputs out = net.forward(batch);
    benchmark::DoNotOptimize(out.probabilities.data());
    net_s += seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    eigen.run();
    eigen_s += seconds_since(t0);
  }
  const auto n = static_cast<double>(state.iterations());
  state.counters["decisions_per_s"] = static_cast<double>(requests) * n / net_s;
  state.counters["GFLOPs"] = eigen.flops() * n / net_s * 1e-9;
  state.counters["eigen_GFLOPs"] = eigen.flops() * n / eigen_s * 1e-9;
  state.counters["vs_eigen"] = eigen_s / net_s;
  omp_set_num_threads(saved_threads);
}

void Args(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2})
    for (int sample : {0, 1})
      for (int requests : {1, 4, 16, 64, 256, 1024, 4096}) b->Args({requests, threads, sample});
}

}  // namespace

BENCHMARK(BM_actor_critic)->Apply(Args)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();

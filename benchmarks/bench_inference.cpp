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
//   BM_policy_decide/<policy>/<requests>: a whole decide() call of a learned policy on one
//     thread (features from the views, hrac's role attention, the forward passes (hrac: one per
//     role), sampling, commits) for requests by nodes of three tiers, K = 9 candidates each, on
//     [agents]' default shapes. Counter: decisions_per_s (hrac next to decentralized-ac: what
//     roles and attention cost). hierrl: its high level (the global scheduler's Q over the
//     candidates; built for the scheduler, which hierrl needs).
//   BM_hierrl_low_select/<queued>: hierrl's low level, one queue selection on a 4-core node
//     with `queued` tasks of 0.5-1 core waiting: picks tasks one at a time (one forward over
//     the fitting tasks per pick) until none fits. Counter: picks_per_s.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <chrono>
#include <string_view>
#include <vector>

#include "agents/nn/actor_critic_network.hpp"
#include "agents/policy_registry.hpp"
#include "agents/queue_discipline.hpp"
#include "benchmarks/bench_support.hpp"

using namespace marlsim::nn;
using Eigen::Index;
using marlsim::ClusterSpec;
using marlsim::ClusterView;
using marlsim::DecisionRequest;
using marlsim::NodeId;
using marlsim::bench::random_matrix;

namespace {

constexpr Index kCandidates = 16;
const ActorCriticSettings kStudy{20, 30, {128}, {Activation::Relu}};  // the study's ReLU

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
      for (int requests : {1, 4, 8, 16, 32, 64, 256, 1024, 4096}) b->Args({requests, threads, sample});
}

// 100 nodes, node i in tier i % 3, loads and report ages varied.
ClusterSpec three_tier_cluster() {
  ClusterSpec c;
  for (int i = 0; i < 100; ++i)
    c.nodes.push_back({static_cast<double>(4 + i % 5 * 6), 16.0 + i % 4 * 24, 0.8 + 0.1 * (i % 5), 0, 0,
                       static_cast<std::uint8_t>(i % 3)});
  c.tier_names = {"high", "medium", "low"};
  return c;
}

void BM_policy_decide(benchmark::State& state, const char* policy_name) {
  const auto requests = static_cast<std::size_t>(state.range(0));
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const ClusterSpec cluster = three_tier_cluster();
  ClusterView view(cluster);
  for (NodeId n = 0; n < view.size(); ++n) {
    view.edit_state(n).free_cores = view.spec(n).cores * (n % 4) / 4.0;
    view.edit_state(n).queue_length = n % 3;
    view.edit_state(n).as_of = marlsim::from_seconds(0.1 * n);
  }
  const std::string_view role = std::string_view(policy_name) == "hierrl" ? "central" : "node-agent";
  const auto policy = marlsim::make_scheduling_policy(policy_name, {.role = role, .cluster = &cluster});
  std::vector<marlsim::TaskSpec> tasks(requests);
  std::vector<marlsim::RngStream> streams;
  std::vector<DecisionRequest> batch(requests);
  for (std::size_t i = 0; i < requests; ++i) {
    tasks[i].id = i;
    tasks[i].work_core_s = 30.0 + static_cast<double>(i % 17);
    tasks[i].cores = 1.0 + static_cast<double>(i % 3);
    tasks[i].memory_gb = 2.0;
    streams.emplace_back(1, i);
  }
  for (std::size_t i = 0; i < requests; ++i) {
    const auto self = static_cast<NodeId>(i % 100);
    batch[i].task = &tasks[i];
    for (NodeId k = 0; k < 9; ++k) batch[i].candidates.push_back((self + k * 11) % 100);
    batch[i].view = &view;
    batch[i].ctx = {marlsim::from_seconds(20.0), self, &streams[i], nullptr};
  }
  for (auto _ : state) {
    policy->decide(batch);
    benchmark::DoNotOptimize(batch.front().chosen);
  }
  state.counters["decisions_per_s"] = benchmark::Counter(
      static_cast<double>(requests) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  omp_set_num_threads(saved_threads);
}

void BM_hierrl_low_select(benchmark::State& state) {
  const auto queued = static_cast<std::size_t>(state.range(0));
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const ClusterSpec cluster = three_tier_cluster();
  const auto policy = marlsim::make_scheduling_policy("hierrl", {.role = "central", .cluster = &cluster});
  const marlsim::QueueDiscipline& low = *policy->local_queue();
  const marlsim::NodeSpec node{4, 16, 1, 0, 0, 0};
  std::vector<marlsim::QueuedTask> queue;
  for (std::size_t i = 0; i < queued; ++i)
    queue.push_back({i, 0.5 + 0.5 * static_cast<double>(i % 2), 1.0, 10.0 + 7.0 * static_cast<double>(i % 13),
                     marlsim::PriorityClass::Batch, marlsim::from_seconds(static_cast<double>(i))});
  marlsim::RngStream rng(1, 2, 3);
  std::vector<std::size_t> start;
  std::size_t picks = 0;
  for (auto _ : state) {
    start.clear();
    low.select_on(0, node, rng, queue, {}, node.cores, node.memory_gb, marlsim::from_seconds(100.0), start);
    picks += start.size();
    benchmark::DoNotOptimize(start.data());
  }
  state.counters["picks_per_s"] = benchmark::Counter(static_cast<double>(picks), benchmark::Counter::kIsRate);
  omp_set_num_threads(saved_threads);
}

}  // namespace

BENCHMARK_CAPTURE(BM_policy_decide, decentralized_ac, "decentralized-ac")->Arg(1)->Arg(64)->Arg(1024);
BENCHMARK_CAPTURE(BM_policy_decide, hrac, "hrac")->Arg(1)->Arg(64)->Arg(1024);
BENCHMARK_CAPTURE(BM_policy_decide, hierrl, "hierrl")->Arg(1)->Arg(64)->Arg(1024);
BENCHMARK(BM_hierrl_low_select)->Arg(4)->Arg(32)->Arg(256);
BENCHMARK(BM_actor_critic)->Apply(Args)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();

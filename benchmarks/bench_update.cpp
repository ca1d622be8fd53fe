// One PPO update step (forward + backward + gradient clipping + Adam) on a fixed minibatch of
// 4,096 samples with the real training types of agents/nn/ (issue 12's per-policy update
// time). benchmarks/pytorch_update.py runs the same networks, losses and minibatch in PyTorch
// and prints the marlsim / PyTorch ratios.
//
//   BM_update_actor_critic/<threads>: PpoTrainer::update with one epoch of one 4,096-decision
//     minibatch. Actor: the study's ActorCriticNetwork scorer on [20 own + 30 candidate
//     features] -> 128 -> 128 -> 1 (ReLU) for each of K = 16 candidates per decision (65,536
//     rows), a masked categorical over the 16 scores, PPO clip (0.2) + entropy bonus (0.01).
//     Critic: a CentralCritic 50 -> 128 -> 128 -> 1 on each decision's global state,
//     MAPPO-clipped value loss (0.2). One Adam over both, global norm clipped at 10. The
//     trainer's own work counts too: the shuffle and gathering the minibatch (joining every
//     candidate row with its own observation) are in forward_ms.
//   BM_update_central_critic/<threads>: a CentralCritic 512 -> 256 -> 256 -> 1 on the 4,096
//     global states alone (mlp_forward / mlp_backward, clipped value loss, norm clipping, Adam):
//     the critic half of a trainer step at the size of a large cluster's global state.
// Counters: forward_ms, backward_ms, optimizer_ms (per step; forward includes the losses'
// values, backward their gradients, optimizer the norm clipping and Adam), as PpoStats splits them.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <chrono>
#include <cmath>
#include <random>
#include <span>
#include <vector>

#include "agents/nn/adam.hpp"
#include "agents/nn/central_critic.hpp"
#include "agents/nn/gradient_clipping.hpp"
#include "agents/nn/mlp.hpp"
#include "agents/nn/ppo_trainer.hpp"
#include "agents/nn/value_loss.hpp"
#include "benchmarks/bench_support.hpp"

using namespace marlsim::nn;
using Eigen::Index;
using marlsim::bench::random_matrix;

namespace {

constexpr Index kSamples = 4096;
constexpr Index kCandidates = 16;

void random_targets(Eigen::VectorXf& old_values, Eigen::VectorXf& returns, std::mt19937& gen) {
  std::normal_distribution<float> normal;
  old_values.resize(kSamples);
  returns.resize(kSamples);
  for (Index i = 0; i < kSamples; ++i) {
    old_values(i) = 0.1f * normal(gen);
    returns(i) = normal(gen);
  }
}

void BM_update_actor_critic(benchmark::State& state) {
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(static_cast<int>(state.range(0)));
  std::mt19937 gen(1);
  ActorCriticNetwork actor({20, 30, {128, 128}, {Activation::Relu, Activation::Relu}}, 1);
  CentralCritic critic(50, {128, 128}, {Activation::Relu, Activation::Relu}, 1);
  PpoRollout r;
  r.decisions.own = random_matrix(kSamples, 20, gen);
  r.decisions.candidates = random_matrix(kSamples * kCandidates, 30, gen);
  std::bernoulli_distribution masked(0.25);
  std::normal_distribution<float> normal;
  r.old_log_probs.resize(kSamples);
  r.advantages.resize(kSamples);
  for (Index i = 0; i < kSamples; ++i) {
    r.decisions.offsets.push_back(i * kCandidates);
    for (Index j = 0; j < kCandidates; ++j) r.decisions.masked.push_back(j > 0 && masked(gen));
    r.actions.push_back(0);
    r.old_log_probs(i) = std::log(0.25f) + 0.3f * normal(gen);
    r.advantages(i) = normal(gen);
  }
  r.decisions.offsets.push_back(kSamples * kCandidates);
  r.global_states = random_matrix(kSamples, 50, gen);
  random_targets(r.old_values, r.returns, gen);
  PpoSettings settings;
  settings.epochs = 1;
  settings.minibatch = kSamples;
  PpoTrainer trainer(actor, critic, settings);
  PpoStats total;
  std::uint64_t seed = 0;
  for (auto _ : state) {
    const PpoStats s = trainer.update(r, seed++, [](std::span<float>) {});
    total.forward_s += s.forward_s;
    total.backward_s += s.backward_s;
    total.optimizer_s += s.optimizer_s;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["forward_ms"] = 1e3 * total.forward_s / n;
  state.counters["backward_ms"] = 1e3 * total.backward_s / n;
  state.counters["optimizer_ms"] = 1e3 * total.optimizer_s / n;
  omp_set_num_threads(saved_threads);
}

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

void BM_update_central_critic(benchmark::State& state) {
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(static_cast<int>(state.range(0)));
  std::mt19937 gen(2);
  CentralCritic critic(512, {256, 256}, {Activation::Relu, Activation::Relu}, 2);
  const RowMatrixF global_states = random_matrix(kSamples, 512, gen);
  Eigen::VectorXf old_values, returns;
  random_targets(old_values, returns, gen);
  std::vector<LayerGradients> grads = zero_gradients(critic.layers());
  std::vector<std::span<float>> params, grad_spans;
  std::vector<std::span<const float>> const_grads;
  std::vector<std::size_t> sizes;
  for (std::size_t l = 0; l < grads.size(); ++l) {
    DenseLayer& layer = critic.layers()[l];
    params.emplace_back(layer.weights.data(), static_cast<std::size_t>(layer.weights.size()));
    params.emplace_back(layer.bias.data(), static_cast<std::size_t>(layer.bias.size()));
    grad_spans.emplace_back(grads[l].weights.data(), static_cast<std::size_t>(grads[l].weights.size()));
    grad_spans.emplace_back(grads[l].bias.data(), static_cast<std::size_t>(grads[l].bias.size()));
  }
  for (std::span<float> g : grad_spans) {
    const_grads.emplace_back(g);
    sizes.push_back(g.size());
  }
  Adam adam(sizes);
  // The states sit in the cache's input slot, as PpoTrainer gathers its minibatch there (and as
  // PyTorch's forward reads its input tensor): no copy of the 8 MB input per step.
  MlpCache cache;
  cache.activations = {global_states};
  double forward = 0, backward = 0, optimizer = 0;
  for (auto _ : state) {
    auto t0 = Clock::now();
    mlp_forward(critic.layers(), cache.activations[0], cache);
    const auto vloss = value_loss(Vector<float>(cache.activations.back().col(0)), Vector<float>(old_values),
                                  Vector<float>(returns), 0.2f);
    benchmark::DoNotOptimize(vloss.loss);
    forward += ms_since(t0);

    t0 = Clock::now();
    for (LayerGradients& g : grads) {
      g.weights.setZero();
      g.bias.setZero();
    }
    mlp_backward(critic.layers(), cache, RowMatrixF(vloss.d_value), grads);
    backward += ms_since(t0);

    t0 = Clock::now();
    clip_gradient_norm(grad_spans, 10.0);
    adam.step(params, const_grads);
    optimizer += ms_since(t0);
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["forward_ms"] = forward / n;
  state.counters["backward_ms"] = backward / n;
  state.counters["optimizer_ms"] = optimizer / n;
  omp_set_num_threads(saved_threads);
}

}  // namespace

BENCHMARK(BM_update_actor_critic)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_update_central_critic)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

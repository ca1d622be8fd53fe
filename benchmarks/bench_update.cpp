// One PPO update step (forward + backward + gradient clipping + Adam) on a fixed minibatch of
// 4,096 samples, built from the hand-written gradient blocks in agents/nn/ (issue 12's
// per-policy update time). benchmarks/pytorch_update.py runs the same networks, losses and
// minibatch in PyTorch and prints the marlsim / PyTorch ratios.
//
//   BM_update_actor_critic/<threads>: the study's actor-critic sizes. Actor: an MLP
//     50 -> 128 -> 128 -> 1 (ReLU hidden) scoring each of K = 16 candidates per sample
//     (65,536 rows), a masked categorical over the 16 scores, PPO clip (0.2) + entropy bonus
//     (0.01). Critic: an MLP 50 -> 128 -> 128 -> 1 on each sample's local observation,
//     MAPPO-clipped value loss (0.2). One Adam over both, global norm clipped at 10.
//   BM_update_central_critic/<threads>: a centralized critic 512 -> 256 -> 256 -> 1 on the
//     4,096 global states, clipped value loss, norm clipping and Adam.
// Counters: forward_ms, backward_ms, optimizer_ms (per step; forward includes the losses'
// values, backward their gradients, optimizer the norm clipping and Adam).
#include <benchmark/benchmark.h>
#include <omp.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <span>
#include <vector>

#include "agents/nn/activation_backward.hpp"
#include "agents/nn/adam.hpp"
#include "agents/nn/categorical.hpp"
#include "agents/nn/dense_backward.hpp"
#include "agents/nn/gradient_clipping.hpp"
#include "agents/nn/ppo_clip_loss.hpp"
#include "agents/nn/value_loss.hpp"

using namespace marlsim::nn;
using Eigen::Index;

namespace {

constexpr Index kSamples = 4096;
constexpr Index kCandidates = 16;

RowMatrixF random_matrix(Index rows, Index cols, std::mt19937& gen, float scale) {
  std::uniform_real_distribution<float> u(-scale, scale);
  RowMatrixF m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = u(gen);
  return m;
}

// A plain MLP with ReLU hidden layers and an identity output, its activations kept for the
// backward pass. Only what the benchmark needs (the real network type lives elsewhere).
struct Mlp {
  std::vector<RowMatrixF> w, dw;
  std::vector<Eigen::RowVectorXf> b, db;
  std::vector<RowMatrixF> outputs;  // outputs[l] = layer l's output; the input is kept by the caller

  Mlp(const std::vector<Index>& sizes, std::mt19937& gen) {
    for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
      w.push_back(random_matrix(sizes[l], sizes[l + 1], gen, 1.0f / std::sqrt(static_cast<float>(sizes[l]))));
      dw.push_back(RowMatrixF::Zero(sizes[l], sizes[l + 1]));
      b.push_back(Eigen::RowVectorXf::Zero(sizes[l + 1]));
      db.push_back(Eigen::RowVectorXf::Zero(sizes[l + 1]));
    }
  }
  Activation activation(std::size_t l) const { return l + 1 == w.size() ? Activation::Identity : Activation::Relu; }

  const RowMatrixF& forward(const RowMatrixF& x) {
    outputs.resize(w.size());
    for (std::size_t l = 0; l < w.size(); ++l) {
      outputs[l].resize(x.rows(), w[l].cols());
      dense_forward(l == 0 ? x : outputs[l - 1], w[l], b[l], activation(l), outputs[l]);
    }
    return outputs.back();
  }

  // dy: dL/d output (overwritten); fills dw, db. The layers' dL/d input go to buffers kept
  // from step to step, as a trainer would keep them (fresh 32 MB buffers page-fault each step).
  void backward(const RowMatrixF& x, Eigen::Ref<RowMatrixF> dy) {
    input_grads.resize(w.size());
    for (std::size_t l = w.size(); l-- > 0;) {
      Eigen::Ref<RowMatrixF> dz = l + 1 == w.size() ? dy : Eigen::Ref<RowMatrixF>(input_grads[l]);
      activation_backward(activation(l), outputs[l], dz, dz);
      dw[l].setZero();
      db[l].setZero();
      accumulate_dense_parameter_gradients(l == 0 ? x : outputs[l - 1], dz, dw[l], db[l]);
      if (l == 0) break;  // nobody needs dL/dx
      input_grads[l - 1].resize(dz.rows(), w[l].rows());
      dense_input_gradient(dz, w[l], input_grads[l - 1]);
    }
  }
  std::vector<RowMatrixF> input_grads;  // input_grads[l] = dL/d outputs[l] for the hidden layers

  void collect(std::vector<std::span<float>>& params, std::vector<std::span<float>>& grads) {
    for (std::size_t l = 0; l < w.size(); ++l) {
      params.emplace_back(w[l].data(), static_cast<std::size_t>(w[l].size()));
      grads.emplace_back(dw[l].data(), static_cast<std::size_t>(dw[l].size()));
      params.emplace_back(b[l].data(), static_cast<std::size_t>(b[l].size()));
      grads.emplace_back(db[l].data(), static_cast<std::size_t>(db[l].size()));
    }
  }
};

// Adam plus norm clipping over a list of tensors.
struct Optimizer {
  std::vector<std::span<float>> params, grads;
  std::vector<std::span<const float>> const_grads;
  std::unique_ptr<Adam> adam;
  void finish() {
    std::vector<std::size_t> sizes;
    for (auto g : grads) {
      sizes.push_back(g.size());
      const_grads.emplace_back(g);
    }
    adam = std::make_unique<Adam>(sizes);
  }
  void step() {
    clip_gradient_norm(grads, 10.0);
    adam->step(params, const_grads);
  }
};

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

struct Phases {
  double forward = 0, backward = 0, optimizer = 0;
  void report(benchmark::State& state) const {
    const double n = static_cast<double>(state.iterations());
    state.counters["forward_ms"] = forward / n;
    state.counters["backward_ms"] = backward / n;
    state.counters["optimizer_ms"] = optimizer / n;
  }
};

// The value targets and old values of a minibatch.
struct ValueTargets {
  Vector<float> old_values, returns;
  explicit ValueTargets(std::mt19937& gen) : old_values(kSamples), returns(kSamples) {
    std::normal_distribution<float> normal;
    for (Index i = 0; i < kSamples; ++i) {
      old_values(i) = 0.1f * normal(gen);
      returns(i) = normal(gen);
    }
  }
};

void BM_update_actor_critic(benchmark::State& state) {
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(static_cast<int>(state.range(0)));
  std::mt19937 gen(1);
  const RowMatrixF candidates = random_matrix(kSamples * kCandidates, 50, gen, 1.0f);
  const RowMatrixF observations = random_matrix(kSamples, 50, gen, 1.0f);
  CandidateMask mask(kSamples, kCandidates);
  Eigen::VectorXi actions(kSamples);
  Vector<float> old_log_prob(kSamples), advantages(kSamples);
  std::bernoulli_distribution masked(0.25);
  std::normal_distribution<float> normal;
  for (Index i = 0; i < kSamples; ++i) {
    for (Index j = 0; j < kCandidates; ++j) mask(i, j) = j == 0 || !masked(gen);
    actions(i) = 0;
    old_log_prob(i) = std::log(0.25f) + 0.3f * normal(gen);
    advantages(i) = normal(gen);
  }
  const ValueTargets targets(gen);
  Mlp actor({50, 128, 128, 1}, gen), critic({50, 128, 128, 1}, gen);
  Optimizer opt;
  actor.collect(opt.params, opt.grads);
  critic.collect(opt.params, opt.grads);
  opt.finish();
  Phases t;
  for (auto _ : state) {
    auto t0 = Clock::now();
    const RowMatrixF& scores = actor.forward(candidates);  // (N*K) x 1, i.e. N x K row-major
    const RowMatrix<float> score_matrix = Eigen::Map<const RowMatrix<float>>(scores.data(), kSamples, kCandidates);
    const auto dist = masked_categorical(score_matrix, mask);
    const auto ppo = ppo_clip_loss(Vector<float>(action_log_probs(dist, actions)), old_log_prob, advantages, 0.2f);
    const RowMatrixF& values = critic.forward(observations);
    const auto vloss = value_loss(Vector<float>(values.col(0)), targets.old_values, targets.returns, 0.2f);
    benchmark::DoNotOptimize(ppo.loss + vloss.loss - 0.01f * dist.entropy.mean());
    t.forward += ms_since(t0);

    t0 = Clock::now();
    const Vector<float> d_entropy = Vector<float>::Constant(kSamples, -0.01f / static_cast<float>(kSamples));
    RowMatrix<float> d_scores = masked_categorical_backward(dist, mask, actions, ppo.d_log_prob, d_entropy);
    actor.backward(candidates, Eigen::Map<RowMatrixF>(d_scores.data(), kSamples * kCandidates, 1));
    Vector<float> d_value = vloss.d_value;
    critic.backward(observations, Eigen::Map<RowMatrixF>(d_value.data(), kSamples, 1));
    t.backward += ms_since(t0);

    t0 = Clock::now();
    opt.step();
    t.optimizer += ms_since(t0);
  }
  t.report(state);
  omp_set_num_threads(saved_threads);
}

void BM_update_central_critic(benchmark::State& state) {
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(static_cast<int>(state.range(0)));
  std::mt19937 gen(2);
  const RowMatrixF global_states = random_matrix(kSamples, 512, gen, 1.0f);
  const ValueTargets targets(gen);
  Mlp critic({512, 256, 256, 1}, gen);
  Optimizer opt;
  critic.collect(opt.params, opt.grads);
  opt.finish();
  Phases t;
  for (auto _ : state) {
    auto t0 = Clock::now();
    const RowMatrixF& values = critic.forward(global_states);
    const auto vloss = value_loss(Vector<float>(values.col(0)), targets.old_values, targets.returns, 0.2f);
    benchmark::DoNotOptimize(vloss.loss);
    t.forward += ms_since(t0);

    t0 = Clock::now();
    Vector<float> d_value = vloss.d_value;
    critic.backward(global_states, Eigen::Map<RowMatrixF>(d_value.data(), kSamples, 1));
    t.backward += ms_since(t0);

    t0 = Clock::now();
    opt.step();
    t.optimizer += ms_since(t0);
  }
  t.report(state);
  omp_set_num_threads(saved_threads);
}

}  // namespace

BENCHMARK(BM_update_actor_critic)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_update_central_critic)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

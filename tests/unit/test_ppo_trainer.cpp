// The PPO trainer (agents/nn/ppo_trainer.hpp): the gradients it hands to average() against
// central finite differences of the whole loss (actor: masked categorical, PPO clip, entropy
// bonus; critic: clipped value loss) computed in double; one update bitwise the same at 1 and
// 2 threads and for the same seed; an exact resume from the optimizer state; learning on a toy
// rollout; bad rollouts and NaN refused.
#include <omp.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "agents/nn/ppo_trainer.hpp"
#include "double_mlp_reference.hpp"

using namespace marlsim::nn;
using Eigen::Index;
using marlsim::test::forward_double;
using marlsim::test::LayerD;
using marlsim::test::RowMatrixD;
using marlsim::test::to_double;

namespace {

const auto identity_average = [](std::span<float>) {};

// `n` decisions with 1-5 candidates each (some masked, never all), random features, global
// states, advantages, returns; actions uniform over the unmasked candidates; old log-probs
// and old values the networks' own plus noise of +-old_noise (so some ratios and value steps
// fall outside the clip ranges).
PpoRollout random_rollout(Index n, const ActorCriticNetwork& net, const CentralCritic& critic, unsigned seed,
                          Index max_candidates = 5, float old_noise = 0.35f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  PpoRollout r;
  DecisionBatch& d = r.decisions;
  d.own.resize(n, net.settings().own_features);
  for (Index i = 0; i < d.own.size(); ++i) d.own.data()[i] = u(gen);
  d.offsets = {0};
  for (Index i = 0; i < n; ++i)
    d.offsets.push_back(d.offsets.back() + 1 + static_cast<Index>(gen() % static_cast<unsigned>(max_candidates)));
  d.candidates.resize(d.offsets.back(), net.settings().candidate_features);
  for (Index i = 0; i < d.candidates.size(); ++i) d.candidates.data()[i] = u(gen);
  for (Index i = 0; i < n; ++i) {
    std::vector<Index> open;
    for (Index k = 0; k < d.offsets[i + 1] - d.offsets[i]; ++k) {
      const bool masked = k > 0 && gen() % 4 == 0;
      d.masked.push_back(masked);
      if (!masked) open.push_back(k);
    }
    r.actions.push_back(open[gen() % open.size()]);
  }
  r.global_states.resize(n, critic.global_features());
  for (Index i = 0; i < r.global_states.size(); ++i) r.global_states.data()[i] = u(gen);
  const DecisionOutputs out = net.forward(d);
  r.old_log_probs.resize(n);
  r.advantages.resize(n);
  r.returns.resize(n);
  r.old_values = critic.values(r.global_states);
  for (Index i = 0; i < n; ++i) {
    r.old_log_probs(i) = std::log(out.probabilities(d.offsets[i] + r.actions[i])) + old_noise * u(gen);
    r.advantages(i) = 2 * u(gen);
    r.returns(i) = r.old_values(i) + u(gen);
    r.old_values(i) += old_noise * u(gen);
  }
  return r;
}

// ---- the loss in double: an independent reimplementation to differentiate numerically ----

// PPO clip - entropy_coef * mean entropy + clipped value loss over the whole rollout (one minibatch).
double total_loss_double(const std::vector<LayerD>& actor, const std::vector<LayerD>& critic, const PpoRollout& r,
                         const PpoSettings& s) {
  const DecisionBatch& d = r.decisions;
  const Index n = d.own.rows(), own = d.own.cols();
  RowMatrixD joined(d.candidates.rows(), own + d.candidates.cols());
  for (Index i = 0; i < n; ++i)
    for (Index row = d.offsets[i]; row < d.offsets[i + 1]; ++row) {
      joined.row(row).head(own) = d.own.row(i).cast<double>();
      joined.row(row).tail(d.candidates.cols()) = d.candidates.row(row).cast<double>();
    }
  const RowMatrixD scores = forward_double(actor, joined);
  double mean = 0, var = 0;
  for (Index i = 0; i < n; ++i) mean += r.advantages(i);
  mean /= static_cast<double>(n);
  for (Index i = 0; i < n; ++i) var += (r.advantages(i) - mean) * (r.advantages(i) - mean);
  const double sd = std::sqrt(var / static_cast<double>(n));
  double surrogate = 0, entropy = 0;
  for (Index i = 0; i < n; ++i) {
    double top = -std::numeric_limits<double>::infinity(), sum = 0;
    for (Index row = d.offsets[i]; row < d.offsets[i + 1]; ++row)
      if (!d.masked[static_cast<std::size_t>(row)]) top = std::max(top, scores(row, 0));
    for (Index row = d.offsets[i]; row < d.offsets[i + 1]; ++row)
      if (!d.masked[static_cast<std::size_t>(row)]) sum += std::exp(scores(row, 0) - top);
    const double log_z = top + std::log(sum);
    for (Index row = d.offsets[i]; row < d.offsets[i + 1]; ++row)
      if (!d.masked[static_cast<std::size_t>(row)]) {
        const double lp = scores(row, 0) - log_z;
        entropy -= std::exp(lp) * lp;
      }
    const double ratio = std::exp(scores(d.offsets[i] + r.actions[static_cast<std::size_t>(i)], 0) - log_z -
                                  static_cast<double>(r.old_log_probs(i)));
    const double a = (r.advantages(i) - mean) / (sd + 1e-5);
    surrogate += std::min(ratio * a, std::clamp(ratio, 1.0 - s.clip, 1.0 + s.clip) * a);
  }
  const RowMatrixD values = forward_double(critic, r.global_states.cast<double>());
  double value = 0;
  for (Index i = 0; i < n; ++i) {
    const double v = values(i, 0), old = r.old_values(i), ret = r.returns(i);
    const double clipped = old + std::clamp(v - old, -double{s.value_clip}, double{s.value_clip});
    value += std::max((v - ret) * (v - ret), (clipped - ret) * (clipped - ret)) / 2;
  }
  return (-surrogate - s.entropy_coef * entropy + value) / static_cast<double>(n);
}

std::vector<float> all_weights(const ActorCriticNetwork& net, const CentralCritic& critic) {
  std::vector<float> w;
  for (const auto* layers : {&net.actor_layers(), &critic.layers()})
    for (const DenseLayer& l : *layers) {
      w.insert(w.end(), l.weights.data(), l.weights.data() + l.weights.size());
      w.insert(w.end(), l.bias.data(), l.bias.data() + l.bias.size());
    }
  return w;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0;
}

ActorCriticSettings small_actor() { return {3, 2, {6, 5}, {Activation::Tanh, Activation::Relu}}; }

}  // namespace

TEST_CASE("PPO trainer: the averaged gradients of actor and critic match finite differences of the whole loss",
          "[gradients]") {
  ActorCriticNetwork net(small_actor(), 7);
  CentralCritic critic(4, {6}, {Activation::Tanh}, 7);
  // Random biases, so that they (and ReLU's inactive side) show in the gradients.
  std::mt19937 gen(2);
  std::uniform_real_distribution<float> u(-0.3f, 0.3f);
  for (auto* layers : {&net.actor_layers(), &critic.layers()})
    for (DenseLayer& l : *layers)
      for (Index i = 0; i < l.bias.size(); ++i) l.bias(i) = u(gen);
  const PpoRollout r = random_rollout(12, net, critic, 4);
  PpoSettings s;
  s.epochs = 1;
  s.minibatch = 100;  // one minibatch: the gradient at the initial weights, in any order
  std::vector<float> averaged;
  PpoTrainer trainer(net, critic, s);
  std::vector<LayerD> actor_d = to_double(net.actor_layers()), critic_d = to_double(critic.layers());
  const PpoStats stats = trainer.update(
      r, 1, [&](std::span<float> buffer) { averaged.assign(buffer.begin(), buffer.end()); });
  // Both sides of both clips are exercised.
  CHECK(stats.clip_fraction > 0.05);
  CHECK(stats.clip_fraction < 0.95);
  CHECK(stats.minibatches == 1);

  // Float forward and backward (eps 6e-8, sums of <= 12 terms, a softmax and exp(ratio)) against
  // double central differences with h = 1e-6 (error ~1e-9): observed errors stay below 1e-6
  // (float rounding of O(1) values); the tolerance leaves 2x plus 1e-4 relative.
  std::size_t at = 0, checked = 0;
  const double h = 1e-6;
  for (auto* layers : {&actor_d, &critic_d})
    for (LayerD& l : *layers)
      for (RowMatrixD* p : {&l.w, &l.b})
        for (Index i = 0; i < p->size(); ++i, ++at) {
          const double saved = p->data()[i];
          p->data()[i] = saved + h;
          const double up = total_loss_double(actor_d, critic_d, r, s);
          p->data()[i] = saved - h;
          const double down = total_loss_double(actor_d, critic_d, r, s);
          p->data()[i] = saved;
          const double fd = (up - down) / (2 * h);
          CAPTURE(at);
          REQUIRE(at < averaged.size());
          CHECK(std::abs(averaged[at] - fd) <= 2e-6 + 1e-4 * std::abs(fd));
          checked += std::abs(fd) > 1e-3;
        }
  CHECK(checked > at / 2);  // most gradients are not zero: the check has teeth
  // After the gradients: the five loss statistics; the total matches the double loss.
  REQUIRE(averaged.size() == at + 5);
  const double total = averaged[at] - s.entropy_coef * averaged[at + 2] + averaged[at + 1];
  CHECK(total == Approx(total_loss_double(actor_d, critic_d, r, s)).epsilon(1e-5));
  CHECK(stats.policy_loss == Approx(averaged[at]));
  CHECK(stats.value_loss == Approx(averaged[at + 1]));
}

TEST_CASE("PPO trainer: one update is bitwise the same at 1 and 2 threads and for the same seed", "[gradients]") {
  // Sizes above the dense kernels' parallel threshold (2^18 multiply-adds), several minibatches.
  const ActorCriticSettings settings{6, 4, {64, 64}, {Activation::Relu, Activation::Tanh}};
  const ActorCriticNetwork net0(settings, 3);
  const CentralCritic critic0(12, {64}, {Activation::Relu}, 3);
  const PpoRollout r = random_rollout(600, net0, critic0, 9, 12);
  PpoSettings s;
  s.epochs = 2;
  s.minibatch = 256;
  const auto run = [&](int threads, std::uint64_t seed) {
    ActorCriticNetwork net = net0;
    CentralCritic critic = critic0;
    PpoTrainer trainer(net, critic, s);
    const int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    const PpoStats stats = trainer.update(r, seed, identity_average);
    omp_set_num_threads(saved);
    CHECK(stats.minibatches == 6);
    std::vector<float> w = all_weights(net, critic);
    w.push_back(static_cast<float>(stats.policy_loss));
    w.push_back(static_cast<float>(stats.grad_norm));
    return w;
  };
  const std::vector<float> one = run(1, 5);
  CHECK(!same_bits(one, all_weights(net0, critic0)));
  CHECK(same_bits(one, run(2, 5)));
  CHECK(same_bits(one, run(1, 5)));
  // The seed orders the minibatches: another seed, other minibatches, other weights.
  CHECK(!same_bits(one, run(1, 6)));
}

TEST_CASE("PPO trainer: a trainer given the optimizer state continues bit for bit", "[gradients]") {
  ActorCriticNetwork net(small_actor(), 1);
  CentralCritic critic(4, {8}, {Activation::Tanh}, 1);
  const PpoRollout r = random_rollout(50, net, critic, 3);
  PpoSettings s;
  s.minibatch = 16;
  PpoTrainer trainer(net, critic, s);
  trainer.update(r, 1, identity_average);
  const std::vector<float> state = trainer.optimizer_state();
  const ActorCriticNetwork saved_net = net;
  const CentralCritic saved_critic = critic;
  trainer.update(r, 2, identity_average);

  const auto resumed = [&](bool restore) {
    ActorCriticNetwork n = saved_net;
    CentralCritic c = saved_critic;
    PpoTrainer t(n, c, s);
    if (restore) t.set_optimizer_state(state);
    t.update(r, 2, identity_average);
    return all_weights(n, c);
  };
  CHECK(same_bits(resumed(true), all_weights(net, critic)));
  CHECK(!same_bits(resumed(false), all_weights(net, critic)));  // the state matters
  std::vector<float> short_state(state.begin(), state.end() - 1);
  CHECK_THROWS_AS(trainer.set_optimizer_state(short_state), std::invalid_argument);
  CHECK_THROWS_AS(trainer.set_optimizer_state({}), std::invalid_argument);
}

TEST_CASE("PPO trainer: the candidate with the positive advantage gains probability, the critic fits its returns",
          "[gradients]") {
  // Every decision has 4 candidates; the one whose first feature is 1 has advantage +1 when
  // chosen, the others 0. Returns are a fixed linear function of the global state.
  ActorCriticNetwork net({2, 2, {16}, {Activation::Tanh}}, 5);
  CentralCritic critic(3, {16}, {Activation::Tanh}, 5);
  std::mt19937 gen(12);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  const Index n = 256, k = 4;
  PpoRollout r;
  r.decisions.own.resize(n, 2);
  r.decisions.candidates.resize(n * k, 2);
  r.global_states.resize(n, 3);
  std::vector<Index> good(n);
  for (Index i = 0; i < n; ++i) {
    r.decisions.offsets.push_back(i * k);
    r.decisions.own.row(i) << u(gen), u(gen);
    good[i] = static_cast<Index>(gen() % k);
    for (Index j = 0; j < k; ++j) r.decisions.candidates.row(i * k + j) << (j == good[i] ? 1.0f : 0.0f), u(gen);
    r.actions.push_back(static_cast<Index>(gen() % k));
    r.global_states.row(i) << u(gen), u(gen), u(gen);
  }
  r.decisions.offsets.push_back(n * k);
  r.advantages.resize(n);
  for (Index i = 0; i < n; ++i) r.advantages(i) = r.actions[i] == good[i] ? 1.0f : 0.0f;
  r.returns = r.global_states * Eigen::Vector3f(0.5f, -1.0f, 0.25f);

  const auto good_probability = [&] {
    const DecisionOutputs out = net.forward(r.decisions);
    double p = 0;
    for (Index i = 0; i < n; ++i) p += out.probabilities(i * k + good[i]);
    return p / static_cast<double>(n);
  };
  const auto critic_error = [&] { return (critic.values(r.global_states) - r.returns).squaredNorm() / n; };
  const double p0 = good_probability(), e0 = critic_error();
  PpoSettings s;
  s.minibatch = 64;
  s.adam.learning_rate = 3e-3f;
  PpoTrainer trainer(net, critic, s);
  for (int iteration = 0; iteration < 8; ++iteration) {
    // Collect again: the current policy's log-probs and values become the old ones.
    const DecisionOutputs out = net.forward(r.decisions);
    r.old_log_probs.resize(n);
    for (Index i = 0; i < n; ++i) r.old_log_probs(i) = std::log(out.probabilities(i * k + r.actions[i]));
    r.old_values = critic.values(r.global_states);
    trainer.update(r, static_cast<std::uint64_t>(iteration), identity_average);
  }
  const double p1 = good_probability(), e1 = critic_error();
  CAPTURE(p0, p1, e0, e1);
  CHECK(p0 < 0.35);
  CHECK(p1 > 0.6);
  CHECK(e1 < 0.25 * e0);
}

TEST_CASE("PPO trainer: inconsistent rollouts are refused untouched, NaN stops before the step", "[gradients]") {
  ActorCriticNetwork net(small_actor(), 1);
  CentralCritic critic(4, {8}, {Activation::Tanh}, 1);
  const PpoRollout good = random_rollout(20, net, critic, 3);
  PpoTrainer trainer(net, critic, PpoSettings{});
  const std::vector<float> before = all_weights(net, critic);
  const auto refused = [&](PpoRollout r, const char* what) {
    CHECK_THROWS_WITH(trainer.update(r, 1, identity_average), Catch::Contains(what));
  };
  PpoRollout r = good;
  r.actions.pop_back();
  refused(r, "one entry (row) per decision");
  r = good;
  r.actions[3] = r.decisions.offsets[4] - r.decisions.offsets[3];
  refused(r, "decision 3's action");
  r = good;
  for (Index k = 1; k < r.decisions.offsets[6] - r.decisions.offsets[5]; ++k)
    r.decisions.masked[r.decisions.offsets[5] + k] = 1;
  r.actions[5] = 1;
  if (r.decisions.offsets[6] - r.decisions.offsets[5] > 1) refused(r, "decision 5's action");
  r = good;
  r.global_states.conservativeResize(Eigen::NoChange, 5);
  refused(r, "global states have 5 features");
  r = good;
  r.decisions.offsets.back() -= 1;
  refused(r, "offsets");
  PpoRollout empty;
  empty.decisions.own.resize(0, 3);
  empty.decisions.candidates.resize(0, 2);
  empty.decisions.offsets = {0};
  empty.global_states.resize(0, 4);
  refused(empty, "no decisions");
  CHECK(same_bits(all_weights(net, critic), before));

  r = good;
  r.advantages(7) = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_AS(trainer.update(r, 1, identity_average), NonFiniteError);
  CHECK_THROWS_WITH(trainer.update(r, 1, identity_average), Catch::Contains("epoch 0, minibatch 0"));
  CHECK(same_bits(all_weights(net, critic), before));
  PpoSettings no_epochs;
  no_epochs.epochs = 0;
  CHECK_THROWS_AS(PpoTrainer(net, critic, no_epochs), std::invalid_argument);
}

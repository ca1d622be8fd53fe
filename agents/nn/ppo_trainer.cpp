#include "agents/nn/ppo_trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "agents/nn/categorical.hpp"
#include "agents/nn/dense_backward.hpp"
#include "agents/nn/layer_tensors.hpp"
#include "agents/nn/ppo_clip_loss.hpp"
#include "agents/nn/value_loss.hpp"
#include "engine/support/rng.hpp"

namespace marlsim::nn {
namespace {

using Eigen::Index;
using Clock = std::chrono::steady_clock;

// The Philox stream of the minibatch shuffles (entity = epoch).
constexpr std::uint64_t kShuffleStream = 0x99'0001ull;
// The loss statistics after the gradients in the averaged buffer.
enum Stat { kPolicyLoss, kValueLoss, kEntropy, kApproxKl, kClipFraction, kStats };
// MAPPO's advantage normalisation epsilon.
constexpr double kAdvantageEpsilon = 1e-5;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::size_t parameter_count(const std::vector<DenseLayer>& layers) {
  std::size_t n = 0;
  for (const DenseLayer& l : layers) n += static_cast<std::size_t>(l.weights.size() + l.bias.size());
  return n;
}

std::vector<std::size_t> tensor_sizes(const ActorCriticNetwork& actor, const CentralCritic& critic) {
  std::vector<std::size_t> sizes;
  for (const auto* layers : {&actor.actor_layers(), &critic.layers()}) append_tensor_sizes(sizes, *layers);
  return sizes;
}

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("PPO update: " + what);
}

void validate(const PpoRollout& r, const ActorCriticNetwork& actor, const CentralCritic& critic) {
  const DecisionBatch& d = r.decisions;
  const Index n = d.own.rows();
  const std::size_t un = static_cast<std::size_t>(n);
  require(n > 0, "the rollout has no decisions");
  require(d.own.cols() == actor.settings().own_features && d.candidates.cols() == actor.settings().candidate_features,
          "observation widths differ from the actor's (own " + std::to_string(d.own.cols()) + " vs " +
              std::to_string(actor.settings().own_features) + ", candidate " + std::to_string(d.candidates.cols()) +
              " vs " + std::to_string(actor.settings().candidate_features) + ")");
  require(d.offsets.size() == un + 1 && d.offsets.front() == 0 && d.offsets.back() == d.candidates.rows(),
          "offsets must hold decisions + 1 entries from 0 to the number of candidate rows");
  require(d.masked.empty() || d.masked.size() == static_cast<std::size_t>(d.candidates.rows()),
          "one mask entry per candidate row expected");
  require(r.actions.size() == un && r.old_log_probs.size() == n && r.advantages.size() == n &&
              r.old_values.size() == n && r.returns.size() == n && r.global_states.rows() == n,
          "actions, old_log_probs, advantages, old_values, returns and global_states need one entry (row) per "
          "decision (" +
              std::to_string(n) + ")");
  require(r.global_states.cols() == critic.global_features(),
          "global states have " + std::to_string(r.global_states.cols()) + " features, the critic expects " +
              std::to_string(critic.global_features()));
  for (std::size_t i = 0; i < un; ++i) {
    const Index first = d.offsets[i], count = d.offsets[i + 1] - first, a = r.actions[i];
    require(count > 0, "decision " + std::to_string(i) + " has no candidates");
    require(
        a >= 0 && a < count && (d.masked.empty() || !d.masked[static_cast<std::size_t>(first + a)]),
        "decision " + std::to_string(i) + "'s action " + std::to_string(a) + " is not one of its unmasked candidates");
  }
}

}  // namespace

PpoTrainer::PpoTrainer(ActorCriticNetwork& actor, CentralCritic& critic, PpoSettings settings)
    : actor_(actor), critic_(critic), settings_(settings), adam_(tensor_sizes(actor, critic), settings.adam) {
  if (settings_.epochs < 1 || settings_.minibatch < 1 || !(settings_.clip >= 0) || !(settings_.max_grad_norm > 0))
    throw std::invalid_argument("PPO trainer: epochs and minibatch must be >= 1, clip >= 0 and max_grad_norm > 0");
}

std::vector<std::span<float>> PpoTrainer::parameter_tensors() {
  std::vector<std::span<float>> params;
  for (auto* layers : {&actor_.actor_layers(), &critic_.layers()}) append_tensors(params, *layers);
  return params;
}

PpoStats PpoTrainer::update(const PpoRollout& rollout, std::uint64_t seed,
                            const std::function<void(std::span<float>)>& average, Index minibatches) {
  validate(rollout, actor_, critic_);
  const Index n = rollout.decisions.own.rows();
  if (minibatches <= 0) minibatches = (n + settings_.minibatch - 1) / settings_.minibatch;
  if (minibatches > n)
    throw std::invalid_argument("PPO trainer: " + std::to_string(minibatches) + " minibatches of " + std::to_string(n) +
                                " decisions");
  PpoStats stats;
  std::vector<Index> order(static_cast<std::size_t>(n));
  for (int epoch = 0; epoch < settings_.epochs; ++epoch) {
    // Fisher-Yates from the identity each epoch, so an epoch's order depends on (seed, epoch) only.
    std::iota(order.begin(), order.end(), Index{0});
    RngStream rng(seed, static_cast<std::uint64_t>(epoch), kShuffleStream);
    for (std::size_t i = order.size(); i-- > 1;) std::swap(order[i], order[rng.below(i + 1)]);
    for (Index b = 0; b < minibatches; ++b) {
      const Index begin = n * b / minibatches, end = n * (b + 1) / minibatches;
      step(
          rollout,
          std::span<const Index>(order).subspan(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin)),
          average, epoch, static_cast<int>(b), stats);
    }
  }
  const double m = stats.minibatches;
  for (double* v : {&stats.policy_loss, &stats.value_loss, &stats.entropy, &stats.approx_kl, &stats.clip_fraction,
                    &stats.grad_norm})
    *v /= m;
  return stats;
}

void PpoTrainer::step(const PpoRollout& rollout, std::span<const Index> rows,
                      const std::function<void(std::span<float>)>& average, int epoch, int index, PpoStats& stats) {
  const DecisionBatch& d = rollout.decisions;
  const std::vector<DenseLayer>& actor_layers = actor_.actor_layers();
  const std::vector<DenseLayer>& critic_layers = critic_.layers();
  const Index n = static_cast<Index>(rows.size());
  const Index own = d.own.cols(), cand = d.candidates.cols();

  // ---- forward ----
  auto t0 = Clock::now();
  Index candidate_rows = 0, widest = 0;
  for (Index r : rows) {
    const Index count = d.offsets[static_cast<std::size_t>(r) + 1] - d.offsets[static_cast<std::size_t>(r)];
    candidate_rows += count;
    widest = std::max(widest, count);
  }
  // Actor input, built in the cache: each candidate row joined with its decision's own observation.
  actor_cache_.activations.resize(actor_layers.size() + 1);
  RowMatrixF& joined = actor_cache_.activations[0];
  joined.resize(candidate_rows, own + cand);
  // The scores' padded layout (decision x candidate) for the categorical; padding is masked.
  CandidateMask mask = CandidateMask::Constant(n, widest, false);
  Eigen::VectorXi actions(n);
  Vector<float> old_log_probs(n), advantages(n), old_values(n), returns(n);
  critic_cache_.activations.resize(critic_layers.size() + 1);
  RowMatrixF& states = critic_cache_.activations[0];
  states.resize(n, rollout.global_states.cols());
  Index at = 0;
  for (Index i = 0; i < n; ++i) {
    const std::size_t r = static_cast<std::size_t>(rows[static_cast<std::size_t>(i)]);
    const Index first = d.offsets[r], count = d.offsets[r + 1] - first;
    for (Index k = 0; k < count; ++k, ++at) {
      joined.row(at).head(own) = d.own.row(static_cast<Index>(r));
      joined.row(at).tail(cand) = d.candidates.row(first + k);
      mask(i, k) = d.masked.empty() || !d.masked[static_cast<std::size_t>(first + k)];
    }
    actions(i) = static_cast<int>(rollout.actions[r]);
    old_log_probs(i) = rollout.old_log_probs(static_cast<Index>(r));
    advantages(i) = rollout.advantages(static_cast<Index>(r));
    old_values(i) = rollout.old_values(static_cast<Index>(r));
    returns(i) = rollout.returns(static_cast<Index>(r));
    states.row(i) = rollout.global_states.row(static_cast<Index>(r));
  }
  double mean = 0, var = 0;
  for (Index i = 0; i < n; ++i) mean += advantages(i);
  mean /= static_cast<double>(n);
  for (Index i = 0; i < n; ++i) var += (advantages(i) - mean) * (advantages(i) - mean);
  const double scale = 1.0 / (std::sqrt(var / static_cast<double>(n)) + kAdvantageEpsilon);
  for (Index i = 0; i < n; ++i) advantages(i) = static_cast<float>((advantages(i) - mean) * scale);

  mlp_forward(actor_layers, joined, actor_cache_);
  const RowMatrixF& scores = actor_cache_.activations.back();
  RowMatrix<float> padded = RowMatrix<float>::Zero(n, widest);
  at = 0;
  for (Index i = 0; i < n; ++i) {
    const std::size_t r = static_cast<std::size_t>(rows[static_cast<std::size_t>(i)]);
    for (Index k = 0; k < d.offsets[r + 1] - d.offsets[r]; ++k) padded(i, k) = scores(at++, 0);
  }
  const MaskedCategorical<float> dist = masked_categorical(padded, mask);
  const PpoClipLoss<float> ppo = ppo_clip_loss(Vector<float>(action_log_probs(dist, actions)), old_log_probs,
                                               advantages, settings_.clip);
  double entropy = 0;
  for (Index i = 0; i < n; ++i) entropy += dist.entropy(i);
  entropy /= static_cast<double>(n);

  mlp_forward(critic_layers, states, critic_cache_);
  const ValueLoss<float> vloss = value_loss(Vector<float>(critic_cache_.activations.back().col(0)), old_values, returns,
                                            settings_.value_clip);
  stats.forward_s += seconds_since(t0);

  // ---- backward ----
  t0 = Clock::now();
  // Actor loss = PPO clip - entropy_coef * mean entropy: dL/dH_i = -entropy_coef / n.
  const Vector<float> d_entropy = Vector<float>::Constant(n, -settings_.entropy_coef / static_cast<float>(n));
  const RowMatrix<float> d_padded = masked_categorical_backward(dist, mask, actions, ppo.d_log_prob, d_entropy);
  RowMatrixF d_scores(candidate_rows, 1);
  at = 0;
  for (Index i = 0; i < n; ++i) {
    const std::size_t r = static_cast<std::size_t>(rows[static_cast<std::size_t>(i)]);
    for (Index k = 0; k < d.offsets[r + 1] - d.offsets[r]; ++k) d_scores(at++, 0) = d_padded(i, k);
  }
  if (actor_grads_.size() != actor_layers.size()) actor_grads_ = zero_gradients(actor_layers);
  if (critic_grads_.size() != critic_layers.size()) critic_grads_ = zero_gradients(critic_layers);
  for (auto* grads : {&actor_grads_, &critic_grads_})
    for (LayerGradients& g : *grads) {
      g.weights.setZero();
      g.bias.setZero();
    }
  mlp_backward(actor_layers, actor_cache_, d_scores, actor_grads_);
  if (own_input_gradient_) {
    // dL/d(joined input) = dZ_0 W_0^T (mlp_backward left dZ_0 in its work buffer); each
    // decision's own part summed over its candidate rows, in row order.
    d_input_.resize(candidate_rows, own + cand);
    dense_input_gradient(actor_cache_.work[0], actor_layers.front().weights, d_input_);
    d_own_ = RowMatrixF::Zero(n, own);
    at = 0;
    for (Index i = 0; i < n; ++i) {
      const std::size_t r = static_cast<std::size_t>(rows[static_cast<std::size_t>(i)]);
      for (Index k = 0; k < d.offsets[r + 1] - d.offsets[r]; ++k) d_own_.row(i) += d_input_.row(at++).head(own);
    }
    own_input_gradient_(rows, d_own_);
  }
  const RowMatrixF d_values = vloss.d_value;
  mlp_backward(critic_layers, critic_cache_, d_values, critic_grads_);

  flat_.resize(parameter_count(actor_layers) + parameter_count(critic_layers) + kStats);
  float* out = flat_.data();
  for (auto* grads : {&actor_grads_, &critic_grads_})
    for (const LayerGradients& g : *grads) {
      out = std::copy(g.weights.data(), g.weights.data() + g.weights.size(), out);
      out = std::copy(g.bias.data(), g.bias.data() + g.bias.size(), out);
    }
  out[kPolicyLoss] = ppo.loss;
  out[kValueLoss] = vloss.loss;
  out[kEntropy] = static_cast<float>(entropy);
  out[kApproxKl] = ppo.approx_kl;
  out[kClipFraction] = ppo.clip_fraction;
  average(std::span<float>(flat_));
  stats.backward_s += seconds_since(t0);

  // ---- optimizer ----
  t0 = Clock::now();
  for (std::size_t i = 0; i < flat_.size(); ++i)
    if (!std::isfinite(flat_[i]))
      throw NonFiniteError("PPO update: NaN or Inf in the averaged " +
                           std::string(i + kStats >= flat_.size() ? "losses" : "gradients") + " (epoch " +
                           std::to_string(epoch) + ", minibatch " + std::to_string(index) + ")");
  const double norm = clip_and_step(adam_, parameter_tensors(), flat_, settings_.max_grad_norm);
  stats.optimizer_s += seconds_since(t0);

  const float* s = flat_.data() + flat_.size() - kStats;
  stats.policy_loss += s[kPolicyLoss];
  stats.value_loss += s[kValueLoss];
  stats.entropy += s[kEntropy];
  stats.approx_kl += s[kApproxKl];
  stats.clip_fraction += s[kClipFraction];
  stats.grad_norm += norm;
  ++stats.minibatches;
}

// Layout: the step count in two floats of 16 bits each (exact), then Adam's moments.
std::vector<float> PpoTrainer::optimizer_state() const {
  const long long steps = adam_.steps_taken();
  std::vector<float> state{static_cast<float>(steps % 65536), static_cast<float>(steps / 65536)};
  const std::vector<float> moments = adam_.moments();
  state.insert(state.end(), moments.begin(), moments.end());
  return state;
}

void PpoTrainer::set_optimizer_state(const std::vector<float>& state) {
  if (state.size() < 2 || state[0] < 0 || state[0] >= 65536 || state[1] < 0 || state[0] != std::floor(state[0]) ||
      state[1] != std::floor(state[1]))
    throw std::invalid_argument("PPO trainer: the optimizer state does not start with a step count");
  const long long steps = static_cast<long long>(state[1]) * 65536 + static_cast<long long>(state[0]);
  adam_.restore(steps, std::span<const float>(state).subspan(2));
}

}  // namespace marlsim::nn

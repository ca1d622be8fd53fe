#include "agents/nn/dqn_trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

#include "agents/nn/actor_critic_network.hpp"
#include "agents/nn/layer_tensors.hpp"
#include "engine/support/rng.hpp"

namespace marlsim::nn {

namespace {

using Eigen::Index;

constexpr std::uint64_t kReplayStream = 0x7265706c6179ull;  // "replay"

}  // namespace

void ReplayData::append(const ReplayData& other) {
  if (other.size() == 0) return;
  if (size() == 0 && own.empty()) own_width = other.own_width, candidate_width = other.candidate_width;
  if (other.own_width != own_width || other.candidate_width != candidate_width)
    throw std::invalid_argument("replay: appending decisions of other widths");
  const auto shift = static_cast<std::int64_t>(size());
  const std::uint64_t row_shift = candidate_begin.back();
  own.insert(own.end(), other.own.begin(), other.own.end());
  candidates.insert(candidates.end(), other.candidates.begin(), other.candidates.end());
  for (std::size_t d = 1; d < other.candidate_begin.size(); ++d)
    candidate_begin.push_back(other.candidate_begin[d] + row_shift);
  actions.insert(actions.end(), other.actions.begin(), other.actions.end());
  rewards.insert(rewards.end(), other.rewards.begin(), other.rewards.end());
  for (std::int64_t n : other.next) next.push_back(n < 0 ? -1 : n + shift);
}

// Layout: own_width, candidate_width, decisions, candidate rows, then own, candidate_begin,
// candidates, actions, rewards, next.
std::vector<double> ReplayData::to_doubles() const {
  std::vector<double> v{static_cast<double>(own_width), static_cast<double>(candidate_width),
                        static_cast<double>(size()), static_cast<double>(candidate_begin.back())};
  v.insert(v.end(), own.begin(), own.end());
  v.insert(v.end(), candidate_begin.begin(), candidate_begin.end());
  v.insert(v.end(), candidates.begin(), candidates.end());
  v.insert(v.end(), actions.begin(), actions.end());
  v.insert(v.end(), rewards.begin(), rewards.end());
  v.insert(v.end(), next.begin(), next.end());
  return v;
}

ReplayData ReplayData::from_doubles(const std::vector<double>& v) {
  ReplayData r;
  if (v.size() < 4) throw std::invalid_argument("replay: array too short");
  r.own_width = static_cast<Index>(v[0]);
  r.candidate_width = static_cast<Index>(v[1]);
  const auto n = static_cast<std::size_t>(v[2]), rows = static_cast<std::size_t>(v[3]);
  const std::size_t want = 4 + n * static_cast<std::size_t>(r.own_width) + (n + 1) +
                           rows * static_cast<std::size_t>(r.candidate_width) + 3 * n;
  if (v.size() != want)
    throw std::invalid_argument("replay: " + std::to_string(v.size()) + " values, expected " + std::to_string(want));
  auto it = v.begin() + 4;
  const auto take = [&](auto& out, std::size_t count) {
    using T = typename std::decay_t<decltype(out)>::value_type;
    out.clear();
    for (std::size_t i = 0; i < count; ++i) out.push_back(static_cast<T>(*it++));
  };
  take(r.own, n * static_cast<std::size_t>(r.own_width));
  take(r.candidate_begin, n + 1);
  take(r.candidates, rows * static_cast<std::size_t>(r.candidate_width));
  take(r.actions, n);
  take(r.rewards, n);
  take(r.next, n);
  return r;
}

void joined_rows(const ReplayData& replay, std::size_t d, RowMatrixF& out) {
  const auto first = static_cast<Index>(replay.candidate_begin[d]),
             last = static_cast<Index>(replay.candidate_begin[d + 1]);
  const Index ow = replay.own_width, cw = replay.candidate_width;
  out.resize(last - first, ow + cw);
  for (Index k = 0; k < last - first; ++k) {
    for (Index j = 0; j < ow; ++j) out(k, j) = replay.own[static_cast<std::size_t>(static_cast<Index>(d) * ow + j)];
    for (Index j = 0; j < cw; ++j) out(k, ow + j) = replay.candidates[static_cast<std::size_t>((first + k) * cw + j)];
  }
}

DqnTrainer::DqnTrainer(std::vector<DenseLayer>& online, DqnSettings settings)
    : online_(online), target_(online), settings_(settings), adam_(tensor_sizes(online), settings.adam) {
  if (settings_.minibatch < 1 || settings_.target_period < 1 || !(settings_.max_grad_norm > 0) ||
      !(settings_.huber_delta > 0))
    throw std::invalid_argument("DQN trainer: minibatch and target_period must be >= 1, max_grad_norm and delta > 0");
}

double DqnTrainer::huber_loss(const Eigen::VectorXf& q, const Eigen::VectorXf& y, float delta, Eigen::VectorXf& d_q) {
  const Index b = q.size();
  d_q.resize(b);
  double loss = 0;
  for (Index i = 0; i < b; ++i) {
    const float e = q[i] - y[i];
    const float a = std::abs(e);
    loss += a <= delta ? 0.5 * static_cast<double>(e) * e : static_cast<double>(delta) * (a - 0.5 * delta);
    d_q[i] = std::clamp(e, -delta, delta) / static_cast<float>(b);
  }
  return loss / static_cast<double>(b);
}

Eigen::VectorXf DqnTrainer::targets(const ReplayData& replay, std::span<const std::size_t> rows) const {
  Eigen::VectorXf y(static_cast<Index>(rows.size()));
  // Each row's discounted rewards over up to n_step decisions and the decision it bootstraps
  // from (-1: a terminal came first), with its discount.
  std::vector<float> sum(rows.size(), 0.f), discount(rows.size(), 1.f);
  std::vector<std::int64_t> boot(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::int64_t d = static_cast<std::int64_t>(rows[i]);
    for (int k = 0; k < settings_.n_step && d >= 0; ++k) {
      sum[i] += discount[i] * replay.rewards[static_cast<std::size_t>(d)];
      discount[i] *= settings_.gamma;
      d = replay.next[static_cast<std::size_t>(d)];
    }
    boot[i] = d;
  }
  // Every bootstrap state's candidates in one forward through the target network.
  std::vector<Index> offsets{0};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::int64_t n = boot[i];
    offsets.push_back(offsets.back() +
                      (n < 0 ? 0
                             : static_cast<Index>(replay.candidate_begin[static_cast<std::size_t>(n) + 1] -
                                                  replay.candidate_begin[static_cast<std::size_t>(n)])));
  }
  RowMatrixF next_rows(offsets.back(), replay.own_width + replay.candidate_width), one;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (boot[i] < 0) continue;
    joined_rows(replay, static_cast<std::size_t>(boot[i]), one);
    next_rows.middleRows(offsets[i], one.rows()) = one;
  }
  const RowMatrixF q_next = next_rows.rows() > 0 ? mlp_output(target_, std::move(next_rows)) : RowMatrixF();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    float best = 0;
    if (offsets[i + 1] > offsets[i]) best = q_next.col(0).segment(offsets[i], offsets[i + 1] - offsets[i]).maxCoeff();
    y[static_cast<Index>(i)] = sum[i] + discount[i] * best;
  }
  return y;
}

std::vector<std::size_t> DqnTrainer::minibatch_rows(std::size_t replay_size, std::uint64_t seed) const {
  std::vector<std::size_t> rows(static_cast<std::size_t>(settings_.minibatch));
  RngStream rng(seed, static_cast<std::uint64_t>(steps_), kReplayStream);
  for (std::size_t& r : rows) r = rng.below(replay_size);
  return rows;
}

DqnStats DqnTrainer::train(const ReplayData& replay, int steps, std::uint64_t seed,
                           const std::function<void(std::span<float>)>& average) {
  if (replay.size() == 0) throw std::invalid_argument("DQN trainer: empty replay");
  DqnStats stats;
  for (int s = 0; s < steps; ++s) step(replay, minibatch_rows(replay.size(), seed), average, stats);
  if (stats.steps > 0) {
    stats.loss /= stats.steps;
    stats.mean_q /= stats.steps;
    stats.grad_norm /= stats.steps;
  }
  return stats;
}

void DqnTrainer::step(const ReplayData& replay, std::span<const std::size_t> rows,
                      const std::function<void(std::span<float>)>& average, DqnStats& stats) {
  const Eigen::VectorXf y = targets(replay, rows);
  // Q(s, a) of the chosen candidate of each sampled decision.
  const Index in = replay.own_width + replay.candidate_width;
  RowMatrixF x(static_cast<Index>(rows.size()), in), one;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    joined_rows(replay, rows[i], one);
    x.row(static_cast<Index>(i)) = one.row(replay.actions[rows[i]]);
  }
  mlp_forward(online_, x, cache_);
  const Eigen::VectorXf q = cache_.activations.back().col(0);
  Eigen::VectorXf d_q;
  const double loss = huber_loss(q, y, settings_.huber_delta, d_q);
  if (grads_.empty()) grads_ = zero_gradients(online_);
  for (LayerGradients& g : grads_) g.weights.setZero(), g.bias.setZero();
  const RowMatrixF d_out = d_q;
  mlp_backward(online_, cache_, d_out, grads_);

  std::size_t count = 0;
  for (const LayerGradients& g : grads_) count += static_cast<std::size_t>(g.weights.size() + g.bias.size());
  flat_.resize(count + 2);
  float* out = flat_.data();
  for (const LayerGradients& g : grads_) {
    out = std::copy(g.weights.data(), g.weights.data() + g.weights.size(), out);
    out = std::copy(g.bias.data(), g.bias.data() + g.bias.size(), out);
  }
  out[0] = static_cast<float>(loss);
  out[1] = q.mean();
  average(std::span<float>(flat_));
  for (float v : flat_)
    if (!std::isfinite(v))
      throw NonFiniteError("DQN update: NaN or Inf in the averaged gradients or loss (step " + std::to_string(steps_) +
                           ")");
  const double norm = clip_and_step(adam_, tensors(online_), flat_, settings_.max_grad_norm);
  ++steps_;
  if (steps_ % settings_.target_period == 0) target_ = online_;
  stats.loss += flat_[count];
  stats.mean_q += flat_[count + 1];
  stats.grad_norm += norm;
  ++stats.steps;
}

// Layout: steps, then the target's parameters (layer by layer, weights then bias), then Adam's
// step count and moments.
std::vector<double> DqnTrainer::state() const {
  std::vector<double> v{static_cast<double>(steps_)};
  for (const DenseLayer& l : target_) {
    v.insert(v.end(), l.weights.data(), l.weights.data() + l.weights.size());
    v.insert(v.end(), l.bias.data(), l.bias.data() + l.bias.size());
  }
  v.push_back(static_cast<double>(adam_.steps_taken()));
  const std::vector<float> m = adam_.moments();
  v.insert(v.end(), m.begin(), m.end());
  return v;
}

void DqnTrainer::restore(const std::vector<double>& v) {
  std::size_t params = 0;
  for (const DenseLayer& l : target_) params += static_cast<std::size_t>(l.weights.size() + l.bias.size());
  if (v.size() != 2 + 3 * params)
    throw std::invalid_argument("DQN trainer state: " + std::to_string(v.size()) + " values, expected " +
                                std::to_string(2 + 3 * params));
  std::size_t i = 0;
  steps_ = static_cast<long long>(v[i++]);
  for (DenseLayer& l : target_) {
    for (Index k = 0; k < l.weights.size(); ++k) l.weights.data()[k] = static_cast<float>(v[i++]);
    for (Index k = 0; k < l.bias.size(); ++k) l.bias.data()[k] = static_cast<float>(v[i++]);
  }
  const auto adam_steps = static_cast<long long>(v[i++]);
  const std::vector<float> moments(v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  adam_.restore(adam_steps, moments);
}

}  // namespace marlsim::nn

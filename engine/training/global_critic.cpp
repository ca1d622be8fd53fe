#include "engine/training/global_critic.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "agents/nn/layer_tensors.hpp"
#include "engine/support/rng.hpp"

namespace marlsim {

namespace {

constexpr std::uint64_t kShuffleStream = 0x676c'6f62ull;  // "glob": the minibatch shuffles' Philox stream

}  // namespace

std::vector<float> cycle_returns(const DecisionLog& log, std::span<const float> rewards, double gamma) {
  if (rewards.size() != log.decisions()) throw std::invalid_argument("cycle_returns: one reward per decision expected");
  std::vector<double> cycle_reward(log.cycles(), 0.0);
  for (std::size_t d = 0; d < rewards.size(); ++d) cycle_reward.at(log.global_state[d]) += rewards[d];
  std::vector<float> returns(cycle_reward.size());
  double g = 0;
  for (std::size_t c = cycle_reward.size(); c-- > 0;) returns[c] = static_cast<float>(g = cycle_reward[c] + gamma * g);
  return returns;
}

nn::RowMatrixF cycle_states(const DecisionLog& log) {
  const auto rows = static_cast<Eigen::Index>(log.cycles()), width = static_cast<Eigen::Index>(log.global_width);
  nn::RowMatrixF x(rows, width);
  std::copy(log.global_states.begin(), log.global_states.begin() + rows * width, x.data());
  return x;
}

GlobalCritic::GlobalCritic(Eigen::Index global_width, std::vector<Eigen::Index> hidden, const nn::PpoSettings& settings,
                           std::uint64_t seed)
    : critic_(global_width, hidden, std::vector<nn::Activation>(hidden.size(), nn::Activation::Relu), seed),
      settings_(settings),
      adam_(nn::tensor_sizes(critic_.layers()), settings.adam) {}

Eigen::VectorXf GlobalCritic::values(const nn::RowMatrixF& states) const {
  Eigen::VectorXf v = critic_.values(states);
  norm_.denormalize({v.data(), static_cast<std::size_t>(v.size())});
  return v;
}

double GlobalCritic::fit(const Communicator& comm, const nn::RowMatrixF& states, std::vector<float> returns,
                         std::uint64_t seed) {
  const Eigen::Index n = states.rows();
  if (static_cast<std::size_t>(n) != returns.size())
    throw std::invalid_argument("global critic: one return per state expected");
  norm_.update(comm.all_gather(returns));
  norm_.normalize(returns);
  const SimTime most = comm.allreduce_max(static_cast<SimTime>(n)),
                fewest = comm.allreduce_min(static_cast<SimTime>(n));
  if (fewest == 0) return 0;
  const auto minibatches = static_cast<Eigen::Index>(
      std::min<SimTime>(fewest, (most + settings_.minibatch - 1) / settings_.minibatch));
  std::vector<nn::DenseLayer>& layers = critic_.layers();
  if (grads_.empty()) grads_ = nn::zero_gradients(layers);
  std::vector<float> flat;
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  double loss_sum = 0;
  int steps = 0;
  for (int epoch = 0; epoch < settings_.epochs; ++epoch) {
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    RngStream rng(seed, static_cast<std::uint64_t>(epoch), kShuffleStream);
    for (std::size_t i = order.size(); i-- > 1;) std::swap(order[i], order[rng.below(i + 1)]);
    for (Eigen::Index b = 0; b < minibatches; ++b) {
      const Eigen::Index begin = n * b / minibatches, m = n * (b + 1) / minibatches - begin;
      cache_.activations.resize(layers.size() + 1);
      nn::RowMatrixF& x = cache_.activations[0];
      x.resize(m, states.cols());
      Eigen::VectorXf y(m);
      for (Eigen::Index i = 0; i < m; ++i) {
        const Eigen::Index r = order[static_cast<std::size_t>(begin + i)];
        x.row(i) = states.row(r);
        y(i) = returns[static_cast<std::size_t>(r)];
      }
      nn::mlp_forward(layers, x, cache_);
      nn::RowMatrixF d(m, 1);
      double loss = 0;
      for (Eigen::Index i = 0; i < m; ++i) {
        const float e = cache_.activations.back()(i, 0) - y(i);
        loss += 0.5 * static_cast<double>(e) * e;
        d(i, 0) = e / static_cast<float>(m);
      }
      for (nn::LayerGradients& g : grads_) g.weights.setZero(), g.bias.setZero();
      nn::mlp_backward(layers, cache_, d, grads_);
      flat.clear();
      for (const nn::LayerGradients& g : grads_) {
        flat.insert(flat.end(), g.weights.data(), g.weights.data() + g.weights.size());
        flat.insert(flat.end(), g.bias.data(), g.bias.data() + g.bias.size());
      }
      flat.push_back(static_cast<float>(loss / static_cast<double>(m)));
      comm.allreduce_mean(flat);
      if (!std::all_of(flat.begin(), flat.end(), [](float v) { return std::isfinite(v); }))
        throw nn::NonFiniteError("global critic fit: NaN or Inf in the averaged gradients or loss (epoch " +
                                 std::to_string(epoch) + ", minibatch " + std::to_string(b) + ")");
      nn::clip_and_step(adam_, nn::tensors(layers), flat, settings_.max_grad_norm);
      loss_sum += flat.back();
      ++steps;
    }
  }
  return steps > 0 ? loss_sum / steps : 0;
}

std::vector<double> GlobalCritic::optimizer_state() const { return adam_.state(); }

void GlobalCritic::set_optimizer_state(std::span<const double> state) { adam_.restore(state); }

}  // namespace marlsim

#include "agents/nn/adam.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace marlsim::nn {

Adam::Adam(std::vector<std::size_t> tensor_sizes, AdamSettings settings) : settings_(settings) {
  for (std::size_t n : tensor_sizes) {
    m_.emplace_back(n, 0.0f);
    v_.emplace_back(n, 0.0f);
  }
}

void Adam::step(std::span<const std::span<float>> params, std::span<const std::span<const float>> grads) {
  if (params.size() != m_.size() || grads.size() != m_.size())
    throw std::invalid_argument("Adam::step: expected " + std::to_string(m_.size()) + " parameter tensors, got " +
                                std::to_string(params.size()) + " and " + std::to_string(grads.size()) + " gradients");
  for (std::size_t i = 0; i < m_.size(); ++i)
    if (params[i].size() != m_[i].size() || grads[i].size() != m_[i].size())
      throw std::invalid_argument("Adam::step: tensor " + std::to_string(i) + " should have " +
                                  std::to_string(m_[i].size()) + " floats");
  ++step_;
  const double t = static_cast<double>(step_);
  const float step_size = static_cast<float>(settings_.learning_rate /
                                             (1.0 - std::pow(static_cast<double>(settings_.beta1), t)));
  const float bias2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(static_cast<double>(settings_.beta2), t)));
  const float b1 = settings_.beta1, b2 = settings_.beta2, eps = settings_.epsilon;
  for (std::size_t i = 0; i < m_.size(); ++i) {
    float* p = params[i].data();
    const float* g = grads[i].data();
    float* m = m_[i].data();
    float* v = v_[i].data();
    for (std::size_t k = 0; k < m_[i].size(); ++k) {
      m[k] = b1 * m[k] + (1.0f - b1) * g[k];
      v[k] = b2 * v[k] + (1.0f - b2) * g[k] * g[k];
      p[k] -= step_size * m[k] / (std::sqrt(v[k]) / bias2_sqrt + eps);
    }
  }
}

std::vector<float> Adam::moments() const {
  std::vector<float> out;
  for (const auto* moment : {&m_, &v_})
    for (const std::vector<float>& tensor : *moment) out.insert(out.end(), tensor.begin(), tensor.end());
  return out;
}

void Adam::restore(long long steps, std::span<const float> moments) {
  std::size_t total = 0;
  for (const std::vector<float>& tensor : m_) total += 2 * tensor.size();
  if (moments.size() != total || steps < 0)
    throw std::invalid_argument("Adam::restore: expected " + std::to_string(total) + " moments and steps >= 0, got " +
                                std::to_string(moments.size()) + " moments and " + std::to_string(steps) + " steps");
  std::size_t at = 0;
  for (auto* moment : {&m_, &v_})
    for (std::vector<float>& tensor : *moment) {
      std::copy(moments.begin() + static_cast<std::ptrdiff_t>(at),
                moments.begin() + static_cast<std::ptrdiff_t>(at + tensor.size()), tensor.begin());
      at += tensor.size();
    }
  step_ = steps;
}

std::vector<double> Adam::state() const {
  const std::vector<float> m = moments();
  std::vector<double> state{static_cast<double>(step_)};
  state.insert(state.end(), m.begin(), m.end());
  return state;
}

void Adam::restore(std::span<const double> state) {
  if (state.empty() || state[0] < 0 || state[0] != std::floor(state[0]))
    throw std::invalid_argument("Adam::restore: the optimizer state does not start with a step count");
  restore(static_cast<long long>(state[0]), std::vector<float>(state.begin() + 1, state.end()));
}

}  // namespace marlsim::nn

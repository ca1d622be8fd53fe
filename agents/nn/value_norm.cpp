#include "agents/nn/value_norm.hpp"

#include <algorithm>
#include <cmath>

namespace marlsim::nn {

void ValueNorm::update(std::span<const float> returns) {
  if (returns.empty()) return;
  double sum = 0, sum_sq = 0;
  for (float r : returns) {
    sum += r;
    sum_sq += static_cast<double>(r) * r;
  }
  const double n = static_cast<double>(returns.size());
  running_mean = beta_ * running_mean + (1 - beta_) * (sum / n);
  running_mean_sq = beta_ * running_mean_sq + (1 - beta_) * (sum_sq / n);
  debiasing_term = beta_ * debiasing_term + (1 - beta_);
}

double ValueNorm::mean() const { return running_mean / std::max(debiasing_term, epsilon_); }

double ValueNorm::variance() const {
  const double mu = mean();
  return std::max(running_mean_sq / std::max(debiasing_term, epsilon_) - mu * mu, 1e-2);
}

void ValueNorm::normalize(std::span<float> values) const {
  const double mu = mean(), sd = std::sqrt(variance());
  for (float& v : values) v = static_cast<float>((v - mu) / sd);
}

void ValueNorm::denormalize(std::span<float> values) const {
  const double mu = mean(), sd = std::sqrt(variance());
  for (float& v : values) v = static_cast<float>(v * sd + mu);
}

}  // namespace marlsim::nn

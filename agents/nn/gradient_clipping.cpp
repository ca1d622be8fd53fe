#include "agents/nn/gradient_clipping.hpp"

#include <cmath>

namespace marlsim::nn {

double global_gradient_norm(std::span<const std::span<float>> grads) {
  double sum_sq = 0;
  for (std::span<float> g : grads)
    for (float x : g) sum_sq += static_cast<double>(x) * x;
  return std::sqrt(sum_sq);
}

double clip_gradient_norm(std::span<const std::span<float>> grads, double max_norm) {
  const double norm = global_gradient_norm(grads);
  if (norm > max_norm) {
    const float scale = static_cast<float>(max_norm / (norm + 1e-6));
    for (std::span<float> g : grads)
      for (float& x : g) x *= scale;
  }
  return norm;
}

}  // namespace marlsim::nn

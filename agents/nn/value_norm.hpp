#pragma once
// Value normalisation as MAPPO's ValueNorm (onpolicy/algorithms/utils/valuenorm.py), not
// PopArt: the critic learns targets in normalised units, and its outputs are denormalised
// before GAE; unlike PopArt, the output layer is not rescaled when the statistics move.
// Running statistics, debiased like Adam's moments (beta 0.99999, epsilon 1e-5):
//   mean   <- beta mean + (1 - beta) batch_mean      mean_sq <- beta mean_sq + (1 - beta) batch_mean_sq
//   debias <- beta debias + (1 - beta)
//   mu = mean / max(debias, eps),  var = max(mean_sq / max(debias, eps) - mu^2, 1e-2)
//   normalize(x) = (x - mu) / sqrt(var),  denormalize(y) = y sqrt(var) + mu
// Batch moments are summed in double, in order (deterministic).
#include <span>

namespace marlsim::nn {

class ValueNorm {
 public:
  explicit ValueNorm(double beta = 0.99999, double epsilon = 1e-5) : beta_(beta), epsilon_(epsilon) {}

  void update(std::span<const float> returns);
  double mean() const;
  double variance() const;
  void normalize(std::span<float> values) const;
  void denormalize(std::span<float> values) const;

  // The state a checkpoint keeps.
  double running_mean = 0, running_mean_sq = 0, debiasing_term = 0;

 private:
  double beta_, epsilon_;
};

}  // namespace marlsim::nn

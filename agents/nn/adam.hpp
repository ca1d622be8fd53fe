#pragma once
// Adam (Kingma & Ba 2015) with bias correction, in PyTorch's form (torch.optim.Adam, no weight
// decay, no amsgrad), with MAPPO's defaults: lr 5e-4, eps 1e-5 (MAPPO's opti_eps; PyTorch's
// own default is 1e-8), betas 0.9 / 0.999. For step t = 1, 2, ... and each parameter p with
// gradient g:
//   m = beta1 m + (1 - beta1) g          v = beta2 v + (1 - beta2) g^2
//   p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// Elementwise in float with the bias corrections computed in double: deterministic, and
// independent of how parameters are grouped into tensors.
#include <cstddef>
#include <span>
#include <vector>

namespace marlsim::nn {

struct AdamSettings {
  float learning_rate = 5e-4f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float epsilon = 1e-5f;
};

class Adam {
 public:
  // One moment pair per parameter tensor, of the given sizes (in floats).
  Adam(std::vector<std::size_t> tensor_sizes, AdamSettings settings = {});

  // params[i] and grads[i] must have tensor_sizes[i] floats.
  void step(std::span<const std::span<float>> params, std::span<const std::span<const float>> grads);

  long long steps_taken() const { return step_; }
  // What an exact resume needs besides steps_taken(): the first moments of every tensor in
  // order, then the second moments.
  std::vector<float> moments() const;
  // Restores a state saved from an Adam over the same tensor sizes (refuses another size).
  void restore(long long steps, std::span<const float> moments);
  // Both in one flat array, the step count first (checkpoints store it as a trainer array).
  std::vector<double> state() const;
  void restore(std::span<const double> state);  // throws std::invalid_argument on a bad step count
  const AdamSettings& settings() const { return settings_; }

 private:
  AdamSettings settings_;
  std::vector<std::vector<float>> m_, v_;
  long long step_ = 0;
};

}  // namespace marlsim::nn

#pragma once
// Global gradient-norm clipping (torch.nn.utils.clip_grad_norm_; MAPPO's max_grad_norm is
// 10): the L2 norm of all gradients together, and if it exceeds max_norm every gradient is
// scaled by max_norm / (norm + 1e-6). The norm is summed in double over the tensors in
// order and their elements in order, so it is deterministic.
#include <span>

namespace marlsim::nn {

double global_gradient_norm(std::span<const std::span<float>> grads);

// Returns the norm before clipping (a diverging update shows here first).
double clip_gradient_norm(std::span<const std::span<float>> grads, double max_norm);

}  // namespace marlsim::nn

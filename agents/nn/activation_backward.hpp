#pragma once
// The backward of the elementwise activations: dz = dy * act'(z), written in terms of the
// layer's output y = act(z) so the forward pass need not keep the pre-activation.
//   identity: dz = dy;   relu: dz = y > 0 ? dy : 0;   tanh: dz = dy * (1 - y * y).
// ReLU's derivative at z = 0 is taken as 0 (as PyTorch does). Elementwise, so bit-exact at
// any batch size and thread count.
#include "agents/nn/activation.hpp"
#include "agents/nn/dense_kernel.hpp"

namespace marlsim::nn {

// y, dy, dz: batch x out; dz may be dy itself (in place).
void activation_backward(Activation act, Eigen::Ref<const RowMatrixF> y, Eigen::Ref<const RowMatrixF> dy,
                         Eigen::Ref<RowMatrixF> dz);

}  // namespace marlsim::nn

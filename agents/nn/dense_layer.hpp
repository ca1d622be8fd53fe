#pragma once
// One dense layer's parameters, y = act(x * weights + bias) (computed by dense_forward).
#include <Eigen/Core>

#include "agents/nn/activation.hpp"
#include "agents/nn/dense_kernel.hpp"

namespace marlsim::nn {

struct DenseLayer {
  RowMatrixF weights;       // in x out
  Eigen::RowVectorXf bias;  // out
  Activation activation = Activation::Identity;
};

}  // namespace marlsim::nn

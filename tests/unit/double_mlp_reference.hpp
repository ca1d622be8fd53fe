#pragma once
// An independent double-precision forward pass of a list of dense layers, the reference the
// gradient tests differentiate numerically (test_mlp.cpp, test_ppo_trainer.cpp).
#include <cmath>
#include <vector>

#include "agents/nn/dense_layer.hpp"

namespace marlsim::test {

using RowMatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

inline double activate(nn::Activation act, double z) {
  switch (act) {
    case nn::Activation::Identity: return z;
    case nn::Activation::Relu: return z > 0 ? z : 0;
    case nn::Activation::Tanh: return std::tanh(z);
  }
  return z;
}

struct LayerD {
  RowMatrixD w, b;
  nn::Activation act;
};

inline std::vector<LayerD> to_double(const std::vector<nn::DenseLayer>& layers) {
  std::vector<LayerD> d;
  for (const nn::DenseLayer& l : layers) d.push_back({l.weights.cast<double>(), l.bias.cast<double>(), l.activation});
  return d;
}

inline RowMatrixD forward_double(const std::vector<LayerD>& layers, RowMatrixD x) {
  for (const LayerD& l : layers) {
    RowMatrixD z = x * l.w;
    for (Eigen::Index r = 0; r < z.rows(); ++r)
      for (Eigen::Index j = 0; j < z.cols(); ++j) z(r, j) = activate(l.act, z(r, j) + l.b(0, j));
    x = std::move(z);
  }
  return x;
}

}  // namespace marlsim::test

#include "agents/nn/activation_backward.hpp"

#include <stdexcept>
#include <string>

namespace marlsim::nn {

void activation_backward(Activation act, Eigen::Ref<const RowMatrixF> y, Eigen::Ref<const RowMatrixF> dy,
                         Eigen::Ref<RowMatrixF> dz) {
  if (dy.rows() != y.rows() || dy.cols() != y.cols() || dz.rows() != y.rows() || dz.cols() != y.cols())
    throw std::invalid_argument("activation_backward: y, dy and dz must have the same shape (y is " +
                                std::to_string(y.rows()) + "x" + std::to_string(y.cols()) + ")");
  // One loop per activation (a switch inside the loop keeps it from vectorizing).
  const auto each_row = [&](auto&& f) {
    for (Eigen::Index r = 0; r < y.rows(); ++r) {
      const float* yr = y.data() + r * y.outerStride();
      const float* dyr = dy.data() + r * dy.outerStride();
      float* dzr = dz.data() + r * dz.outerStride();
      for (Eigen::Index j = 0; j < y.cols(); ++j) dzr[j] = f(yr[j], dyr[j]);
    }
  };
  switch (act) {
    case Activation::Identity: each_row([](float, float g) { return g; }); break;
    case Activation::Relu: each_row([](float v, float g) { return v > 0.0f ? g : 0.0f; }); break;
    case Activation::Tanh: each_row([](float v, float g) { return g * (1.0f - v * v); }); break;
  }
}

}  // namespace marlsim::nn

#include "agents/nn/dense_kernel.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "agents/nn/detail/dense_rows.hpp"
#include "agents/nn/detail/row_tiles.hpp"

namespace marlsim::nn {
namespace {

using Index = Eigen::Index;

std::string shape(Index rows, Index cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

bool overlaps(const float* a, Index a_floats, const float* b, Index b_floats) {
  return a < b + b_floats && b < a + a_floats;
}

}  // namespace

namespace detail {

DenseRows dense_rows_for(SimdLevel simd) {
  if (!simd_level_supported(simd)) simd = best_simd_level();
  return simd == SimdLevel::Avx512 ? dense_rows_avx512
         : simd == SimdLevel::Avx2 ? dense_rows_avx2
                                   : dense_rows_portable;
}

}  // namespace detail

void dense_forward(Eigen::Ref<const RowMatrixF> x, Eigen::Ref<const RowMatrixF> w,
                   Eigen::Ref<const Eigen::RowVectorXf> b, Activation act, Eigen::Ref<RowMatrixF> y, SimdLevel simd) {
  const Index batch = x.rows(), in = w.rows(), out = w.cols();
  if (x.cols() != in || b.size() != out || y.rows() != batch || y.cols() != out)
    throw std::invalid_argument("dense_forward: shapes do not match: x " + shape(x.rows(), x.cols()) + ", w " +
                                shape(in, out) + ", b " + std::to_string(b.size()) + ", y " +
                                shape(y.rows(), y.cols()));
  if (batch == 0 || out == 0) return;
  if (overlaps(x.data(), (batch - 1) * x.outerStride() + in, y.data(), (batch - 1) * y.outerStride() + out))
    throw std::invalid_argument("dense_forward: y must not overlap x");

  const detail::DenseRows rows = detail::dense_rows_for(simd);
  const detail::DenseArgs args{.x = x.data(),
                               .ldx = x.outerStride(),
                               .w = w.data(),
                               .ldw = w.outerStride(),
                               .b = b.data(),
                               .y = y.data(),
                               .ldy = y.outerStride(),
                               .in = in,
                               .out = out,
                               .relu = act == Activation::Relu,
                               .x_transposed = false,
                               .accumulate = false,
                               .relu_mask = nullptr,
                               .ldm = 0};

  const double fma = static_cast<double>(batch) * static_cast<double>(in) * static_cast<double>(out);
  detail::for_each_row_tile(batch, fma, [&](Index begin, Index end) {
    rows(args, begin, end);
    if (act == Activation::Tanh)
      for (Index r = begin; r < end; ++r)
        for (Index j = 0; j < out; ++j) y(r, j) = std::tanh(y(r, j));
  });
}

}  // namespace marlsim::nn

#include "agents/nn/dense_kernel.hpp"

#include <omp.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "agents/nn/detail/dense_rows.hpp"

namespace marlsim::nn {
namespace {

using Index = Eigen::Index;

// Below this many multiply-adds a parallel region costs more than it saves (~1 us to start).
constexpr double kParallelMinFma = 1 << 18;

std::string shape(Index rows, Index cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

bool overlaps(const float* a, Index a_floats, const float* b, Index b_floats) {
  return a < b + b_floats && b < a + a_floats;
}

}  // namespace

namespace detail {

DenseRows dense_rows_for(SimdLevel simd) {
  if (!simd_level_supported(simd)) simd = best_simd_level();
  return simd == SimdLevel::Avx512 ? dense_rows_avx512 : simd == SimdLevel::Avx2 ? dense_rows_avx2 : dense_rows_portable;
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
                               .accumulate = false};

  const auto tile = [&](Index t) {
    const Index begin = t * kDenseRowTile;
    const Index end = begin + kDenseRowTile < batch ? begin + kDenseRowTile : batch;
    rows(args, begin, end);
    if (act == Activation::Tanh)
      for (Index r = begin; r < end; ++r)
        for (Index j = 0; j < out; ++j) y(r, j) = std::tanh(y(r, j));
  };
  // Threads take whole row tiles; a row's arithmetic is the same in any tile on any thread.
  // Small batches skip the parallel region (even an if(false) one costs a team start).
  const Index tiles = (batch + kDenseRowTile - 1) / kDenseRowTile;
  const double fma = static_cast<double>(batch) * static_cast<double>(in) * static_cast<double>(out);
  if (tiles > 1 && fma >= kParallelMinFma && omp_get_max_threads() > 1 && !omp_in_parallel()) {
#pragma omp parallel for schedule(static)
    for (Index t = 0; t < tiles; ++t) tile(t);
  } else {
    for (Index t = 0; t < tiles; ++t) tile(t);
  }
}

}  // namespace marlsim::nn

#include "agents/nn/dense_backward.hpp"

#include <omp.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "agents/nn/detail/dense_rows.hpp"
#include "agents/nn/detail/row_tiles.hpp"

namespace marlsim::nn {
namespace {

using Index = Eigen::Index;

std::string shape(Index rows, Index cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

// dX = dZ * W^T is a dense layer with weights W^T and no bias: the forward kernel's row
// contract (each dx[r][k] a fixed fma chain over j) carries over, with the ReLU mask of
// relu_y (if not null) applied as each row is stored.
void input_gradient(Eigen::Ref<const RowMatrixF> dz, Eigen::Ref<const RowMatrixF> w, const RowMatrixF* relu_y,
                    Eigen::Ref<RowMatrixF> dx) {
  if (dz.cols() != w.cols() || dx.rows() != dz.rows() || dx.cols() != w.rows())
    throw std::invalid_argument("dense_input_gradient: shapes do not match: dz " + shape(dz.rows(), dz.cols()) +
                                ", w " + shape(w.rows(), w.cols()) + ", dx " + shape(dx.rows(), dx.cols()));
  if (relu_y && (relu_y->rows() != dx.rows() || relu_y->cols() != dx.cols()))
    throw std::invalid_argument("dense_input_gradient_through_relu: relu_y is " +
                                shape(relu_y->rows(), relu_y->cols()) + ", dx " + shape(dx.rows(), dx.cols()));
  const Index batch = dz.rows(), in = w.rows(), out = w.cols();
  if (batch == 0 || in == 0) return;
  if (dz.data() < dx.data() + (batch - 1) * dx.outerStride() + in &&
      dx.data() < dz.data() + (batch - 1) * dz.outerStride() + out)
    throw std::invalid_argument("dense_input_gradient: dx must not overlap dz");
  const RowMatrixF wt = w.transpose();
  const Eigen::RowVectorXf zero = Eigen::RowVectorXf::Zero(in);
  const detail::DenseRows rows = detail::dense_rows_for(best_simd_level());
  const detail::DenseArgs args{.x = dz.data(),
                               .ldx = dz.outerStride(),
                               .w = wt.data(),
                               .ldw = wt.outerStride(),
                               .b = zero.data(),
                               .y = dx.data(),
                               .ldy = dx.outerStride(),
                               .in = out,
                               .out = in,
                               .relu = false,
                               .x_transposed = false,
                               .accumulate = false,
                               .relu_mask = relu_y ? relu_y->data() : nullptr,
                               .ldm = relu_y ? relu_y->outerStride() : 0};
  const double fma = static_cast<double>(batch) * static_cast<double>(in) * static_cast<double>(out);
  detail::for_each_row_tile(batch, fma, [&](Index begin, Index end) { rows(args, begin, end); });
}

}  // namespace

void dense_input_gradient(Eigen::Ref<const RowMatrixF> dz, Eigen::Ref<const RowMatrixF> w, Eigen::Ref<RowMatrixF> dx) {
  input_gradient(dz, w, nullptr, dx);
}

void dense_input_gradient_through_relu(Eigen::Ref<const RowMatrixF> dz, Eigen::Ref<const RowMatrixF> w,
                                       const RowMatrixF& relu_y, Eigen::Ref<RowMatrixF> dx) {
  input_gradient(dz, w, &relu_y, dx);
}

void accumulate_dense_parameter_gradients(Eigen::Ref<const RowMatrixF> x, Eigen::Ref<const RowMatrixF> dz,
                                          Eigen::Ref<RowMatrixF> dw, Eigen::Ref<Eigen::RowVectorXf> db,
                                          SimdLevel simd) {
  const Index batch = x.rows(), in = x.cols(), out = dz.cols();
  if (dz.rows() != batch || dw.rows() != in || dw.cols() != out || db.size() != out)
    throw std::invalid_argument("accumulate_dense_parameter_gradients: shapes do not match: x " + shape(batch, in) +
                                ", dz " + shape(dz.rows(), out) + ", dw " + shape(dw.rows(), dw.cols()) + ", db " +
                                std::to_string(db.size()));
  if (batch == 0 || out == 0) return;
  const Index chunks = (batch + kGradientRowChunk - 1) / kGradientRowChunk;

  // db: one partial per chunk from zero, rows in order, added in chunk order; summed right
  // after the chunk's dW pass (by one thread), while dZ_c is still in cache.
  const auto db_of_chunk = [&](Index begin, Index n, float* partial) {
    std::fill(partial, partial + out, 0.0f);
    for (Index r = begin; r < begin + n; ++r) {
      const float* row = dz.data() + r * dz.outerStride();
      for (Index j = 0; j < out; ++j) partial[j] += row[j];
    }
    for (Index j = 0; j < out; ++j) db[j] += partial[j];
  };

  // dW rows [k0, k1) (and db if with_db): for each chunk c, in order, the dense row kernel computes
  // p = X_c[:, k0:k1]^T * dZ_c with zero bias (exactly the contract's fma chain, each p[k][j]
  // in its own register) reading X_c's rows as the columns of X_c^T in place, and adds p to dW
  // as it stores it: no transposed copy of X and no partial-sum buffer.
  const detail::DenseRows kernel = detail::dense_rows_for(simd);
  const Eigen::RowVectorXf zero = Eigen::RowVectorXf::Zero(out);
  const auto rows_of_dw = [&](Index k0, Index k1, bool with_db) {
    std::vector<float> partial_b(with_db ? static_cast<std::size_t>(out) : 0);
    for (Index c = 0; c < chunks; ++c) {
      const Index begin = c * kGradientRowChunk, n = std::min(batch, begin + kGradientRowChunk) - begin;
      const detail::DenseArgs args{.x = x.data() + begin * x.outerStride(),
                                   .ldx = x.outerStride(),
                                   .w = dz.data() + begin * dz.outerStride(),
                                   .ldw = dz.outerStride(),
                                   .b = zero.data(),
                                   .y = dw.data(),
                                   .ldy = dw.outerStride(),
                                   .in = n,
                                   .out = out,
                                   .relu = false,
                                   .x_transposed = true,
                                   .accumulate = true,
                                   .relu_mask = nullptr,
                                   .ldm = 0};
      if (k0 < k1) kernel(args, k0, k1);
      if (with_db) db_of_chunk(begin, n, partial_b.data());
    }
  };
  const double fma = static_cast<double>(batch) * static_cast<double>(in) * static_cast<double>(out);
  if (in > 1 && fma >= detail::kParallelMinFma && omp_get_max_threads() > 1 && !omp_in_parallel()) {
#pragma omp parallel
    {
      const Index threads = omp_get_num_threads(), t = omp_get_thread_num();
      rows_of_dw(in * t / threads, in * (t + 1) / threads, t == 0);
    }
  } else {
    rows_of_dw(0, in, true);
  }
}

}  // namespace marlsim::nn

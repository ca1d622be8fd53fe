#include "agents/nn/dense_backward.hpp"

#include <omp.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "agents/nn/detail/dense_rows.hpp"

namespace marlsim::nn {
namespace {

using Index = Eigen::Index;

// Below this many multiply-adds a parallel region costs more than it saves.
constexpr double kParallelMinFma = 1 << 18;

std::string shape(Index rows, Index cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

}  // namespace

void dense_input_gradient(Eigen::Ref<const RowMatrixF> dz, Eigen::Ref<const RowMatrixF> w, Eigen::Ref<RowMatrixF> dx) {
  if (dz.cols() != w.cols() || dx.rows() != dz.rows() || dx.cols() != w.rows())
    throw std::invalid_argument("dense_input_gradient: shapes do not match: dz " + shape(dz.rows(), dz.cols()) +
                                ", w " + shape(w.rows(), w.cols()) + ", dx " + shape(dx.rows(), dx.cols()));
  // dX = dZ * W^T is a dense layer with weights W^T and no bias: the forward kernel's row
  // contract (each dx[r][k] a fixed fma chain over j) carries over.
  const RowMatrixF wt = w.transpose();
  const Eigen::RowVectorXf zero = Eigen::RowVectorXf::Zero(w.rows());
  dense_forward(dz, wt, zero, Activation::Identity, dx);
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

  // db: one partial per chunk from zero, rows in order, added in chunk order.
  Eigen::RowVectorXf partial_b(out);
  for (Index c = 0; c < chunks; ++c) {
    const Index begin = c * kGradientRowChunk, end = std::min(batch, begin + kGradientRowChunk);
    partial_b.setZero();
    for (Index r = begin; r < end; ++r) partial_b += dz.row(r);
    db += partial_b;
  }
  if (in == 0) return;

  // dW rows [k0, k1): for each chunk c, in order, the dense row kernel computes
  // p = X_c[:, k0:k1]^T * dZ_c with zero bias (exactly the contract's fma chain, each p[k][j]
  // in its own register) reading X_c's rows as the columns of X_c^T in place, and adds p to dW
  // as it stores it: no transposed copy of X and no partial-sum buffer.
  const detail::DenseRows kernel = detail::dense_rows_for(simd);
  const Eigen::RowVectorXf zero = Eigen::RowVectorXf::Zero(out);
  const auto rows_of_dw = [&](Index k0, Index k1) {
    for (Index c = 0; c < chunks && k0 < k1; ++c) {
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
                                   .accumulate = true};
      kernel(args, k0, k1);
    }
  };
  const double fma = static_cast<double>(batch) * static_cast<double>(in) * static_cast<double>(out);
  if (in > 1 && fma >= kParallelMinFma && omp_get_max_threads() > 1 && !omp_in_parallel()) {
#pragma omp parallel
    {
      const Index threads = omp_get_num_threads(), t = omp_get_thread_num();
      rows_of_dw(in * t / threads, in * (t + 1) / threads);
    }
  } else {
    rows_of_dw(0, in);
  }
}

}  // namespace marlsim::nn

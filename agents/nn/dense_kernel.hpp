#pragma once
// The batched dense layer, Y = act(X * W + b), with every row's bits independent of the batch
// it is computed in and of the OpenMP thread count.
//
// Why not Eigen's product: Eigen picks a different kernel (GEMV or GEMM, blocking, threads)
// by batch size and thread count, and those sum each output in a different order, so the same
// row comes out with different last bits. The per-rank batch depends on the partition, so that
// would make results depend on the rank count (DESIGN.md, "Bit-identical batches").
//
// The contract: every output y[r][j] is computed as
//     acc = b[j];  for k = 0 .. in-1: acc = fma(x[r][k], w[k][j], acc);  y[r][j] = act(acc)
// in exactly that order, whatever the batch size, the thread count, the row's position in the
// batch or the SIMD level. Rows are vectorized across outputs (j), never across the inner
// dimension (k), and threads share out rows. fma is the correctly rounded fused multiply-add,
// so the result does not depend on -ffp-contract or -march either; tanh is std::tanh.
#include <Eigen/Core>

#include "agents/nn/activation.hpp"
#include "agents/nn/simd_level.hpp"

namespace marlsim::nn {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Rows per unit of thread work: threads take whole tiles in a static schedule. The last tile
// is not padded: no output's chain depends on another row, so a short tile (or a short
// register block) computes the same bits; the [dense] tests check it. 48 is a whole number of
// every kernel's row blocks (6, 16, 24): a 32-row tile ended in a 2-row block that ran at
// half speed (~5 % of a central-critic update step).
inline constexpr Eigen::Index kDenseRowTile = 48;

// x: batch x in, w: in x out, b: out, y: batch x out (resized by the caller; it must not
// alias x). Runs on the OpenMP threads of the caller (omp_get_max_threads()) when the batch is
// large enough to pay for them; serially when called inside a parallel region.
// `simd` is for tests and benchmarks; a level the CPU cannot run falls back to the best one.
void dense_forward(Eigen::Ref<const RowMatrixF> x, Eigen::Ref<const RowMatrixF> w,
                   Eigen::Ref<const Eigen::RowVectorXf> b, Activation act, Eigen::Ref<RowMatrixF> y,
                   SimdLevel simd = best_simd_level());

}  // namespace marlsim::nn

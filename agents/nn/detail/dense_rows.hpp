#pragma once
// The per-instruction-set row kernels behind dense_forward (agents/nn/dense_kernel.hpp) and
// the weight gradient (dense_backward.hpp). Each computes rows [row_begin, row_end) of
// act(X * W + b) for act = identity or ReLU (tanh is applied afterwards by the caller), in the
// accumulation order stated in dense_kernel.hpp; with `accumulate`, y += that instead of y =.
#include <cstddef>

#include "agents/nn/simd_level.hpp"

namespace marlsim::nn::detail {

struct DenseArgs {
  // x[i][k] is x[i * ldx + k], or with x_transposed x[k * ldx + i]: the weight gradient's
  // X^T * dZ reads X's rows as columns in place instead of copying a transpose.
  const float* x;
  std::ptrdiff_t ldx;
  const float* w;
  std::ptrdiff_t ldw;
  const float* b;
  float* y;
  std::ptrdiff_t ldy;
  std::ptrdiff_t in;
  std::ptrdiff_t out;
  bool relu;
  bool x_transposed;
  bool accumulate;  // y[i][j] = y[i][j] + result (added after the chain, one rounding)
  // When not null: y[i][j] = relu_mask[i * ldm + j] > 0 ? result : 0, the ReLU backward of the
  // layer below (activation_backward.hpp) fused into dense_input_gradient's store.
  const float* relu_mask;
  std::ptrdiff_t ldm;
};

using DenseRows = void (*)(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end);

void dense_rows_portable(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end);
void dense_rows_avx2(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end);
void dense_rows_avx512(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end);

// The kernel of `simd`, or of the best level when the CPU cannot run it.
DenseRows dense_rows_for(SimdLevel simd);

}  // namespace marlsim::nn::detail

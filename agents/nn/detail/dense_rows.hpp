#pragma once
// The per-instruction-set row kernels behind dense_forward (agents/nn/dense_kernel.hpp).
// Each computes rows [row_begin, row_end) of act(X * W + b) for act = identity or ReLU (tanh
// is applied afterwards by the caller), in the accumulation order stated there.
#include <cstddef>

namespace marlsim::nn::detail {

struct DenseArgs {
  const float* x;
  std::ptrdiff_t ldx;  // row stride of x, in floats
  const float* w;
  std::ptrdiff_t ldw;
  const float* b;
  float* y;
  std::ptrdiff_t ldy;
  std::ptrdiff_t in;
  std::ptrdiff_t out;
  bool relu;
};

void dense_rows_portable(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end);
void dense_rows_avx2(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end);
void dense_rows_avx512(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end);

}  // namespace marlsim::nn::detail

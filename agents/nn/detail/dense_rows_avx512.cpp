// The AVX-512F row kernel: 16 outputs per vector, 6 rows x 4 vectors in registers (24 of the
// 32 vector registers hold accumulators). Only called when the CPU supports AVX-512F.
#include <immintrin.h>

#include <cstddef>

#include "agents/nn/detail/dense_rows.hpp"

// Everything below is compiled for AVX-512; only includes already made above may precede it
// (see dense_microkernel.hpp on linkage).
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#endif

#include "agents/nn/detail/dense_microkernel.hpp"

namespace marlsim::nn::detail {
namespace {

struct Avx512 {
  using V = __m512;
  using Mask = __mmask16;
  static constexpr int kLanes = 16;
  static constexpr int kRows = 6;
  static constexpr int kVectors = 4;
  static constexpr int kWideVectors = 8;
  static constexpr int kNarrowRows = 24;
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V load(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static void store(float* p, V v, Mask m) { _mm512_mask_storeu_ps(p, m, v); }
  static V broadcast(float x) { return _mm512_set1_ps(x); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  // max(0, a) returns a when a is NaN: NaN propagates (as in the other levels). The maskz form
  // with a full mask is the same instruction; GCC 12 warns on _mm512_max_ps's undefined source.
  static V relu(V a) { return _mm512_maskz_max_ps(0xffff, _mm512_setzero_ps(), a); }
  static Mask tail_mask(int n) { return static_cast<Mask>((1u << n) - 1u); }
};

}  // namespace

void dense_rows_avx512(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end) {
  dense_rows<Avx512>(a, row_begin, row_end);
}

}  // namespace marlsim::nn::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

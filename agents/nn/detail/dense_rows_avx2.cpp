// The AVX2 + FMA row kernel: 8 outputs per vector, 6 rows x 2 vectors in registers (12 of the
// 16 vector registers hold accumulators). Only called when the CPU supports AVX2 and FMA.
#include <immintrin.h>

#include <cstddef>

#include "agents/nn/detail/dense_rows.hpp"

// Everything below is compiled for AVX2; only includes already made above may precede it
// (see dense_microkernel.hpp on linkage).
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

#include "agents/nn/detail/dense_microkernel.hpp"

namespace marlsim::nn::detail {
namespace {

struct Avx2 {
  using V = __m256;
  using Mask = __m256i;
  static constexpr int kLanes = 8;
  static constexpr int kRows = 6;
  static constexpr int kVectors = 2;
  static constexpr int kWideVectors = 4;
  static constexpr int kNarrowRows = 12;
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V load(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static void store(float* p, V v, Mask m) { _mm256_maskstore_ps(p, m, v); }
  static V broadcast(float x) { return _mm256_set1_ps(x); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  // All-ones lanes keep v's bits, zero lanes give +0.
  static V where_positive(V m, V v) { return _mm256_and_ps(_mm256_cmp_ps(m, _mm256_setzero_ps(), _CMP_GT_OQ), v); }
  static V relu(V a) { return _mm256_max_ps(_mm256_setzero_ps(), a); }
  static Mask tail_mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
};

}  // namespace

void dense_rows_avx2(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end) {
  dense_rows<Avx2>(a, row_begin, row_end);
}

}  // namespace marlsim::nn::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

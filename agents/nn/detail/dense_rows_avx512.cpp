// The AVX-512F row kernel: 16 outputs per vector, 6 rows x 4 vectors in registers (24 of the
// 32 vector registers hold accumulators); for 1-4 outputs, 16 rows per vector instead. Only
// called when the CPU supports AVX-512F.
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
// GCC 12's AVX-512 intrinsics pass an "undefined" vector that it then warns about (GCC bug
// 105593, fixed in 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
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
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V where_positive(V m, V v) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(m, _mm512_setzero_ps(), _CMP_GT_OQ), v);
  }
  // max(0, a) returns a when a is NaN: NaN propagates (as in the other levels).
  static V relu(V a) { return _mm512_max_ps(_mm512_setzero_ps(), a); }
  static Mask tail_mask(int n) { return static_cast<Mask>((1u << n) - 1u); }
};

// In place: t[i] lane l becomes t[l] lane i.
inline void transpose16(__m512 t[16]) {
  __m512 u[16];
  for (int i = 0; i < 16; i += 2) {
    u[i] = _mm512_unpacklo_ps(t[i], t[i + 1]);
    u[i + 1] = _mm512_unpackhi_ps(t[i], t[i + 1]);
  }
  for (int i = 0; i < 16; i += 4)
    for (int h = 0; h < 2; ++h) {
      const __m512d a = _mm512_castps_pd(u[i + h]), b = _mm512_castps_pd(u[i + h + 2]);
      t[i + 2 * h] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
      t[i + 2 * h + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
    }
  for (int i = 0; i < 16; i += 8)
    for (int h = 0; h < 4; ++h) {
      u[i + h] = _mm512_shuffle_f32x4(t[i + h], t[i + h + 4], 0x88);
      u[i + h + 4] = _mm512_shuffle_f32x4(t[i + h], t[i + h + 4], 0xdd);
    }
  for (int h = 0; h < 8; ++h) {
    t[h] = _mm512_shuffle_f32x4(u[h], u[h + 8], 0x88);
    t[h + 8] = _mm512_shuffle_f32x4(u[h], u[h + 8], 0xdd);
  }
}

// A few outputs (a 128 -> 1 head): vectors across outputs would leave most lanes idle, so here
// the lanes are 16 rows. X is transposed 16 x 16 in registers; each output's chain is the same
// fma sequence as in dense_block (fma(x, w, acc) = fma(w, x, acc) exactly), only its lane differs.
template <int OUT>
void dense_rows_few_outputs(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end) {
  const __m512i lane_rows = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                               _mm512_set1_epi32(static_cast<int>(a.ldy)));
  for (std::ptrdiff_t r = row_begin; r < row_end; r += 16) {
    const int rows = static_cast<int>(row_end - r < 16 ? row_end - r : 16);
    const float* x = a.x + r * a.ldx;
    __m512 acc[OUT];
#pragma GCC unroll 8
    for (int j = 0; j < OUT; ++j) acc[j] = _mm512_set1_ps(a.b[j]);
    for (std::ptrdiff_t k0 = 0; k0 < a.in; k0 += 16) {
      const int depth = static_cast<int>(a.in - k0 < 16 ? a.in - k0 : 16);
      const __mmask16 cols = static_cast<__mmask16>((1u << depth) - 1u);
      __m512 t[16];
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i)
        t[i] = i < rows ? _mm512_maskz_loadu_ps(cols, x + i * a.ldx + k0) : _mm512_setzero_ps();
      transpose16(t);
      const float* w = a.w + k0 * a.ldw;
#pragma GCC unroll 16
      for (int kk = 0; kk < 16; ++kk) {
        if (kk == depth) break;
#pragma GCC unroll 8
        for (int j = 0; j < OUT; ++j) acc[j] = _mm512_fmadd_ps(t[kk], _mm512_set1_ps(w[kk * a.ldw + j]), acc[j]);
      }
    }
    const __mmask16 lanes = static_cast<__mmask16>((1u << rows) - 1u);
    float* y = a.y + r * a.ldy;
#pragma GCC unroll 8
    for (int j = 0; j < OUT; ++j) {
      const __m512 out = a.relu ? Avx512::relu(acc[j]) : acc[j];
      _mm512_mask_i32scatter_ps(y + j, lanes, lane_rows, out, 4);
    }
  }
}

}  // namespace

void dense_rows_avx512(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end) {
  // Up to 4 outputs the transposed kernel is faster (measured: 128 -> 1 3-4x, 128 -> 4 1.5x;
  // from 8 on the output-vector kernel wins). Scatter offsets are 32-bit: 15 rows of y must fit.
  // (That kernel reads x's rows and overwrites y: not for the backward's calls.)
  const bool few_outputs_fit = a.ldy <= (std::ptrdiff_t{1} << 31) / 16 / static_cast<std::ptrdiff_t>(sizeof(float));
  if (few_outputs_fit && !a.x_transposed && !a.accumulate && !a.relu_mask) switch (a.out) {
      case 1: return dense_rows_few_outputs<1>(a, row_begin, row_end);
      case 2: return dense_rows_few_outputs<2>(a, row_begin, row_end);
      case 3: return dense_rows_few_outputs<3>(a, row_begin, row_end);
      case 4: return dense_rows_few_outputs<4>(a, row_begin, row_end);
      default: break;
    }
  dense_rows<Avx512>(a, row_begin, row_end);
}

}  // namespace marlsim::nn::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif

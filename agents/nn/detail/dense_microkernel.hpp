#pragma once
// The register-blocked row kernel shared by every instruction set. Each dense_rows_<isa>.cpp
// includes this after its target pragma and instantiates dense_rows<Isa> with an `Isa` type
// declared in an unnamed namespace: the instantiations then have internal linkage, so code
// compiled for AVX-512 can never be merged into (and run from) another translation unit.
// For the same reason nothing from the standard library is used here.
//
// Isa supplies: V (a vector of kLanes floats), Mask, kLanes, kRows and kVectors (the register
// block: kRows rows x kVectors vectors of outputs), kWideVectors (the block's width for at
// most kRows / 2 rows), kNarrowRows (the block's height when all outputs fit one vector),
// load/store (plain and masked), broadcast, fmadd(a, b, c) = a * b + c rounded once, add,
// relu, where_positive(m, v) = m > 0 ? v : +0 per lane, and tail_mask(n) (the first n lanes).
#include <cstddef>

#include "agents/nn/detail/dense_rows.hpp"

namespace marlsim::nn::detail {

// Rows [r, r + MR) x outputs [j, j + NV * kLanes); the last vector is masked when Masked.
// Each output is one chain acc = b; acc = fma(x_k, w_k, acc) for k = 0 .. in-1: blocking
// only decides which chains run side by side, never the order within one. XT: x is stored
// transposed (DenseArgs::x_transposed), so x[i][k] for the block's rows i is x_k[i].
template <class Isa, bool XT, int MR, int NV, bool Masked>
inline void dense_block(const DenseArgs& a, std::ptrdiff_t r, std::ptrdiff_t j, typename Isa::Mask tail) {
  using V = typename Isa::V;
  constexpr int L = Isa::kLanes;
  const std::ptrdiff_t in = a.in, ldx = a.ldx, ldw = a.ldw;
  const std::ptrdiff_t row_step = XT ? 1 : ldx, k_step = XT ? ldx : 1;
  const float* x = a.x + r * row_step;
  const float* w = a.w + j;
  // The loops over i and v have constant bounds: unrolled, the accumulators live in registers.
  V acc[MR][NV];
#pragma GCC unroll 32
  for (int v = 0; v < NV; ++v) {
    const V bias = Masked && v == NV - 1 ? Isa::load(a.b + j + v * L, tail) : Isa::load(a.b + j + v * L);
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) acc[i][v] = bias;
  }
  for (std::ptrdiff_t k = 0; k < in; ++k, w += ldw, x += k_step) {
    V wk[NV];
#pragma GCC unroll 32
    for (int v = 0; v < NV; ++v) wk[v] = Masked && v == NV - 1 ? Isa::load(w + v * L, tail) : Isa::load(w + v * L);
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
      const V xik = Isa::broadcast(x[i * row_step]);
#pragma GCC unroll 32
      for (int v = 0; v < NV; ++v) acc[i][v] = Isa::fmadd(xik, wk[v], acc[i][v]);
    }
  }
  const bool relu = a.relu, accumulate = a.accumulate;
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i) {
    float* y = a.y + (r + i) * a.ldy + j;
    const float* m = a.relu_mask ? a.relu_mask + (r + i) * a.ldm + j : nullptr;
#pragma GCC unroll 32
    for (int v = 0; v < NV; ++v) {
      const bool masked = Masked && v == NV - 1;
      V out = relu ? Isa::relu(acc[i][v]) : acc[i][v];
      if (accumulate) out = Isa::add(masked ? Isa::load(y + v * L, tail) : Isa::load(y + v * L), out);
      if (m) out = Isa::where_positive(masked ? Isa::load(m + v * L, tail) : Isa::load(m + v * L), out);
      if (masked) Isa::store(y + v * L, out, tail);
      else Isa::store(y + v * L, out);
    }
  }
}

// All outputs of rows [r, r + R). A full group blocks kVectors vectors at a time; a short one
// (the last rows of a range, or a batch of 1) blocks kWideVectors, so that it still runs
// enough independent chains to hide the fma latency.
template <class Isa, bool XT, int R>
inline void dense_row_group(const DenseArgs& a, std::ptrdiff_t r, typename Isa::Mask tail) {
  constexpr int L = Isa::kLanes;
  constexpr int NV = 2 * R <= Isa::kRows ? Isa::kWideVectors : Isa::kVectors;
  const std::ptrdiff_t full = a.out / L * L;  // outputs in whole vectors
  std::ptrdiff_t j = 0;
  for (; j + NV * L <= full; j += NV * L) dense_block<Isa, XT, R, NV, false>(a, r, j, tail);
  for (; j < full; j += L) dense_block<Isa, XT, R, 1, false>(a, r, j, tail);
  if (j < a.out) dense_block<Isa, XT, R, 1, true>(a, r, j, tail);
}

// dense_row_group for a run-time row count 1 .. R.
template <class Isa, bool XT, int R = Isa::kRows>
inline void dense_row_group(const DenseArgs& a, std::ptrdiff_t r, int rows, typename Isa::Mask tail) {
  if constexpr (R >= 1) {
    if (rows == R) return dense_row_group<Isa, XT, R>(a, r, tail);
    dense_row_group<Isa, XT, R - 1>(a, r, rows, tail);
  }
}

// Outputs that fit one vector (a 128 -> 1 head): only rows can run side by side, so blocks
// are kNarrowRows rows tall, for a run-time row count 1 .. R.
template <class Isa, bool XT, bool Masked, int R = Isa::kNarrowRows>
inline void dense_narrow_group(const DenseArgs& a, std::ptrdiff_t r, int rows, typename Isa::Mask tail) {
  if constexpr (R >= 1) {
    if (rows == R) return dense_block<Isa, XT, R, 1, Masked>(a, r, 0, tail);
    dense_narrow_group<Isa, XT, Masked, R - 1>(a, r, rows, tail);
  }
}

// x transposed and 1 .. OUT outputs (a 256 -> 1 head's weight gradient): vectors across
// outputs would leave most lanes idle, but x_k[i] is contiguous in i, so here the lanes are
// kLanes rows. Each output's chain is dense_block's fma sequence (fma(x, w, acc) = fma(w, x, acc)
// exactly); ReLU and the accumulating add are the same single roundings, done per element.
template <class Isa, int OUT>
inline void dense_rows_transposed_few_outputs(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end) {
  using V = typename Isa::V;
  constexpr int L = Isa::kLanes;
  for (std::ptrdiff_t r = row_begin; r < row_end; r += L) {
    const int rows = static_cast<int>(row_end - r < L ? row_end - r : L);
    const typename Isa::Mask lanes = Isa::tail_mask(rows);
    V acc[OUT];
#pragma GCC unroll 8
    for (int j = 0; j < OUT; ++j) acc[j] = Isa::broadcast(a.b[j]);
    const float* x = a.x + r;
    const float* w = a.w;
    for (std::ptrdiff_t k = 0; k < a.in; ++k, x += a.ldx, w += a.ldw) {
      const V xk = rows == L ? Isa::load(x) : Isa::load(x, lanes);
#pragma GCC unroll 8
      for (int j = 0; j < OUT; ++j) acc[j] = Isa::fmadd(xk, Isa::broadcast(w[j]), acc[j]);
    }
    float result[OUT][L];
#pragma GCC unroll 8
    for (int j = 0; j < OUT; ++j) Isa::store(result[j], a.relu ? Isa::relu(acc[j]) : acc[j]);
    for (int i = 0; i < rows; ++i) {
      float* y = a.y + (r + i) * a.ldy;
      for (int j = 0; j < OUT; ++j) y[j] = a.accumulate ? y[j] + result[j][i] : result[j][i];
    }
  }
}

template <class Isa, bool XT>
inline void dense_rows(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end) {
  const typename Isa::Mask tail = Isa::tail_mask(static_cast<int>(a.out % Isa::kLanes));
  const bool narrow = a.out <= Isa::kLanes;
  const int group = narrow ? Isa::kNarrowRows : Isa::kRows;
  for (std::ptrdiff_t r = row_begin; r < row_end; r += group) {
    const int rows = static_cast<int>(row_end - r < group ? row_end - r : group);
    if (!narrow) dense_row_group<Isa, XT>(a, r, rows, tail);
    else if (a.out < Isa::kLanes) dense_narrow_group<Isa, XT, true>(a, r, rows, tail);
    else dense_narrow_group<Isa, XT, false>(a, r, rows, tail);
  }
}

template <class Isa>
inline void dense_rows(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end) {
  if (!a.x_transposed) return dense_rows<Isa, false>(a, row_begin, row_end);
  if (!a.relu_mask) switch (a.out) {
      case 1: return dense_rows_transposed_few_outputs<Isa, 1>(a, row_begin, row_end);
      case 2: return dense_rows_transposed_few_outputs<Isa, 2>(a, row_begin, row_end);
      case 3: return dense_rows_transposed_few_outputs<Isa, 3>(a, row_begin, row_end);
      case 4: return dense_rows_transposed_few_outputs<Isa, 4>(a, row_begin, row_end);
      default: break;
    }
  dense_rows<Isa, true>(a, row_begin, row_end);
}

}  // namespace marlsim::nn::detail

#pragma once
// The register-blocked row kernel shared by every instruction set. Each dense_rows_<isa>.cpp
// includes this after its target pragma and instantiates dense_rows<Isa> with an `Isa` type
// declared in an unnamed namespace: the instantiations then have internal linkage, so code
// compiled for AVX-512 can never be merged into (and run from) another translation unit.
// For the same reason nothing from the standard library is used here.
//
// Isa supplies: V (a vector of kLanes floats), Mask, kLanes, kRows and kVectors (the register
// block: kRows rows x kVectors vectors of outputs), load/store (plain and masked), broadcast,
// fmadd(a, b, c) = a * b + c rounded once, relu, and tail_mask(n) (the first n lanes).
#include <cstddef>

#include "agents/nn/detail/dense_rows.hpp"

namespace marlsim::nn::detail {

// Rows [r, r + MR) x outputs [j, j + NV * kLanes); the last vector is masked when Masked.
// Each output is one chain acc = b; acc = fma(x_k, w_k, acc) for k = 0 .. in-1: blocking
// only decides which chains run side by side, never the order within one.
template <class Isa, int MR, int NV, bool Masked>
inline void dense_block(const DenseArgs& a, std::ptrdiff_t r, std::ptrdiff_t j, typename Isa::Mask tail) {
  using V = typename Isa::V;
  constexpr int L = Isa::kLanes;
  const auto load = [tail](const float* p, int v) {
    if constexpr (Masked) {
      if (v == NV - 1) return Isa::load(p, tail);
    }
    return Isa::load(p);
  };
  V acc[MR][NV];
  for (int v = 0; v < NV; ++v) {
    const V bias = load(a.b + j + v * L, v);
    for (int i = 0; i < MR; ++i) acc[i][v] = bias;
  }
  const float* x = a.x + r * a.ldx;
  const float* w = a.w + j;
  for (std::ptrdiff_t k = 0; k < a.in; ++k, w += a.ldw) {
    V wk[NV];
    for (int v = 0; v < NV; ++v) wk[v] = load(w + v * L, v);
    for (int i = 0; i < MR; ++i) {
      const V xik = Isa::broadcast(x[i * a.ldx + k]);
      for (int v = 0; v < NV; ++v) acc[i][v] = Isa::fmadd(xik, wk[v], acc[i][v]);
    }
  }
  for (int i = 0; i < MR; ++i) {
    float* y = a.y + (r + i) * a.ldy + j;
    for (int v = 0; v < NV; ++v) {
      const V out = a.relu ? Isa::relu(acc[i][v]) : acc[i][v];
      if (Masked && v == NV - 1)
        Isa::store(y + v * L, out, tail);
      else
        Isa::store(y + v * L, out);
    }
  }
}

// dense_block for a run-time row count 1 .. R (the last row group of a range may be short).
template <class Isa, int NV, bool Masked, int R = Isa::kRows>
inline void dense_block_rows(const DenseArgs& a, std::ptrdiff_t r, int rows, std::ptrdiff_t j,
                             typename Isa::Mask tail) {
  if constexpr (R >= 1) {
    if (rows == R) return dense_block<Isa, R, NV, Masked>(a, r, j, tail);
    dense_block_rows<Isa, NV, Masked, R - 1>(a, r, rows, j, tail);
  }
}

template <class Isa>
inline void dense_rows(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end) {
  constexpr int L = Isa::kLanes;
  constexpr int NV = Isa::kVectors;
  const std::ptrdiff_t full = a.out / L * L;  // outputs in whole vectors
  const int tail_lanes = static_cast<int>(a.out - full);
  const typename Isa::Mask tail = Isa::tail_mask(tail_lanes);
  for (std::ptrdiff_t r = row_begin; r < row_end; r += Isa::kRows) {
    const int rows = static_cast<int>(row_end - r < Isa::kRows ? row_end - r : Isa::kRows);
    std::ptrdiff_t j = 0;
    for (; j + NV * L <= full; j += NV * L) dense_block_rows<Isa, NV, false>(a, r, rows, j, tail);
    for (; j < full; j += L) dense_block_rows<Isa, 1, false>(a, r, rows, j, tail);
    if (tail_lanes > 0) dense_block_rows<Isa, 1, true>(a, r, rows, j, tail);
  }
}

}  // namespace marlsim::nn::detail

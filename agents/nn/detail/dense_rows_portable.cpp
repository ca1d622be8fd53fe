// The portable row kernel, one output per "vector": for CPUs without AVX2 + FMA. std::fma is
// the same correctly rounded operation as the vector instructions, so this gives the same
// bits as the other levels (slowly where the CPU has no FMA unit).
#include <cmath>
#include <cstddef>

#include "agents/nn/detail/dense_microkernel.hpp"

namespace marlsim::nn::detail {
namespace {

struct Portable {
  using V = float;
  using Mask = int;  // never used: one lane leaves no tail
  static constexpr int kLanes = 1;
  static constexpr int kRows = 2;
  static constexpr int kVectors = 4;
  static constexpr int kWideVectors = 4;
  static constexpr int kNarrowRows = 4;
  static V load(const float* p) { return *p; }
  static V load(const float* p, Mask) { return *p; }
  static void store(float* p, V v) { *p = v; }
  static void store(float* p, V v, Mask) { *p = v; }
  static V broadcast(float x) { return x; }
  static V fmadd(V a, V b, V c) { return std::fma(a, b, c); }
  static V add(V a, V b) { return a + b; }
  static V where_positive(V m, V v) { return m > 0.0f ? v : 0.0f; }
  static V relu(V a) { return 0.0f > a ? 0.0f : a; }  // as the vector max(0, a): NaN propagates
  static Mask tail_mask(int) { return 0; }
};

}  // namespace

void dense_rows_portable(const DenseArgs& a, std::ptrdiff_t row_begin, std::ptrdiff_t row_end) {
  dense_rows<Portable>(a, row_begin, row_end);
}

}  // namespace marlsim::nn::detail

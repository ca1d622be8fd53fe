#include "agents/nn/simd_level.hpp"

namespace marlsim::nn {

bool simd_level_supported(SimdLevel level) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  switch (level) {
    case SimdLevel::Portable: return true;
    case SimdLevel::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    // The AVX-512 file is compiled for AVX-512F + AVX2 + FMA (every AVX-512 CPU has both).
    case SimdLevel::Avx512: return __builtin_cpu_supports("avx512f") && simd_level_supported(SimdLevel::Avx2);
  }
  return false;
#else
  return level == SimdLevel::Portable;
#endif
}

SimdLevel best_simd_level() {
  static const SimdLevel best = simd_level_supported(SimdLevel::Avx512) ? SimdLevel::Avx512
                                : simd_level_supported(SimdLevel::Avx2) ? SimdLevel::Avx2
                                                                        : SimdLevel::Portable;
  return best;
}

std::string_view simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::Portable: return "portable";
    case SimdLevel::Avx2: return "avx2";
    case SimdLevel::Avx512: return "avx512";
  }
  return "?";
}

}  // namespace marlsim::nn

#pragma once
// The instruction sets the dense kernel has code for, chosen at run time (the build itself
// targets baseline x86-64: no -march). Every level computes the same fused multiply-add chain,
// so they give the same bits; the choice only changes speed.
#include <string_view>

namespace marlsim::nn {

enum class SimdLevel { Portable, Avx2, Avx512 };

// The best level this CPU (and OS) supports; detected once.
SimdLevel best_simd_level();

// True if this CPU can run `level`.
bool simd_level_supported(SimdLevel level);

std::string_view simd_level_name(SimdLevel level);

}  // namespace marlsim::nn

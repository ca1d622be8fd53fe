#pragma once
// How the dense kernels share a batch among OpenMP threads: whole tiles of kDenseRowTile rows
// in a static schedule. A row's arithmetic is the same in any tile on any thread, so this only
// decides speed, never bits.
#include <omp.h>

#include <Eigen/Core>

#include "agents/nn/dense_kernel.hpp"

namespace marlsim::nn::detail {

// Below this many multiply-adds a parallel region costs more than it saves (~1 us to start).
inline constexpr double kParallelMinFma = 1 << 18;

// Calls tile(begin, end) for every tile [begin, end) of [0, batch), on the caller's OpenMP
// threads when the work (`fma` multiply-adds in all) pays for them; serially when called inside
// a parallel region (even an if(false) region costs a team start).
template <class Tile>
void for_each_row_tile(Eigen::Index batch, double fma, const Tile& tile) {
  const Eigen::Index tiles = (batch + kDenseRowTile - 1) / kDenseRowTile;
  const auto run = [&](Eigen::Index t) {
    const Eigen::Index begin = t * kDenseRowTile;
    tile(begin, begin + kDenseRowTile < batch ? begin + kDenseRowTile : batch);
  };
  if (tiles > 1 && fma >= kParallelMinFma && omp_get_max_threads() > 1 && !omp_in_parallel()) {
#pragma omp parallel for schedule(static)
    for (Eigen::Index t = 0; t < tiles; ++t) run(t);
  } else {
    for (Eigen::Index t = 0; t < tiles; ++t) run(t);
  }
}

}  // namespace marlsim::nn::detail

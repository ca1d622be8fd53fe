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
// Below this many rows the caller's thread does the whole batch, however wide the layer. On a
// shared machine the second thread is often not scheduled, so every parallel region waits for it
// and libgomp's spin-wait took ~80 % of batched training collection at 0.1 s decision cycles
// (benchmarks/RESULTS.md, "Small batches on the calling thread"). Chosen from bench_inference
// on 1 and 2 threads (same section).
inline constexpr Eigen::Index kParallelMinRows = 4096;

// Whether a batch of `batch` rows and `fma` multiply-adds in all goes to the OpenMP threads.
inline bool use_threads(Eigen::Index batch, double fma) {
  return batch >= kParallelMinRows && batch > kDenseRowTile && fma >= kParallelMinFma && omp_get_max_threads() > 1 &&
         !omp_in_parallel();
}

// Calls tile(begin, end) for every tile [begin, end) of [0, batch), on the caller's OpenMP
// threads when the batch and the work (`fma` multiply-adds in all) pay for them (use_threads);
// serially when called inside a parallel region (even an if(false) region costs a team start).
template <class Tile>
void for_each_row_tile(Eigen::Index batch, double fma, const Tile& tile) {
  const Eigen::Index tiles = (batch + kDenseRowTile - 1) / kDenseRowTile;
  const auto run = [&](Eigen::Index t) {
    const Eigen::Index begin = t * kDenseRowTile;
    tile(begin, begin + kDenseRowTile < batch ? begin + kDenseRowTile : batch);
  };
  if (use_threads(batch, fma)) {
#pragma omp parallel for schedule(static)
    for (Eigen::Index t = 0; t < tiles; ++t) run(t);
  } else {
    for (Eigen::Index t = 0; t < tiles; ++t) run(t);
  }
}

}  // namespace marlsim::nn::detail

#pragma once
// What several benchmarks share: random matrices for the network benchmarks (uniform in
// [-1, 1] from a Mersenne twister, so runs are repeatable) and the CPU's model name in the
// JSON context (the figures in RESULTS.md name the machine they were measured on).
#include <benchmark/benchmark.h>

#include <fstream>
#include <random>
#include <string>

#include "agents/nn/dense_kernel.hpp"

namespace marlsim::bench {

inline nn::RowMatrixF random_matrix(Eigen::Index rows, Eigen::Index cols, std::mt19937& gen) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  nn::RowMatrixF m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = u(gen);
  return m;
}

inline nn::RowMatrixF random_matrix(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
  std::mt19937 gen(seed);
  return random_matrix(rows, cols, gen);
}

// Adds "cpu_model" (the first "model name" of /proc/cpuinfo) to the benchmark's context.
inline void add_cpu_model_context() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      benchmark::AddCustomContext("cpu_model", line.substr(line.find(':') + 2));
      return;
    }
  }
}

}  // namespace marlsim::bench

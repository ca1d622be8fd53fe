#pragma once
// The heterogeneous cluster of source study 1 (arXiv 2603.24738): nodes in three tiers
// (high 20 %, medium 50 %, low 30 %) with uniform ranges of cores, memory and power. All
// ranges are configurable; defaults are the study's values. Node count scales to 10^4+.
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/cluster_spec.hpp"

namespace marlsim {

struct ValueRange {
  double lo = 0.0;
  double hi = 0.0;
};

struct NodeTierConfig {
  std::string name;
  double fraction = 0.0;  // share of the nodes; shares are normalized over all tiers
  ValueRange cores;       // integers, uniform over [lo, hi] inclusive
  ValueRange memory_gb;   // uniform, continuous
  ValueRange idle_power_w;
  ValueRange dynamic_power_w;
  ValueRange speed;  // uniform; OUR assumption: the study's code ignores node speed
};

struct SeedStudyClusterConfig {
  std::uint64_t nodes = 100;
  // Speeds (ours, not the study's): faster high-end nodes, reference-speed medium nodes,
  // slower low-end nodes, so that placement matters for run time as well as for energy.
  std::vector<NodeTierConfig> tiers = {
      {"high", 0.20, {24, 32}, {96, 128}, {150, 200}, {200, 300}, {1.2, 1.5}},
      {"medium", 0.50, {8, 16}, {32, 64}, {50, 80}, {60, 120}, {1.0, 1.0}},
      {"low", 0.30, {2, 8}, {8, 32}, {15, 30}, {20, 50}, {0.6, 0.8}},
  };
  // Throws InputError naming the field if a value is out of range.
  void validate() const;
};

// Tier sizes are the fractions rounded by largest remainder (exact for 100 nodes: 20/50/30),
// and tiers are spread over node ids by a keyed shuffle, so a block partition over ranks
// gets a mix. Node i draws its attributes from its own stream (seed, i): the same seed gives
// the same cluster on any number of ranks.
ClusterSpec generate_seed_study_cluster(const SeedStudyClusterConfig& config, std::uint64_t seed);

}  // namespace marlsim

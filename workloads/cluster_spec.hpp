#pragma once
// The machines of a cluster as a workload or a scenario describes them.
#include <cstdint>
#include <string>
#include <vector>

namespace marlsim {

struct NodeSpec {
  double cores = 1.0;
  double memory_gb = 1.0;
  double speed = 1.0;            // relative to the reference speed that task work is given at
  double idle_power_w = 0.0;     // drawn whenever the node is up
  double dynamic_power_w = 0.0;  // added at full core use, linear in the fraction of cores busy
  std::uint8_t tier = 0;         // index into ClusterSpec::tier_names
};

struct ClusterSpec {
  std::vector<NodeSpec> nodes;
  std::vector<std::string> tier_names;

  double total_cores() const {
    double s = 0;
    for (const auto& n : nodes) s += n.cores;
    return s;
  }
  // Capacity in core-seconds of reference work per second: sum of cores x speed.
  double capacity_core_s_per_s() const {
    double s = 0;
    for (const auto& n : nodes) s += n.cores * n.speed;
    return s;
  }
  // Memory capacity in GB-seconds at reference speed per second: sum of memory x speed (a
  // task holds its memory for its run time, which a faster node shortens).
  double capacity_memory_gb_s_per_s() const {
    double s = 0;
    for (const auto& n : nodes) s += n.memory_gb * n.speed;
    return s;
  }
};

}  // namespace marlsim

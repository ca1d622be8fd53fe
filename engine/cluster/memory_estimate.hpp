#pragma once
// The cluster model's memory estimate, checked before the cluster and the task stream are
// built (cluster.nodes = 1e9, workload.tasks = 1e12 or global sharing at 100,000 nodes
// used to end in std::bad_alloc after minutes).
#include <cstdint>
#include <string>

#include "engine/cluster/cluster_settings.hpp"

namespace marlsim {

// Bytes one episode holds at its peak on one rank: the per-node and per-task costs measured at
// 10,000 nodes (memory_estimate.cpp). Every further rank of the episode holds the task stream
// again (sizeof(TaskSpec) per task), which this does not count.
double estimate_episode_bytes(const SchedulerConfig& scheduler, std::uint64_t nodes, std::uint64_t tasks);

// Throws InputError naming `origin` (the scenario file), the dominant key (cluster.nodes,
// workload.tasks) and the estimate if it exceeds the available memory; with episodes_at_once > 1
// (run.batch_episodes) also if that many episodes side by side exceed it.
void require_episode_memory(const std::string& origin, const SchedulerConfig& scheduler, std::uint64_t nodes,
                            std::uint64_t tasks, std::uint64_t episodes_at_once = 1);

}  // namespace marlsim

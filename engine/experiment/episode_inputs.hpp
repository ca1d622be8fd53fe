#pragma once
// What episode e of a scenario runs on: its cluster (generated from the seed, per episode
// with cluster.new_per_episode, or the trace's machines) and its task stream (generated, or
// the trace's jobs, resampled per episode with sample_jobs < 1). Every policy's episode e
// gets the same (common random numbers).
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/experiment/scenario.hpp"
#include "workloads/trace_reader.hpp"

namespace marlsim {

// Reads the scenario's trace (nullptr result for synthetic workloads).
std::unique_ptr<Workload> read_scenario_trace(const Scenario& scenario, std::uint64_t episode);
ClusterSpec build_cluster(const Scenario& scenario, const Workload* trace, std::uint64_t episode = 0);
// Episode `episode`'s tasks; throws InputError when they would run off the clock or the
// warm-up outlasts them.
std::vector<TaskSpec> build_tasks(const Scenario& scenario, const ClusterSpec& cluster, const Workload* trace,
                                  std::uint64_t episode);

}  // namespace marlsim

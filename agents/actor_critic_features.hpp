#pragma once
// The actor-critic's inputs, computed from what the decider believes (its ClusterView) and
// the task, exactly in the order, units and normalisation of
// nn::decentralized_ac_observation_layout() (agents/nn/observation_layout.cpp). Cost per
// decision: the own row plus one row per candidate, whatever the cluster's size.
#include <span>

#include "agents/cluster_view.hpp"
#include "engine/support/sim_time.hpp"
#include "workloads/task_spec.hpp"

namespace marlsim {

// Writes layout.own.size() floats: the deciding node's own state (zeros for own.* and
// queue.* when `self` is kNoNode, a central scheduler) and the task's.
void write_own_features(const ClusterView& view, NodeId self, const TaskSpec& task, SimTime now, std::span<float> out);

// Writes layout.candidate.size() floats: candidate n's last report as `view` holds it.
void write_candidate_features(const ClusterView& view, NodeId self, const TaskSpec& task, NodeId n, SimTime now,
                              std::span<float> out);

// Writes layout.global.size() floats from every node's spec and true state (as its own report
// would state it now), for the centralized critic.
void write_global_features(std::span<const NodeSpec> specs, std::span<const NodeView> states, std::span<float> out);

}  // namespace marlsim

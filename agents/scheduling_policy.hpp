#pragma once
// A scheduling policy picks the node a task goes to. Heuristics and (later) learned
// policies share this interface, so every study swaps them by name (agents/policy_registry).
// Decisions come one at a time (choose) or as a batch raised together (assign): a learned
// policy overrides assign to evaluate the whole batch as one matrix product per layer.
#include <span>
#include <string_view>
#include <vector>

#include "agents/cluster_view.hpp"
#include "engine/support/rng.hpp"

namespace marlsim {

// What a policy must be able to see; a topology that cannot provide it refuses the policy.
struct PolicyRequirements {
  bool load_information = false;  // other nodes' current load (not just their static specs)
  bool local_node = false;        // a node of its own to prefer (two-level, decentralized)
};

struct DispatchContext {
  SimTime now = 0;
  NodeId local_node = kNoNode;  // the deciding node, if the decision is taken on a node
  RngStream* rng = nullptr;     // the deciding LP's own stream (never shared across LPs)
};

class SchedulingPolicy {
 public:
  virtual ~SchedulingPolicy() = default;
  virtual std::string_view name() const = 0;
  virtual PolicyRequirements requirements() const { return {}; }

  // Picks one of `candidates`: nodes that fit the task statically and are believed up
  // (never empty). Must be deterministic given ctx.rng.
  virtual NodeId choose(const TaskSpec& task, std::span<const NodeId> candidates, const ClusterView& view,
                        DispatchContext& ctx) = 0;

  // Assigns a batch raised together; out[i] receives the node of tasks[i]. The default
  // takes the tasks in order, choosing each and committing it to the view.
  virtual void assign(std::span<const TaskSpec* const> tasks, std::span<const std::vector<NodeId>> candidates,
                      ClusterView& view, DispatchContext& ctx, std::span<NodeId> out);
};

}  // namespace marlsim

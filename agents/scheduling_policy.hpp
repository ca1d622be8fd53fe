#pragma once
// A scheduling policy picks the node a task goes to. Heuristics and learned policies share
// this interface, so every study swaps them by name (agents/policy_registry). A rank builds
// each policy once per role and every deciding LP of the rank shares it: what one LP's
// decisions remember (weighted round robin's credits) is a PolicyState the LP owns, and the
// deciding LP's view, RNG stream and state come with every call.
//
// Decisions come as a batch of requests (decide): one LP's requests in its order, one LP
// after another in LP id order. The default takes them one by one (choose) and commits each
// choice to its LP's view; a batch policy (Priority Min-Min) orders an LP's requests itself;
// a learned policy evaluates the whole batch as one matrix product per layer.
//
// A request lists its candidates, or (every_node) stands for every node that fits the task
// statically and is believed up: a policy with an indexed path (index_needs) then finds the
// node its scan of that list would pick through the view's incremental indexes, in time that
// does not grow with the cluster (docs/sub-linear-decisions.md).
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "agents/cluster_view.hpp"
#include "engine/support/rng.hpp"

namespace marlsim {

class QueueDiscipline;

// What a policy must be able to see; a topology that cannot provide it refuses the policy.
struct PolicyRequirements {
  bool load_information = false;  // other nodes' current load (not just their static specs)
  bool local_node = false;        // a node of its own to prefer (two-level, decentralized)
};

// Per deciding LP, for policies whose decisions remember something.
struct PolicyState {
  virtual ~PolicyState() = default;
};

struct DispatchContext {
  SimTime now = 0;
  NodeId local_node = kNoNode;   // the deciding node, if the decision is taken on a node
  RngStream* rng = nullptr;      // the deciding LP's own stream (never shared across LPs)
  PolicyState* state = nullptr;  // the deciding LP's state (SchedulingPolicy::make_state)
  std::uint32_t episode = 0;     // the deciding LP's episode in a batched kernel run (0 alone)
};

// One decision: a task, the nodes it may go to, and who decides.
struct DecisionRequest {
  const TaskSpec* task = nullptr;
  std::vector<NodeId> candidates;  // fit the task statically and believed up; never empty unless every_node
  ClusterView* view = nullptr;     // the deciding LP's view; decide() commits its choices to it
  DispatchContext ctx;
  NodeId chosen = kNoNode;  // set by decide()
  bool every_node = false;  // candidates not listed: every such node (choose_indexed decides)
};

class SchedulingPolicy {
 public:
  virtual ~SchedulingPolicy() = default;
  virtual std::string_view name() const = 0;
  // A fresh state for one deciding LP (nullptr: the policy remembers nothing).
  virtual std::unique_ptr<PolicyState> make_state() const { return nullptr; }

  // Picks one of `candidates` (never empty). Must be deterministic given ctx.rng and ctx.state.
  virtual NodeId choose(const TaskSpec& task, std::span<const NodeId> candidates, const ClusterView& view,
                        DispatchContext& ctx) const = 0;

  // The view indexes choose_indexed reads; none (the default): the policy only scans lists.
  virtual IndexNeeds index_needs() const { return {}; }
  // choose() over every node that fits `task` statically and is believed up, in id order (at
  // least one), found through view.indexes() (kept as index_needs() asks): the same node and
  // the same RNG draws as choose() over that list. The scan stays the reference.
  virtual NodeId choose_indexed(const TaskSpec& task, const ClusterView& view, DispatchContext& ctx) const;

  // Decides every request (sets chosen and commits it to the request's view). Requests of
  // one LP are consecutive and share its view; the default chooses them one by one.
  virtual void decide(std::span<DecisionRequest> batch) const;

  // The local queue discipline the policy brings for the nodes, replacing scheduler.queue
  // (hierrl's low-level agent); nullptr (the default): the scenario's. Shared by the rank's
  // nodes like the policy; lives as long as the policy.
  virtual const QueueDiscipline* local_queue() const { return nullptr; }

 protected:
  // The requests of batch that share batch[first]'s view: [first, end).
  static std::size_t same_lp_end(std::span<const DecisionRequest> batch, std::size_t first);
};

}  // namespace marlsim

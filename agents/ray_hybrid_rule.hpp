#pragma once
// Ray's hybrid scheduling policy, the default of Ray's bottom-up two-level scheduler that
// source study 3 (HierRL, IJCNN 2022) improves on. Two generations of Ray, stage by stage:
//  - Ray >= 1.3 (ray-project/ray#14790, 2021; the Ray the study ran): a node's score is its
//    critical resource utilization (the larger of the busy fractions of cores and memory),
//    truncated to 0 below the spread threshold (scheduler_spread_threshold, 0.5): below it,
//    nodes count as equally empty, so Ray packs. Nodes where the task fits now ("available")
//    come first; only if there are none, all feasible ones (the task will queue). The local
//    node wins unless a node of its group scores strictly lower (1.x: it leads the traversal
//    and is replaced only by a lower score; 2.x: kept if its score <= the group's lowest).
//  - Ray >= 2.3 (ray-project/ray#31868, 2023; hybrid_scheduling_policy.cc): otherwise one of
//    the top k of the group by (score, node id) is drawn uniformly, k = max(1, floor(0.2 x
//    the nodes of the cluster)) (scheduler_top_k_absolute 1, scheduler_top_k_fraction 0.2):
//    a share of every node the scheduler knows, not of the candidates. Ray 1.x took the
//    lowest (k = 1).
// Utilization here counts queued demand too (ClusterView::critical_load, as Ray subtracts
// the resources of tasks pending on a node and of its own spillbacks there), and a node with
// a queue is never "available" (ClusterView::fits_now): else a node whose queue head is
// blocked would keep looking free and draw every task.
// A central decider (local_node == kNoNode) skips the local preference, as Ray's GCS does.
//
// The rule over a given set of nodes, with the count its top k is a share of: `ray-hybrid`
// applies it to its candidates and the cluster's node count, `ray-hybrid-sampled` to a sample
// of the candidates and the sample's size. choose_every_node is the same rule over every node
// the task fits statically and that is believed up, in id order, found by one pass over the
// view's own arrays instead of a candidate list (still a linear pass: every fitting node is
// ranked, since the top k is a share of the whole cluster).
#include <cstddef>
#include <span>
#include <vector>

#include "agents/scheduling_policy.hpp"

namespace marlsim {

class RayHybridRule {
 public:
  // Ray's choice among `nodes` (at least one) for `task`; top k = max(1, floor(0.2 x
  // share_of)). Draws below(top) from ctx.rng once when more than one node is in the top.
  NodeId choose(const TaskSpec& task, std::span<const NodeId> nodes, std::size_t share_of, const ClusterView& view,
                DispatchContext& ctx) const;
  // choose() over every up node `task` fits statically (at least one), top k a share of
  // the cluster; the same node and draws as choose() over that id-ordered list.
  NodeId choose_every_node(const TaskSpec& task, const ClusterView& view, DispatchContext& ctx) const;

 private:
  // The rule over the nodes `for_each_node(visit)` visits in id order, visit(n, view state).
  template <class ForEachNode>
  NodeId choose_from(const TaskSpec& task, ForEachNode for_each_node, std::size_t share_of, DispatchContext& ctx) const;

  struct Scored {
    double score;
    NodeId node;
    bool operator<(const Scored& o) const { return score < o.score || (score == o.score && node < o.node); }
  };
  // Scratch reused between calls, not state: a rank takes its decisions one at a time.
  mutable std::vector<Scored> available_;
  mutable std::vector<Scored> feasible_;
};

}  // namespace marlsim

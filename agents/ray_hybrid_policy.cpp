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
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <vector>

#include "agents/policy_registry.hpp"

namespace marlsim {

namespace {
constexpr double kSpreadThreshold = 0.5;
constexpr double kTopKFraction = 0.2;
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Scored {
  double score;
  NodeId node;
  bool operator<(const Scored& o) const { return score < o.score || (score == o.score && node < o.node); }
};

class RayHybridPolicy final : public SchedulingPolicy {
 public:
  std::string_view name() const override { return "ray-hybrid"; }

  NodeId choose(const TaskSpec& task, std::span<const NodeId> candidates, const ClusterView& view,
                DispatchContext& ctx) const override {
    available_.clear();
    feasible_.clear();
    // One pass: the groups, each group's lowest (score, id), and the local node's place.
    Scored lowest_available{kInf, kNoNode}, lowest_feasible{kInf, kNoNode}, local{kInf, kNoNode};
    bool local_available = false;
    for (const NodeId n : candidates) {
      const NodeView& v = view.state(n);  // looked up once (a sparse view searches for it)
      const Scored s{score(ClusterView::critical_load(view.spec(n), v)), n};
      const bool fits = ClusterView::fits_now(task, v);
      if (fits) {
        available_.push_back(s);
        if (s < lowest_available) lowest_available = s;
      } else {
        feasible_.push_back(s);
        if (s < lowest_feasible) lowest_feasible = s;
      }
      if (n == ctx.local_node) {
        local = s;
        local_available = fits;
      }
    }
    const bool use_available = !available_.empty();
    std::vector<Scored>& group = use_available ? available_ : feasible_;
    const Scored lowest = use_available ? lowest_available : lowest_feasible;

    // Local (if a candidate and in the group) when no node of the group scores lower.
    if (local.node != kNoNode && local_available == use_available && local.score <= lowest.score) return local.node;

    const std::size_t k = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::floor(kTopKFraction * static_cast<double>(view.size()))));
    const std::size_t top = std::min(k, group.size());
    if (top == 1) return lowest.node;
    if (ctx.rng == nullptr) throw std::logic_error("ray-hybrid policy: DispatchContext::rng is not set");
    const std::size_t rank = ctx.rng->below(top);
    // (score, id) is a strict total order, so the element of a given rank is well defined.
    std::nth_element(group.begin(), group.begin() + static_cast<std::ptrdiff_t>(rank), group.end());
    return group[rank].node;
  }

 private:
  static double score(double critical) { return critical < kSpreadThreshold ? 0.0 : critical; }

  // Scratch reused between calls, not state: a rank takes its decisions one at a time.
  mutable std::vector<Scored> available_;
  mutable std::vector<Scored> feasible_;
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_ray_hybrid_policy(const PolicyContext&) {
  return std::make_unique<RayHybridPolicy>();
}

}  // namespace marlsim

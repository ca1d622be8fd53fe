// Least loaded: the candidate with the least believed load, cores demanded by running AND
// queued tasks per core (ClusterView::load, a load average; a fraction, so nodes of
// different sizes compare fairly). Busy cores alone would send work to small nodes whose
// queues are long but whose cores look no busier than a big node's. Ties: the shorter
// backlog (ClusterView::backlog_s), then the lowest node id, so the answer never depends
// on candidate order.
//
// Indexed path: the view keeps the up nodes' keys, exactly (load, backlog_s, id), in a min
// tree over flat arrays (agents/least_load_tree), whose search finds the least key among the
// up nodes the task fits statically: the scan's choice.
#include <memory>
#include <stdexcept>

#include "agents/policy_registry.hpp"

namespace marlsim {

namespace {
class LeastLoadedPolicy final : public SchedulingPolicy {
 public:
  std::string_view name() const override { return "least-loaded"; }

  NodeId choose(const TaskSpec&, std::span<const NodeId> candidates, const ClusterView& view,
                DispatchContext&) const override {
    NodeId best = candidates[0];
    double best_util = view.load(best);
    double best_backlog = view.backlog_s(best);
    for (const NodeId n : candidates.subspan(1)) {
      const double u = view.load(n);
      if (u > best_util) continue;
      const double b = view.backlog_s(n);
      if (u < best_util || b < best_backlog || (b == best_backlog && n < best)) {
        best = n;
        best_util = u;
        best_backlog = b;
      }
    }
    return best;
  }

  IndexNeeds index_needs() const override { return {.by_load = true}; }

  NodeId choose_indexed(const TaskSpec& task, const ClusterView& view, DispatchContext&) const override {
    const NodeId best = view.indexes()->by_load().least_fitting(task);
    if (best == LeastLoadTree::kNone) throw std::logic_error("least-loaded policy: no up node fits the task");
    return best;
  }
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_least_loaded_policy(const PolicyContext&) {
  return std::make_unique<LeastLoadedPolicy>();
}

}  // namespace marlsim

// Least loaded: the candidate whose cores are believed least busy (ClusterView::utilization,
// a fraction, so nodes of different sizes compare fairly). Ties: the shorter backlog
// (ClusterView::backlog_s: an idle-looking node may still have queued work), then the
// lowest node id, so the answer never depends on candidate order.
#include <memory>

#include "agents/scheduling_policy.hpp"

namespace marlsim {

namespace {
class LeastLoadedPolicy final : public SchedulingPolicy {
 public:
  std::string_view name() const override { return "least-loaded"; }
  PolicyRequirements requirements() const override { return {.load_information = true, .local_node = false}; }

  NodeId choose(const TaskSpec&, std::span<const NodeId> candidates, const ClusterView& view,
                DispatchContext&) override {
    NodeId best = candidates[0];
    double best_util = view.utilization(best);
    double best_backlog = view.backlog_s(best);
    for (const NodeId n : candidates.subspan(1)) {
      const double u = view.utilization(n);
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
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_least_loaded_policy() { return std::make_unique<LeastLoadedPolicy>(); }

}  // namespace marlsim

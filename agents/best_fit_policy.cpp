// Best fit for several resources, by Tetris's alignment score (Grandl et al., "Multi-resource
// packing for cluster schedulers", SIGCOMM'14, section 3.1): the dot product of the task's
// demand vector and the node's free-resource vector, both normalized by the node's capacity,
// over (cores, memory). A high score means the node has much of exactly what the task needs,
// so a core-heavy task lands where cores are free and a memory-heavy one where memory is
// free, and the resources left over on each node stay usable instead of fragmented.
//
// Order of preference: nodes where the task fits now (it starts at once) over nodes where it
// would queue; among those that fit, the highest alignment (ties: smaller expected completion,
// then the lower node id). If it fits on no candidate now, alignment means nothing (free
// resources are too small everywhere), so the smallest expected completion wins (ties: the
// lower node id).
#include <memory>

#include "agents/policy_registry.hpp"

namespace marlsim {

namespace {
class BestFitPolicy final : public SchedulingPolicy {
 public:
  std::string_view name() const override { return "best-fit"; }

  NodeId choose(const TaskSpec& task, std::span<const NodeId> candidates, const ClusterView& view,
                DispatchContext&) const override {
    NodeId fit = kNoNode;  // best among the nodes where it fits now
    double fit_score = 0, fit_ect = 0;
    NodeId soonest = kNoNode;  // smallest expected completion overall (used if nothing fits)
    double soonest_ect = 0;
    for (const NodeId n : candidates) {
      const double ect = view.expected_completion_s(task, n);
      if (view.fits_now(task, n)) {
        const double score = view.alignment(task, n);
        if (fit == kNoNode || score > fit_score ||
            (score == fit_score && (ect < fit_ect || (ect == fit_ect && n < fit)))) {
          fit = n;
          fit_score = score;
          fit_ect = ect;
        }
      } else if (fit == kNoNode) {
        if (soonest == kNoNode || ect < soonest_ect || (ect == soonest_ect && n < soonest)) {
          soonest = n;
          soonest_ect = ect;
        }
      }
    }
    return fit != kNoNode ? fit : soonest;
  }
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_best_fit_policy(const PolicyContext&) {
  return std::make_unique<BestFitPolicy>();
}

}  // namespace marlsim

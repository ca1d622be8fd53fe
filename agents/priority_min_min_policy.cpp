// Priority Min-Min (source study 1's strongest baseline), with the priority classes used for
// real. A batch raised together is scheduled class by class, Production, then Batch, then
// Best-effort; inside a class by Min-Min (Ibarra & Kim 1977; Braun et al., JPDC 2001):
// every unassigned task's minimum expected completion time (ECT) over its candidates is
// computed, the task with the smallest one is assigned to that node and committed to the
// view, and the minima are recomputed. A single decision (choose) is minimum ECT (MCT).
//
// ECT = ClusterView::expected_completion_s: the node's believed backlog, then the task's own
// run time at the node's speed. Ties: the lower node id (node choice), the earlier task in
// the batch (Min-Min pick), so results never depend on candidate order.
//
// Recomputing is incremental: a commit only adds work to one node, so only that node's ECT
// grows, and a task's minimum can change only if its best node was the one committed to.
// Those tasks are rescanned; the others keep their minimum. A batch of B tasks over K
// candidates costs O(B K) plus O(K) per rescan instead of O(B^2 K).
//
// Indexed path (a request for every node): agents/min_ect_search, over the view's speed
// classes; the same node as the scan, bit for bit.
#include <algorithm>
#include <memory>
#include <vector>

#include "agents/min_ect_search.hpp"
#include "agents/policy_registry.hpp"

namespace marlsim {

namespace {
MinEct min_ect(const TaskSpec& task, std::span<const NodeId> candidates, const ClusterView& view) {
  MinEct best{candidates[0], view.expected_completion_s(task, candidates[0])};
  for (const NodeId n : candidates.subspan(1)) {
    const double e = view.expected_completion_s(task, n);
    if (e < best.ect || (e == best.ect && n < best.node)) best = {n, e};
  }
  return best;
}

MinEct min_ect(const DecisionRequest& r) {
  return r.every_node ? min_ect_indexed(*r.task, *r.view) : min_ect(*r.task, r.candidates, *r.view);
}

class PriorityMinMinPolicy final : public SchedulingPolicy {
 public:
  std::string_view name() const override { return "priority-minmin"; }

  NodeId choose(const TaskSpec& task, std::span<const NodeId> candidates, const ClusterView& view,
                DispatchContext&) const override {
    return min_ect(task, candidates, view).node;
  }

  IndexNeeds index_needs() const override { return {.by_backlog = true}; }

  NodeId choose_indexed(const TaskSpec& task, const ClusterView& view, DispatchContext&) const override {
    return min_ect_indexed(task, view).node;
  }

  // Each LP's requests are one Min-Min batch over its view.
  void decide(std::span<DecisionRequest> batch) const override {
    for (std::size_t first = 0; first < batch.size();) {
      const std::size_t end = same_lp_end(batch, first);
      min_min(batch.subspan(first, end - first));
      first = end;
    }
  }

 private:
  void min_min(std::span<DecisionRequest> requests) const {
    ClusterView& view = *requests[0].view;
    for (int cls = 0; cls < kPriorityClasses; ++cls) {
      // This class's requests in batch order; `best` holds each one's current minimum.
      pending_.clear();
      best_.clear();
      for (std::size_t i = 0; i < requests.size(); ++i) {
        if (static_cast<int>(requests[i].task->priority) != cls) continue;
        pending_.push_back(i);
        best_.push_back(min_ect(requests[i]));
      }
      while (!pending_.empty()) {
        std::size_t pick = 0;  // position in pending_; ties keep the earliest (batch order)
        for (std::size_t p = 1; p < pending_.size(); ++p)
          if (best_[p].ect < best_[pick].ect) pick = p;
        DecisionRequest& r = requests[pending_[pick]];
        const NodeId node = best_[pick].node;
        r.chosen = node;
        view.commit(*r.task, node);
        // Remove the pick, keeping batch order for the tie-break.
        pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(pick));
        best_.erase(best_.begin() + static_cast<std::ptrdiff_t>(pick));
        for (std::size_t p = 0; p < pending_.size(); ++p)
          if (best_[p].node == node) best_[p] = min_ect(requests[pending_[p]]);
      }
    }
  }

  // Scratch reused between batches, not state: a rank takes its decisions one at a time.
  mutable std::vector<std::size_t> pending_;
  mutable std::vector<MinEct> best_;
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_priority_min_min_policy(const PolicyContext&) {
  return std::make_unique<PriorityMinMinPolicy>();
}

}  // namespace marlsim

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
// Indexed path (a request for every node): the view keeps the up nodes in classes of close
// speeds, each ordered by backlog, then speed descending, then id. ECT = backlog + run time,
// and no node of a class runs the task faster than the class's fastest speed, so a class's
// walk stops once backlog + that shortest run time exceeds the best ECT found; classes are
// visited in order of that bound for their least backlog, and the visit ends at the first
// class whose bound exceeds the best. Within one backlog the ECT only grows along the order
// (a slower node runs the task longer), so the walk leaves a backlog at its first node worse
// than the best. Every cut-off holds after rounding too (floating-point sums, products and
// quotients are monotone), and nodes whose ECT rounds to the best are all visited, so the tie
// goes to the lowest id as in the scan. The cost is the speed classes plus, in each, the nodes
// whose backlog lies within the class's spread of run times of the best, not the cluster size.
#include <algorithm>
#include <array>
#include <limits>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "agents/policy_registry.hpp"

namespace marlsim {

namespace {
struct Best {
  NodeId node = kNoNode;
  double ect = 0;
};

Best min_ect(const TaskSpec& task, std::span<const NodeId> candidates, const ClusterView& view) {
  Best best{candidates[0], view.expected_completion_s(task, candidates[0])};
  for (const NodeId n : candidates.subspan(1)) {
    const double e = view.expected_completion_s(task, n);
    if (e < best.ect || (e == best.ect && n < best.node)) best = {n, e};
  }
  return best;
}

// The task's run time at `speed`, as ClusterView::runtime_s computes it.
double runtime_at(const TaskSpec& task, double speed) { return task.work_core_s / (task.cores * speed); }

// Walks one speed class (see the file comment), improving `best`.
void walk_class(const TaskSpec& task, const ClusterView& view, const ViewIndexes::SpeedClass& cls, Best& best) {
  const auto& order = cls.by_backlog;
  const double shortest_runtime_s = runtime_at(task, cls.max_speed);
  constexpr double kSlowest = -std::numeric_limits<double>::infinity();  // sorts after every speed
  for (auto it = order.begin(); it != order.end();) {
    const double backlog_s = it->backlog_s;
    if (best.node != kNoNode && backlog_s + shortest_runtime_s > best.ect) return;
    // One backlog, speeds descending: the ECT only grows; per speed, only the lowest fitting id.
    while (it != order.end() && it->backlog_s == backlog_s) {
      if (!view.fits_statically(task, it->id)) {
        ++it;
        continue;
      }
      const double e = view.expected_completion_s(task, it->id);
      if (best.node != kNoNode && e > best.ect) {  // so is every slower node of this backlog
        it = order.upper_bound({backlog_s, kSlowest, kNoNode});
        break;
      }
      if (best.node == kNoNode || e < best.ect || (e == best.ect && it->id < best.node)) best = {it->id, e};
      it = order.upper_bound({backlog_s, it->speed, kNoNode});  // same speed: same ECT, higher ids
    }
  }
}

Best min_ect_indexed(const TaskSpec& task, const ClusterView& view) {
  const auto& classes = view.indexes()->speed_classes();
  // Each class's lowest possible ECT: its least backlog, at its fastest speed.
  std::array<std::pair<double, std::size_t>, ViewIndexes::kMaxSpeedClasses> bounds;
  std::size_t count = 0;
  for (std::size_t c = 0; c < classes.size(); ++c)
    if (!classes[c].by_backlog.empty())
      bounds[count++] = {classes[c].by_backlog.begin()->backlog_s + runtime_at(task, classes[c].max_speed), c};
  std::sort(bounds.begin(), bounds.begin() + static_cast<std::ptrdiff_t>(count));
  Best best;
  for (std::size_t i = 0; i < count && (best.node == kNoNode || bounds[i].first <= best.ect); ++i)
    walk_class(task, view, classes[bounds[i].second], best);
  if (best.node == kNoNode) throw std::logic_error("priority-minmin policy: no up node fits the task");
  return best;
}

Best min_ect(const DecisionRequest& r) {
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
  mutable std::vector<Best> best_;
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_priority_min_min_policy(const PolicyContext&) {
  return std::make_unique<PriorityMinMinPolicy>();
}

}  // namespace marlsim

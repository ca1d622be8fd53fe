// The view keeps the up nodes in classes of close speeds, each ordered by backlog, then speed
// descending, then id. ECT = backlog + run time, and no node of a class runs the task faster
// than the class's fastest speed, so a class's walk stops once backlog + that shortest run
// time exceeds the best ECT found; classes are visited in order of that bound for their least
// backlog, and the visit ends at the first class whose bound exceeds the best. Within one
// backlog the ECT only grows along the order (a slower node runs the task longer), so the walk
// leaves a backlog at its first node worse than the best. Every cut-off holds after rounding
// too (floating-point sums, products and quotients are monotone), and nodes whose ECT rounds
// to the best are all visited, so the tie goes to the lowest id as in the scan. The cost is
// the speed classes plus, in each, the nodes whose backlog lies within the class's spread of
// run times of the best, not the cluster size.
#include "agents/min_ect_search.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>
#include <utility>

namespace marlsim {

namespace {
// The task's run time at `speed`, as ClusterView::runtime_s computes it.
double runtime_at(const TaskSpec& task, double speed) { return task.work_core_s / (task.cores * speed); }

// order.upper_bound(key) from `it` (not past it): a few steps first, since the next key is
// usually already past (speeds and backlogs are mostly distinct; a tree descent is ~log N
// cache misses), then the descent (a tier of one speed: thousands of nodes share a backlog).
template <class Order, class It>
It skip_past(const Order& order, It it, const ViewIndexes::BacklogKey& key) {
  constexpr int kSteps = 4;
  for (int k = 0; k < kSteps; ++k, ++it)
    if (it == order.end() || key < *it) return it;
  return order.upper_bound(key);
}

// Walks one speed class (see the file comment), improving `best`.
void walk_class(const TaskSpec& task, const ViewIndexes::SpeedClass& cls, MinEct& best) {
  const auto& order = cls.by_backlog;
  const double shortest_runtime_s = runtime_at(task, cls.max_speed);
  constexpr double kSlowest = -std::numeric_limits<double>::infinity();  // sorts after every speed
  for (auto it = order.begin(); it != order.end();) {
    const double backlog_s = it->backlog_s;
    if (best.node != kNoNode && backlog_s + shortest_runtime_s > best.ect) return;
    // One backlog, speeds descending: the ECT only grows; per speed, only the lowest fitting id.
    while (it != order.end() && it->backlog_s == backlog_s) {
      if (!it->capacity.fits(task)) {  // ClusterView::fits_statically, without the NodeSpec's cache miss
        ++it;
        continue;
      }
      // ClusterView::expected_completion_s from the key (its backlog_s is the view's, bit for
      // bit), without touching the node's state or spec.
      const double e = backlog_s + runtime_at(task, it->speed);
      if (best.node != kNoNode && e > best.ect) {  // so is every slower node of this backlog
        it = skip_past(order, it, {backlog_s, kSlowest, kNoNode, {}});
        break;
      }
      if (best.node == kNoNode || e < best.ect || (e == best.ect && it->id < best.node)) best = {it->id, e};
      it = skip_past(order, it, {backlog_s, it->speed, kNoNode, {}});  // same speed: same ECT, higher ids
    }
  }
}
}  // namespace

MinEct min_ect_indexed(const TaskSpec& task, const ClusterView& view) {
  const auto& classes = view.indexes()->speed_classes();
  // Each class's lowest possible ECT: its least backlog, at its fastest speed.
  std::array<std::pair<double, std::size_t>, ViewIndexes::kMaxSpeedClasses> bounds;
  std::size_t count = 0;
  for (std::size_t c = 0; c < classes.size(); ++c)
    if (!classes[c].by_backlog.empty())
      bounds[count++] = {classes[c].by_backlog.begin()->backlog_s + runtime_at(task, classes[c].max_speed), c};
  std::sort(bounds.begin(), bounds.begin() + static_cast<std::ptrdiff_t>(count));
  MinEct best;
  for (std::size_t i = 0; i < count && (best.node == kNoNode || bounds[i].first <= best.ect); ++i)
    walk_class(task, classes[bounds[i].second], best);
  if (best.node == kNoNode) throw std::logic_error("min_ect_indexed: no up node fits the task");
  return best;
}

}  // namespace marlsim

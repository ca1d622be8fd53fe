// A branch and bound over the view's ECT tree (ViewIndexes, by_backlog): nodes in static
// (speed descending, id) order, each subtree holding the least backlog of its up nodes and
// the fastest speed, largest cores and memory and lowest id of its machines. ECT = backlog +
// run time, and no node of a subtree has a smaller backlog or runs the task faster, so
// least backlog + run time at the fastest speed bounds every ECT below from beneath. The
// search descends the child of lower bound first (ties: the left one, lower ids among equal
// speeds) and leaves a subtree whose machines are all too small for the task, whose bound
// exceeds the best ECT found, or whose bound equals it while its lowest id is above the best
// node's (it can only tie, and lose the tie). The bound holds after rounding too
// (floating-point sums, products and quotients are monotone), and a subtree that may hold a
// node whose ECT rounds to the best is not left, so the tie goes to the lowest id as in the
// scan. At a leaf the bound is the node's ECT, computed as ClusterView::expected_completion_s
// (the leaf's backlog is ClusterView::backlog_s, bit for bit), without the node's state or spec.
//
// The cost: the subtrees whose bound is within their own speed spread's run time of the best,
// O(log N) of them at each size when the nodes' ECTs are spread (a subtree's spread shrinks
// with its size), plus the subtrees pulled down by idle nodes the task does not fit.
#include "agents/min_ect_search.hpp"

#include <limits>
#include <stdexcept>

namespace marlsim {

namespace {
// The task's run time at `speed`, as ClusterView::runtime_s computes it.
double runtime_at(const TaskSpec& task, double speed) { return task.work_core_s / (task.cores * speed); }

struct EctSearch {
  const TaskSpec& task;
  const std::vector<ViewIndexes::EctNode>& tree;
  std::size_t leaves;
  MinEct best;

  // Subtree i may hold a node the task fits whose ECT beats the best (or ties it with a lower
  // id); `bound` is its lower bound.
  bool worth(std::size_t i, double& bound) const {
    const ViewIndexes::EctNode& t = tree[i];
    if (task.cores > t.max_cores || task.memory_gb > t.max_memory_gb) return false;  // also: padding
    // +inf if no node below is up.
    bound = t.min_backlog_s + runtime_at(task, t.max_speed);
    if (best.node == kNoNode) return bound < std::numeric_limits<double>::infinity();
    return bound < best.ect || (bound == best.ect && t.min_id < best.node);
  }

  void visit(std::size_t i, double bound) {
    if (i >= leaves) {  // worth() tested its fit; its bound is its ECT
      best = {tree[i].min_id, bound};
      return;
    }
    double left = 0, right = 0;
    const bool go_left = worth(2 * i, left), go_right = worth(2 * i + 1, right);
    if (go_right && (!go_left || right < left)) {
      visit(2 * i + 1, right);
      if (worth(2 * i, left)) visit(2 * i, left);  // again: the best may have improved
    } else if (go_left) {
      visit(2 * i, left);
      if (worth(2 * i + 1, right)) visit(2 * i + 1, right);
    }
  }
};
}  // namespace

MinEct min_ect_indexed(const TaskSpec& task, const ClusterView& view) {
  const ViewIndexes& index = *view.indexes();
  EctSearch search{task, index.ect_tree(), index.ect_leaves(), {}};
  double bound = 0;
  if (search.worth(1, bound)) search.visit(1, bound);
  if (search.best.node == kNoNode) throw std::logic_error("min_ect_indexed: no up node fits the task");
  return search.best;
}

}  // namespace marlsim

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
//
// Indexed path (a request for every node): the view keeps a max tree over the up nodes with
// an empty queue in static (cores, memory) order (IndexNeeds::by_fit), holding per subtree the
// largest free cores, free memory and alignment factors free / capacity^2. A branch and bound
// descends it, the child with the higher bound first, and leaves a subtree whose free
// resources cannot hold the task (tested on the subtree's staircase of free memory per free
// cores, FitMaxima::may_hold: exact for tasks of up to 8 whole cores, so a subtree where one
// node has the cores free and another the memory is left) or whose bound (task cores x largest
// core factor + task memory x largest memory factor of a node with the task's cores free,
// lowered to the subtree's upper hull of (core factor + r x memory factor) over 16 ratios r,
// ViewIndexes::AlignmentBound) is below the best score found: every node a subtree could
// hold scores at most its bound, up to rounding, which a slack of 1e-12 x (task cores x largest
// core factor + task memory x largest memory factor), at least the axis bound, covers (the
// scan's score and the bound are each a few roundings, relative error < 1e-15, from the same
// exact value). Scores equal to the best are never left out, so ties (smaller expected
// completion, then the lower id) go as in the scan. Subtrees hold machines of similar capacity,
// so their bounds are close to their best node's score. If no node can start the task now, the
// smallest expected completion is agents/min_ect_search's, as for Priority Min-Min.
#include <memory>

#include "agents/min_ect_search.hpp"
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

  IndexNeeds index_needs() const override { return {.by_backlog = true, .by_fit = true}; }

  NodeId choose_indexed(const TaskSpec& task, const ClusterView& view, DispatchContext&) const override {
    const ViewIndexes& index = *view.indexes();
    AlignedSearch search{task, view, index, ViewIndexes::AlignmentBound{index, task}};
    search.visit(1);
    return search.best != kNoNode ? search.best : min_ect_indexed(task, view).node;
  }

 private:
  // The branch and bound over the fit tree (see the file comment).
  struct AlignedSearch {
    const TaskSpec& task;
    const ClusterView& view;
    const ViewIndexes& index;
    const ViewIndexes::AlignmentBound bound_of;
    NodeId best = kNoNode;
    double best_score = 0, best_ect = 0;

    // The subtree may hold a node where the task starts now, scoring at least the best.
    bool worth(std::size_t i, double& bound) const {
      const ViewIndexes::FitMaxima& m = index.fit_tree()[i];
      if (!m.may_hold(task)) return false;
      bound = bound_of(m);
      return best == kNoNode || bound >= best_score;
    }

    void visit(std::size_t i) {
      double bound = 0;
      if (!worth(i, bound)) return;
      if (i >= index.fit_leaves()) return leaf(index.fit_leaf_node(i));
      double left = 0, right = 0;
      const bool go_left = worth(2 * i, left), go_right = worth(2 * i + 1, right);
      if (go_right && (!go_left || right > left)) {
        visit(2 * i + 1);
        if (go_left) visit(2 * i);  // worth() again: the best may have risen
      } else if (go_left) {
        visit(2 * i);
        if (go_right) visit(2 * i + 1);
      }
    }

    void leaf(NodeId n) {  // as the scan's fits-now branch
      if (!view.fits_statically(task, n) || !view.fits_now(task, n)) return;
      const double score = view.alignment(task, n);
      const double ect = view.expected_completion_s(task, n);
      if (best == kNoNode || score > best_score ||
          (score == best_score && (ect < best_ect || (ect == best_ect && n < best)))) {
        best = n;
        best_score = score;
        best_ect = ect;
      }
    }
  };
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_best_fit_policy(const PolicyContext&) {
  return std::make_unique<BestFitPolicy>();
}

}  // namespace marlsim

#pragma once
// The id-ordered list of the up nodes a task fits statically (what SchedulerLp lists for a
// decision over every node), addressed by position without being built: its size, and its
// k-th node, from the view's indexes (by_id). The unfit up nodes are listed from the view's
// static orders (by cores, by memory) and kept as bits over ids with running counts per 64
// ids. Costs O(log N) per node for a task that fits every node; otherwise the statically
// unfit nodes plus N / 64 words once per task, then O(log N) per fixed-point step.
#include <cstdint>
#include <vector>

#include "agents/cluster_view.hpp"

namespace marlsim {

class FittingUpNodes {
 public:
  // Prepares for `task` over `view`, which keeps the by_id index.
  void reset(const TaskSpec& task, const ClusterView& view);
  // The length of the list.
  std::size_t size() const { return index_->up_count() - unfit_.size(); }
  // Its k-th node (0-based, k < size()).
  NodeId kth(std::size_t k) const {
    std::size_t unfit_before = 0;
    return kth(k, unfit_before);
  }
  // The same, for ascending k in turn: `unfit_before` starts at 0 and carries the unfit nodes
  // before the last answer to the next call (they only grow with k), so the walk resumes there.
  NodeId kth(std::size_t k, std::size_t& unfit_before) const;

 private:
  std::size_t unfit_through(NodeId n) const;  // unfit nodes with an id <= n

  const ViewIndexes* index_ = nullptr;
  // Scratch reused between tasks, not state.
  std::vector<NodeId> unfit_;
  std::vector<std::uint64_t> unfit_bits_;
  std::vector<std::size_t> unfit_before_;
};

}  // namespace marlsim

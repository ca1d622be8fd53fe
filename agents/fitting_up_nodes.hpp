#pragma once
// The id-ordered list of the up nodes a task fits statically (what SchedulerLp lists for a
// decision over every node), addressed by position without being built: its size, and its
// k-th node, from the view's indexes (by_id), by the cheaper of two exact methods:
// - listing (the readable reference): the unfit up nodes are listed from the view's static
//   orders (by cores, by memory) and kept as bits over ids with running counts per 64 ids.
//   Costs the statically unfit nodes plus N / 64 words once per task, then O(log N) per
//   fixed-point step; O(log N) per node for a task that fits every node.
// - the wavelet tree of the task's core class (ViewIndexes::up_nodes_with_cores, built with
//   the view): the count is a prefix count, the k-th node a descent over the id bits (two
//   cache lines and two small Fenwick walks per level; two lines per two levels while no node
//   of the set is down; then the last level's range of at most 64 ids): O(log^2 N) steps,
//   whatever the share of unfit nodes
//   (agents/up_nodes_wavelet_tree.hpp); listing if the view keeps no tree for the task.
// Both give the same list, so the choice (by a cost estimate) never changes a decision.
#include <cstdint>
#include <vector>

#include "agents/cluster_view.hpp"

namespace marlsim {

class FittingUpNodes {
 public:
  enum class Method { automatic, listing, wavelet };
  // Prepares for `task` over `view`, which keeps the by_id index; `method` forces one (tests).
  void reset(const TaskSpec& task, const ClusterView& view, Method method = Method::automatic);
  // The length of the list.
  std::size_t size() const { return tree_ != nullptr ? tree_count_ : index_->up_count() - unfit_.size(); }
  // Its k-th node (0-based, k < size()).
  NodeId kth(std::size_t k) const {
    std::size_t unfit_before = 0;
    return kth(k, unfit_before);
  }
  // The same, for ascending k in turn: `unfit_before` starts at 0 and carries the unfit nodes
  // before the last answer to the next call (they only grow with k), so the walk resumes there.
  NodeId kth(std::size_t k, std::size_t& unfit_before) const;
  // The method reset() chose.
  Method method() const { return tree_ != nullptr ? Method::wavelet : Method::listing; }

 private:
  std::size_t unfit_through(NodeId n) const;  // unfit nodes with an id <= n

  const ViewIndexes* index_ = nullptr;
  // The wavelet method: the core class's tree, the task's memory prefix and its up count.
  const UpNodesWaveletTree* tree_ = nullptr;
  std::size_t tree_prefix_ = 0, tree_count_ = 0;
  // Scratch reused between tasks, not state.
  std::vector<NodeId> unfit_;
  std::vector<std::uint64_t> unfit_bits_;
  std::vector<std::size_t> unfit_before_;
};

}  // namespace marlsim

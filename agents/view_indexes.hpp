#pragma once
// Incremental indexes over a dense ClusterView's believed-up nodes, so that a heuristic finds
// the node its scan would pick without visiting every node (docs/sub-linear-decisions.md).
// ClusterView owns them and moves a node's keys on every write to its NodeView (a report, a
// commit); the keys are the values the scans compute (ClusterView::load, backlog_s), so an
// indexed choice is the scan's choice, bit for bit.
//
// Static feasibility (fits_statically) does not order the dynamic keys: the seed-study cluster
// draws memory and speed per node, so there are as many machine shapes as nodes and no
// per-shape index. The load tree and the ECT tree keep their subtrees' largest cores and
// memory, so a subtree of machines too small is left whole; for `random`,
// the nodes it does not fit are listed from two static orders (by cores, by memory), or
// counted and selected in a wavelet tree per distinct core count (agents/up_nodes_wavelet_tree).
#include <array>
#include <cstdint>
#include <vector>

#include "agents/least_load_tree.hpp"
#include "agents/up_nodes_wavelet_tree.hpp"

#include "workloads/cluster_spec.hpp"
#include "workloads/task_spec.hpp"

namespace marlsim {

using NodeId = std::uint32_t;

// What a policy's indexed path reads (SchedulingPolicy::index_needs).
struct IndexNeeds {
  bool by_id = false;       // up nodes by id, with counts (k-th up node in id order)
  bool by_load = false;     // the least (load, backlog_s, id) of the up nodes a task fits
  bool by_backlog = false;  // the ECT tree: least backlog_s of the up nodes per subtree, static speed order
  bool by_fit = false;      // up nodes with an empty queue: free resources, maxima per static range
  // With by_id: a wavelet tree per core class, built with the view (random's count and draw).
  bool by_core_class = false;
  bool any() const { return by_id || by_load || by_backlog || by_fit || by_core_class; }
};

// What the indexes key a node by: its believed state, as ClusterView computes it.
struct NodeKeys {
  bool up = false;
  double load = 0, backlog_s = 0;  // ClusterView::load, backlog_s
  bool queue_empty = false;
  double free_cores = 0, free_memory_gb = 0;
};

class ViewIndexes {
 public:
  // Every node starts down (in no index); ClusterView then update()s each one.
  ViewIndexes(const ClusterSpec& cluster, IndexNeeds needs);

  // Node n's new state: up or not, and its keys (ignored when down).
  void update(NodeId n, const NodeKeys& keys);

  const IndexNeeds& needs() const { return needs_; }
  // Node n is believed up (every index keeps this), one byte per node id for tight passes.
  const std::vector<char>& up_flags() const { return up_; }
  std::size_t up_count() const { return up_count_; }
  // The task fits every node of the cluster (then the up nodes are exactly the candidates).
  bool fits_every_node(const TaskSpec& task) const {
    return task.cores <= min_cores_ && task.memory_gb <= min_memory_gb_;
  }
  // Some up node fits the task statically.
  bool any_fits(const TaskSpec& task) const;

  // by_load: the up nodes' (load, backlog_s, id) in a min tree (agents/least_load_tree).
  const LeastLoadTree& by_load() const { return by_load_; }

  // by_backlog: the ECT tree, a min tree over the nodes in static (speed descending, id)
  // order, so that a subtree holds nodes of close speeds and, among equal speeds, a range of
  // ids. Each tree node holds the least backlog_s of an up node below it (+inf if none) and
  // static facts about the machines below it (up or not): the fastest speed, the largest cores
  // and memory, the lowest id. backlog + run time at the fastest speed is then a lower bound
  // of the expected completion time of every node below (agents/min_ect_search). Heap layout:
  // the root is 1, node i's children are 2i and 2i + 1, leaves are [ect_leaves(), 2
  // ect_leaves()); a leaf's static facts are its node's own (padding: -inf, kNoNodeAt).
  struct EctNode {
    double min_backlog_s;                        // dynamic: the up nodes below
    double max_speed, max_cores, max_memory_gb;  // static: every node below
    NodeId min_id;                               // static: every node below; a leaf's node
  };
  std::size_t ect_leaves() const { return ect_leaves_; }
  const std::vector<EctNode>& ect_tree() const { return ect_tree_; }

  // by_fit: a max tree over the nodes in static (cores, memory, id) order, so that a subtree
  // holds machines of similar capacity and its maxima bound each of them closely. A leaf holds,
  // for an up node with an empty queue (the only ones a task can start on at once), its free
  // cores and memory and Tetris's alignment factors free / capacity^2 (ClusterView::alignment
  // = task cores x core factor + task memory x memory factor, up to rounding); other leaves
  // hold -inf. An inner node holds its children's maxima. Heap layout: the root is 1, node i's
  // children are 2i and 2i + 1, leaves are [fit_leaves(), 2 fit_leaves()).
  // The largest free cores and the largest free memory may be two different nodes', so a
  // subtree also keeps a staircase: the largest free memory among its nodes with at least
  // 1, 2, ..., kCoreSteps cores free. For a task of at most kCoreSteps whole cores the test
  // "some node below has the task's cores and memory free" is then exact, and the search does
  // not descend into subtrees where only different nodes hold each.
  static constexpr int kCoreSteps = 8;
  // A node's alignment for a task is the dot product of (task cores, task memory) with the
  // node's (core factor, memory factor). The largest core factor and the largest memory
  // factor of a subtree may be two different nodes', a loose bound when many nodes score
  // close to the best; so a subtree also keeps its largest core factor + r x memory factor
  // for kFitDirections ratios r (fit_ratio(j), geometric around the cluster's memory per
  // core), and a task whose memory / cores lies between two ratios is bounded by a convex
  // combination of the two (AlignmentBound): an upper hull of the subtree's factor points,
  // sampled in kFitDirections directions.
  static constexpr int kFitDirections = 16;
  struct FitMaxima {
    double free_cores, free_memory_gb, core_factor, memory_factor;
    // [k]: the largest free memory of a node below with at least k + 1 cores free, rounded up
    // to a float (an upper bound: never says no when a node has it).
    std::array<float, kCoreSteps> free_memory_gb_with_cores;
    // [k]: the largest memory factor of a node below with at least k + 1 cores free, rounded up.
    std::array<float, kCoreSteps> memory_factor_with_cores;
    // [j]: the largest core factor + fit_ratio(j) x memory factor of a node below, rounded up.
    std::array<float, kFitDirections> along;
    // Some node below may have the task's cores and memory free; true if one has.
    bool may_hold(const TaskSpec& task) const {
      if (free_cores < task.cores || free_memory_gb < task.memory_gb) return false;
      if (!(task.cores >= 1)) return true;
      const int k = task.cores >= kCoreSteps ? kCoreSteps - 1 : static_cast<int>(task.cores) - 1;  // steps <= cores
      return free_memory_gb_with_cores[static_cast<std::size_t>(k)] >= task.memory_gb;
    }
    // The memory factor of a node below that may hold the task's cores is at most this.
    double memory_factor_for(const TaskSpec& task) const {
      if (!(task.cores >= 1)) return memory_factor;
      const int k = task.cores >= kCoreSteps ? kCoreSteps - 1 : static_cast<int>(task.cores) - 1;
      return memory_factor_with_cores[static_cast<std::size_t>(k)];
    }
  };
  double fit_ratio(int j) const { return fit_ratios_[static_cast<std::size_t>(j)]; }
  // An upper bound of the alignment of a task with every node below a fit-tree node that
  // may hold it, from the node's maxima: the smaller of the axis bound (task cores x largest
  // core factor + task memory x largest memory factor of a node with the task's cores free)
  // and the directional one (see kFitDirections), with a slack for rounding: the scan's
  // score and each bound are a few roundings (relative error < 1e-15 of the magnitudes
  // involved, all terms nonnegative) from exact values, so a relative 1e-12 of the axis
  // bound covers them. The task's part (where its ratio falls) is computed once.
  class AlignmentBound {
   public:
    AlignmentBound(const ViewIndexes& index, const TaskSpec& task);
    double operator()(const FitMaxima& m) const;

   private:
    const TaskSpec* task_;
    int low_ = -1, high_ = -1;                 // directions around the task's ratio (-1: the core axis)
    double low_weight_ = 0, high_weight_ = 0;  // convex weights, x task cores
    double tail_memory_ = 0;                   // beyond the last direction: task memory left to the memory factor
  };
  std::size_t fit_leaves() const { return fit_leaves_; }
  const std::vector<FitMaxima>& fit_tree() const { return fit_tree_; }
  // The node at a leaf of the fit tree (kNoNodeAt for padding).
  NodeId fit_leaf_node(std::size_t leaf) const { return fit_order_[leaf - fit_leaves_]; }
  static constexpr NodeId kNoNodeAt = 0xFFFFFFFFu;

  // The up nodes the task does not fit statically, in no particular order (cleared first).
  void unfit_up_nodes(const TaskSpec& task, std::vector<NodeId>& out) const;
  // by_id: the k-th (0-based) up node in id order; k < up_count().
  NodeId kth_up(std::size_t k) const;
  // How many nodes the task does not fit statically, up or not, counted twice if both too
  // small and too short of memory: what unfit_up_nodes walks, in O(log N).
  std::size_t unfit_nodes_bound(const TaskSpec& task) const;
  // by_core_class: the nodes with at least the task's cores (a distinct core count of the
  // cluster), as a wavelet tree over their up flags, brought up to date with up_flags() by
  // this call; nullptr if no node has the cores, the class is not among the
  // kMaxCoreClassTrees smallest, or the trees are not built yet. Not for concurrent readers.
  const UpNodesWaveletTree* up_nodes_with_cores(const TaskSpec& task) const;
  static constexpr std::size_t kMaxCoreClassTrees = 16;
  // by_core_class: brings the tree a decision for `task` reads up to date now (what
  // up_nodes_with_cores does), so that the failures since its last read are replayed before
  // the timed decision (SchedulerLp::place), not inside it. No effect on any result.
  void catch_up_for(const TaskSpec& task) const {
    if (needs_.by_id && needs_.by_core_class) up_nodes_with_cores(task);
  }
  // by_core_class: builds the trees of the kMaxCoreClassTrees smallest core classes from the
  // up flags now, once every node is in (ClusterView::keep_indexes): set-up work, so that no
  // decision builds one. Once per index; a copied index copies its trees.
  void build_core_class_trees();
  // The heap bytes of the core-class trees.
  std::size_t core_class_tree_bytes() const;

 private:
  void add_up(NodeId n, int delta);  // the Fenwick tree

  const ClusterSpec* cluster_;
  IndexNeeds needs_;
  std::vector<char> up_;
  std::size_t up_count_ = 0;
  double min_cores_ = 0, min_memory_gb_ = 0;
  struct Machine {  // a node's static capacity, stored in the orders below for a sequential walk
    double cores, memory_gb;
    NodeId id;
  };
  std::vector<Machine> by_cores_, by_memory_;  // static: ascending cores, ascending memory
  std::vector<std::uint32_t> fenwick_;         // by_id: 1-based Fenwick tree of up flags over ids
  std::vector<double> core_classes_;           // the distinct core counts, ascending
  // by_core_class: the trees of the smallest core classes, in class order, built from up_.
  // A tree catches up with up_ when it is read (up_nodes_with_cores), from the log of the
  // nodes whose flag changed since it last did, and not on every failure and repair: a node
  // that failed and was repaired in between costs a check, and a class no task asks for
  // costs nothing until the log is compacted (deduplicated into every lagging tree).
  // Mutable: a cache of up_ that reads bring up to date.
  mutable std::vector<UpNodesWaveletTree> core_class_trees_;
  mutable std::vector<std::size_t> core_class_synced_;  // each tree's position in up_changes_
  mutable std::vector<NodeId> up_changes_;              // nodes whose up flag changed, in order
  mutable std::vector<char> up_changes_logged_;         // scratch of compact_up_changes, all 0 between calls
  void catch_up(std::size_t tree) const;
  void compact_up_changes() const;
  LeastLoadTree by_load_;
  std::size_t ect_leaves_ = 0;
  std::vector<EctNode> ect_tree_;
  std::vector<std::uint32_t> ect_position_;  // by_backlog: each node's leaf, less ect_leaves_
  void set_ect_leaf(NodeId n, double min_backlog_s);
  std::size_t fit_leaves_ = 0;
  std::vector<FitMaxima> fit_tree_;
  std::array<double, kFitDirections> fit_ratios_{};  // by_fit: memory per core of each direction
  std::vector<NodeId> fit_order_;                    // by_fit: the node at each leaf (static order)
  std::vector<std::uint32_t> fit_position_;          // by_fit: each node's leaf, less fit_leaves_
  void set_fit_leaf(NodeId n, const FitMaxima& m);
};

}  // namespace marlsim

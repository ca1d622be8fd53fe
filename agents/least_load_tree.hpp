#pragma once
// least-loaded's index (ViewIndexes::by_load): the believed-up nodes keyed by (load,
// backlog_s, id), the scan's exact lexicographic order, in a tournament (min) tree over flat
// arrays, so that "the least key among the up nodes the task fits statically" needs no
// pointer walk and a key's move is one leaf-to-root pass (an ordered set's erase and insert
// were cache misses per tree level at 100,000 nodes, and an allocation).
//
// Heap layout: the root is 1, node i's children are 2i and 2i + 1, leaves are [leaves(), 2
// leaves()), node n's at leaves() + n (then padding); each pair of siblings shares a 64-byte
// line. Each tree node holds the least key of an up node below it
// (+inf, +inf, kNone if none) and, rounded up to floats, the largest cores and memory of the
// machines below it (up or not). The search (least_fitting) is a branch and bound: a subtree
// whose least key fits the task answers for it whole; one whose key is no better than the
// best found, or whose machines are all too small, is left.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "workloads/cluster_spec.hpp"
#include "workloads/task_spec.hpp"

namespace marlsim {

class LeastLoadTree {
 public:
  using NodeId = std::uint32_t;
  static constexpr NodeId kNone = 0xFFFFFFFFu;  // no up node below; padding

  struct Entry {
    double load, backlog_s;  // the least key of an up node below
    NodeId id;
    float max_cores, max_memory_gb;  // static: the largest machine below, rounded up (-inf: none)
  };
  // (load, backlog_s, id) lexicographically: ClusterView's least-loaded order.
  static bool less(const Entry& a, const Entry& b) {
    if (a.load != b.load) return a.load < b.load;
    if (a.backlog_s != b.backlog_s) return a.backlog_s < b.backlog_s;
    return a.id < b.id;
  }

  LeastLoadTree() = default;
  // Every node of the cluster down.
  explicit LeastLoadTree(const ClusterSpec& cluster);

  // Node n up with these keys (ClusterView::load, backlog_s), or down.
  void set(NodeId n, double load, double backlog_s);
  void set_down(NodeId n);

  // The up node of least (load, backlog_s, id) among those whose cores and memory the task
  // fits (ClusterView::fits_statically); kNone if none.
  NodeId least_fitting(const TaskSpec& task) const;

  // The tree, for tests: entry(i) for i in [1, 2 leaves()).
  std::size_t leaves() const { return leaves_; }
  const Entry& entry(std::size_t i) const { return pairs_[i / 2].child[i % 2]; }
  NodeId leaf_node(std::size_t leaf) const {
    return leaf - leaves_ < nodes_ ? static_cast<NodeId>(leaf - leaves_) : kNone;
  }

 private:
  struct alignas(64) Siblings {
    Entry child[2];
  };
  Entry& at(std::size_t i) { return pairs_[i / 2].child[i % 2]; }
  void set_leaf(NodeId n, double load, double backlog_s, NodeId id);

  struct Machine {
    double cores, memory_gb;
  };
  std::size_t leaves_ = 0, nodes_ = 0;
  std::vector<Siblings> pairs_;   // tree nodes 2p and 2p + 1 (node 0 unused)
  std::vector<Machine> machine_;  // by id: the exact static test of a subtree's least key
};

}  // namespace marlsim

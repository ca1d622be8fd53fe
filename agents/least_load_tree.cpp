#include "agents/least_load_tree.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "agents/float_at_least.hpp"

namespace marlsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr float kNoMachine = -std::numeric_limits<float>::infinity();

bool same_key(const LeastLoadTree::Entry& a, const LeastLoadTree::Entry& b) {
  return a.id == b.id && a.load == b.load && a.backlog_s == b.backlog_s;
}
}  // namespace

LeastLoadTree::LeastLoadTree(const ClusterSpec& cluster) {
  const auto& nodes = cluster.nodes;
  leaves_ = 1;
  while (leaves_ < nodes.size()) leaves_ *= 2;
  pairs_.assign(leaves_, Siblings{{Entry{kInf, kInf, kNone, kNoMachine, kNoMachine},
                                   Entry{kInf, kInf, kNone, kNoMachine, kNoMachine}}});
  for (const NodeSpec& s : nodes) machine_.push_back({s.cores, s.memory_gb});
  // Leaves in id order: ties on (load, backlog) go to the lowest id, so on a cluster of many
  // idle nodes the choices and their leaf-to-root passes stay in the tree's left part, in
  // cache (static (cores, memory) order, which prunes better, measured ~3x slower per
  // decision at 100,000 nodes for that reason).
  nodes_ = nodes.size();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    at(leaves_ + i).max_cores = float_at_least(nodes[i].cores);
    at(leaves_ + i).max_memory_gb = float_at_least(nodes[i].memory_gb);
  }
  for (std::size_t i = leaves_ - 1; i >= 1; --i) {
    at(i).max_cores = std::max(at(2 * i).max_cores, at(2 * i + 1).max_cores);
    at(i).max_memory_gb = std::max(at(2 * i).max_memory_gb, at(2 * i + 1).max_memory_gb);
  }
}

void LeastLoadTree::set(NodeId n, double load, double backlog_s) { set_leaf(n, load, backlog_s, n); }

void LeastLoadTree::set_down(NodeId n) { set_leaf(n, kInf, kInf, kNone); }

void LeastLoadTree::set_leaf(NodeId n, double load, double backlog_s, NodeId id) {
  std::size_t i = leaves_ + n;
  Entry& leaf = at(i);
  if (leaf.id == id && leaf.load == load && leaf.backlog_s == backlog_s) return;
  leaf.load = load;
  leaf.backlog_s = backlog_s;
  leaf.id = id;
  for (i /= 2; i >= 1; i /= 2) {
    const Entry& l = at(2 * i);
    const Entry& r = at(2 * i + 1);
    const Entry& least = less(r, l) ? r : l;
    Entry& e = at(i);
    if (same_key(e, least)) break;  // nor do the minima above change
    e.load = least.load;
    e.backlog_s = least.backlog_s;
    e.id = least.id;
  }
}

LeastLoadTree::NodeId LeastLoadTree::least_fitting(const TaskSpec& task) const {
  Entry best{kInf, kInf, kNone, 0, 0};
  if (leaves_ == 0) return kNone;
  // Depth-first, the child of lesser key first; at most one pending sibling per level.
  std::array<std::uint32_t, 2 * 33> pending;
  std::size_t top = 0;
  pending[top++] = 1;
  while (top > 0) {
    const std::size_t i = pending[--top];
    const Entry& e = entry(i);
    if (!less(e, best)) continue;  // also: no up node below
    if (task.cores > e.max_cores || task.memory_gb > e.max_memory_gb) continue;
    const Machine& m = machine_[e.id];
    if (task.cores <= m.cores && task.memory_gb <= m.memory_gb) {
      best = e;  // the least key below fits: nothing below does better
      continue;
    }
    if (i >= leaves_) continue;
    const auto left = static_cast<std::uint32_t>(2 * i);
    const bool left_first = less(entry(left), entry(left + 1));
    pending[top++] = left_first ? left + 1 : left;
    pending[top++] = left_first ? left : left + 1;
  }
  return best.id;
}

}  // namespace marlsim

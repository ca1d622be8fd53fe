#include "agents/view_indexes.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "agents/float_at_least.hpp"

namespace marlsim {

namespace {
// A leaf where no task starts at once (down, queued, or padding); made once, as every
// update of a fit-tree leaf starts from it.
const ViewIndexes::FitMaxima& closed_fit_leaf() {
  static const ViewIndexes::FitMaxima closed = [] {
    constexpr double kNone = -std::numeric_limits<double>::infinity();
    ViewIndexes::FitMaxima m{kNone, kNone, kNone, kNone, {}, {}, {}};
    m.free_memory_gb_with_cores.fill(-std::numeric_limits<float>::infinity());
    m.memory_factor_with_cores.fill(-std::numeric_limits<float>::infinity());
    m.along.fill(-std::numeric_limits<float>::infinity());
    return m;
  }();
  return closed;
}
}  // namespace

ViewIndexes::ViewIndexes(const ClusterSpec& cluster, IndexNeeds needs)
    : cluster_(&cluster), needs_(needs), up_(cluster.nodes.size(), 0) {
  const auto& nodes = cluster.nodes;
  if (nodes.empty()) return;
  min_cores_ = nodes[0].cores;
  min_memory_gb_ = nodes[0].memory_gb;
  for (const NodeSpec& s : nodes) {
    min_cores_ = std::min(min_cores_, s.cores);
    min_memory_gb_ = std::min(min_memory_gb_, s.memory_gb);
  }
  for (NodeId n = 0; n < nodes.size(); ++n) by_cores_.push_back({nodes[n].cores, nodes[n].memory_gb, n});
  by_memory_ = by_cores_;
  std::stable_sort(by_cores_.begin(), by_cores_.end(),
                   [](const Machine& a, const Machine& b) { return a.cores < b.cores; });
  std::stable_sort(by_memory_.begin(), by_memory_.end(),
                   [](const Machine& a, const Machine& b) { return a.memory_gb < b.memory_gb; });
  if (needs_.by_id) {
    fenwick_.assign(nodes.size() + 1, 0);
    for (const Machine& m : by_cores_)
      if (core_classes_.empty() || core_classes_.back() != m.cores) core_classes_.push_back(m.cores);
  }
  if (needs_.by_load) by_load_ = LeastLoadTree(cluster);
  if (needs_.by_fit) {
    fit_leaves_ = 1;
    while (fit_leaves_ < nodes.size()) fit_leaves_ *= 2;
    fit_tree_.assign(2 * fit_leaves_, closed_fit_leaf());
    fit_order_.assign(fit_leaves_, kNoNodeAt);
    std::vector<Machine> order = by_cores_;  // by cores; ties by memory, then id
    std::stable_sort(order.begin(), order.end(), [](const Machine& a, const Machine& b) {
      return a.cores < b.cores || (a.cores == b.cores && a.memory_gb < b.memory_gb);
    });
    // Directions from 1/16 to 11 times the cluster's memory per core, a factor sqrt(2)
    // apart: tasks' memory per core spans about that range around the machines' (seed-study:
    // 1/16-5 times); outside it the bound is still valid, only looser.
    double cores = 0, memory_gb = 0;
    for (const NodeSpec& s : nodes) {
      cores += s.cores;
      memory_gb += s.memory_gb;
    }
    const double per_core = cores > 0 && memory_gb > 0 ? memory_gb / cores : 1;
    for (int j = 0; j < kFitDirections; ++j)
      fit_ratios_[static_cast<std::size_t>(j)] = per_core * std::exp2((j - 8) / 2.0);
    fit_position_.resize(nodes.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      fit_order_[i] = order[i].id;
      fit_position_[order[i].id] = static_cast<std::uint32_t>(i);
    }
  }
  if (needs_.by_backlog) {
    ect_leaves_ = 1;
    while (ect_leaves_ < nodes.size()) ect_leaves_ *= 2;
    constexpr double kNone = std::numeric_limits<double>::infinity();  // no up node below
    constexpr double kNoMachine = -std::numeric_limits<double>::infinity();
    ect_tree_.assign(2 * ect_leaves_, EctNode{kNone, kNoMachine, kNoMachine, kNoMachine, kNoNodeAt});
    std::vector<NodeId> order(nodes.size());
    std::iota(order.begin(), order.end(), NodeId{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](NodeId a, NodeId b) { return nodes[a].speed > nodes[b].speed; });  // ties: by id
    ect_position_.resize(nodes.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      const NodeSpec& s = nodes[order[i]];
      ect_tree_[ect_leaves_ + i] = {kNone, s.speed, s.cores, s.memory_gb, order[i]};
      ect_position_[order[i]] = static_cast<std::uint32_t>(i);
    }
    for (std::size_t i = ect_leaves_ - 1; i >= 1; --i) {
      const EctNode& l = ect_tree_[2 * i];
      const EctNode& r = ect_tree_[2 * i + 1];
      ect_tree_[i] = {kNone, std::max(l.max_speed, r.max_speed), std::max(l.max_cores, r.max_cores),
                      std::max(l.max_memory_gb, r.max_memory_gb), std::min(l.min_id, r.min_id)};
    }
  }
}

void ViewIndexes::update(NodeId n, const NodeKeys& keys) {
  const bool up = keys.up;
  const double load = keys.load, backlog_s = keys.backlog_s;
  const bool was_up = up_[n] != 0;
  const NodeSpec& spec = cluster_->nodes[n];
  if (needs_.by_load) {
    if (up) by_load_.set(n, load, backlog_s);
    else if (was_up) by_load_.set_down(n);
  }
  if (needs_.by_backlog) set_ect_leaf(n, up ? backlog_s : std::numeric_limits<double>::infinity());
  if (needs_.by_fit) {
    if (up && keys.queue_empty) {
      FitMaxima leaf = closed_fit_leaf();
      leaf.free_cores = keys.free_cores;
      leaf.free_memory_gb = keys.free_memory_gb;
      leaf.core_factor = keys.free_cores / spec.cores / spec.cores;
      leaf.memory_factor = keys.free_memory_gb / spec.memory_gb / spec.memory_gb;
      for (std::size_t j = 0; j < kFitDirections; ++j)
        leaf.along[j] = float_at_least(leaf.core_factor + fit_ratios_[j] * leaf.memory_factor);
      const float free_memory_up = float_at_least(keys.free_memory_gb);  // rounded once for every step
      const float memory_factor_up = float_at_least(leaf.memory_factor);
      for (int k = 0; k < kCoreSteps && keys.free_cores >= k + 1; ++k) {
        leaf.free_memory_gb_with_cores[static_cast<std::size_t>(k)] = free_memory_up;
        leaf.memory_factor_with_cores[static_cast<std::size_t>(k)] = memory_factor_up;
      }
      set_fit_leaf(n, leaf);
    } else {  // closed: no task starts there at once
      set_fit_leaf(n, closed_fit_leaf());
    }
  }
  if (up != was_up) {
    up_[n] = up ? 1 : 0;
    up_count_ = up ? up_count_ + 1 : up_count_ - 1;
    if (needs_.by_id) {
      add_up(n, up ? 1 : -1);
      if (!core_class_trees_.empty()) {
        if (up_changes_.size() >= 4 * up_.size() + 64) compact_up_changes();
        up_changes_.push_back(n);
      }
    }
  }
}

void ViewIndexes::set_fit_leaf(NodeId n, const FitMaxima& m) {
  std::size_t i = fit_leaves_ + fit_position_[n];
  fit_tree_[i] = m;
  for (i /= 2; i >= 1; i /= 2) {
    const FitMaxima& l = fit_tree_[2 * i];
    const FitMaxima& r = fit_tree_[2 * i + 1];
    FitMaxima max{std::max(l.free_cores, r.free_cores),
                  std::max(l.free_memory_gb, r.free_memory_gb),
                  std::max(l.core_factor, r.core_factor),
                  std::max(l.memory_factor, r.memory_factor),
                  {},
                  {},
                  {}};
    for (std::size_t j = 0; j < kFitDirections; ++j) max.along[j] = std::max(l.along[j], r.along[j]);
    for (std::size_t k = 0; k < kCoreSteps; ++k) {
      max.free_memory_gb_with_cores[k] = std::max(l.free_memory_gb_with_cores[k], r.free_memory_gb_with_cores[k]);
      max.memory_factor_with_cores[k] = std::max(l.memory_factor_with_cores[k], r.memory_factor_with_cores[k]);
    }
    FitMaxima& at = fit_tree_[i];
    if (at.free_cores == max.free_cores && at.free_memory_gb == max.free_memory_gb &&
        at.core_factor == max.core_factor && at.memory_factor == max.memory_factor &&
        at.free_memory_gb_with_cores == max.free_memory_gb_with_cores &&
        at.memory_factor_with_cores == max.memory_factor_with_cores && at.along == max.along)
      break;  // the maxima above do not change either
    at = max;
  }
}

ViewIndexes::AlignmentBound::AlignmentBound(const ViewIndexes& index, const TaskSpec& task) : task_(&task) {
  if (!(task.cores > 0)) return;  // no ratio: the axis bound only
  const double ratio = task.memory_gb / task.cores;
  const auto& r = index.fit_ratios_;
  if (ratio > r[kFitDirections - 1]) {  // the last direction plus the memory left over
    low_ = kFitDirections - 1;
    low_weight_ = task.cores;
    tail_memory_ = task.memory_gb - task.cores * r[kFitDirections - 1];
    return;
  }
  // cores x (core factor + ratio x memory factor) = cores x (a x (low direction) + b x (high
  // direction)), a + b = 1; below the first direction, the low one is the core axis.
  high_ = 0;
  while (r[static_cast<std::size_t>(high_)] < ratio) ++high_;
  low_ = high_ - 1;
  const double low_ratio = low_ < 0 ? 0 : r[static_cast<std::size_t>(low_)];
  const double b = (ratio - low_ratio) / (r[static_cast<std::size_t>(high_)] - low_ratio);
  low_weight_ = task.cores * (1 - b);
  high_weight_ = task.cores * b;
}

double ViewIndexes::AlignmentBound::operator()(const FitMaxima& m) const {
  constexpr double kRoundingSlack = 1e-12;
  const TaskSpec& task = *task_;
  const double axis = task.cores * m.core_factor + task.memory_gb * m.memory_factor_for(task);
  const double slack = kRoundingSlack * (task.cores * m.core_factor + task.memory_gb * m.memory_factor);
  if (low_ == -1 && high_ == -1) return axis + slack;
  const double low = low_ < 0 ? m.core_factor : m.along[static_cast<std::size_t>(low_)];
  double hull = low_weight_ * low;
  if (high_ >= 0) hull += high_weight_ * m.along[static_cast<std::size_t>(high_)];
  if (tail_memory_ > 0) hull += tail_memory_ * m.memory_factor_for(task);
  return std::min(axis, hull) + slack;
}

void ViewIndexes::set_ect_leaf(NodeId n, double min_backlog_s) {
  std::size_t i = ect_leaves_ + ect_position_[n];
  ect_tree_[i].min_backlog_s = min_backlog_s;
  for (i /= 2; i >= 1; i /= 2) {
    const double least = std::min(ect_tree_[2 * i].min_backlog_s, ect_tree_[2 * i + 1].min_backlog_s);
    if (ect_tree_[i].min_backlog_s == least) break;  // nor do the minima above change
    ect_tree_[i].min_backlog_s = least;
  }
}

void ViewIndexes::add_up(NodeId n, int delta) {
  for (std::size_t i = std::size_t{n} + 1; i < fenwick_.size(); i += i & (~i + 1))
    fenwick_[i] = static_cast<std::uint32_t>(static_cast<int>(fenwick_[i]) + delta);
}

NodeId ViewIndexes::kth_up(std::size_t k) const {
  if (!needs_.by_id || k >= up_count_) throw std::logic_error("ViewIndexes::kth_up: no such up node");
  const std::size_t size = fenwick_.size() - 1;
  std::size_t step = 1;
  while (step * 2 <= size) step *= 2;
  std::size_t pos = 0, remaining = k + 1;  // the last 1-based position whose prefix count is < k + 1
  for (; step > 0; step /= 2) {
    if (pos + step <= size && fenwick_[pos + step] < remaining) {
      pos += step;
      remaining -= fenwick_[pos];
    }
  }
  return static_cast<NodeId>(pos);  // 1-based pos + 1, as a 0-based id
}

std::size_t ViewIndexes::unfit_nodes_bound(const TaskSpec& task) const {
  const auto few_cores = std::partition_point(by_cores_.begin(), by_cores_.end(),
                                              [&](const Machine& m) { return m.cores < task.cores; });
  const auto little_memory = std::partition_point(by_memory_.begin(), by_memory_.end(),
                                                  [&](const Machine& m) { return m.memory_gb < task.memory_gb; });
  return static_cast<std::size_t>((few_cores - by_cores_.begin()) + (little_memory - by_memory_.begin()));
}

const UpNodesWaveletTree* ViewIndexes::up_nodes_with_cores(const TaskSpec& task) const {
  if (!needs_.by_id) throw std::logic_error("ViewIndexes::up_nodes_with_cores: no by_id index");
  const auto it = std::lower_bound(core_classes_.begin(), core_classes_.end(), task.cores);
  const auto c = static_cast<std::size_t>(it - core_classes_.begin());
  if (c >= core_class_trees_.size()) return nullptr;  // no node has the cores, or no tree
  catch_up(c);
  return &core_class_trees_[c];
}

void ViewIndexes::catch_up(std::size_t tree) const {
  UpNodesWaveletTree& t = core_class_trees_[tree];
  // set_up is idempotent: a node logged twice, or back to the tree's flag, costs a check.
  for (std::size_t i = core_class_synced_[tree]; i < up_changes_.size(); ++i)
    t.set_up(up_changes_[i], up_[up_changes_[i]] != 0);
  core_class_synced_[tree] = up_changes_.size();
}

void ViewIndexes::compact_up_changes() const {
  // Each node once, to its flag now: the order of the changes does not matter.
  const std::size_t from = *std::min_element(core_class_synced_.begin(), core_class_synced_.end());
  const std::size_t end = up_changes_.size();
  std::size_t unique = from;  // in place: each node's first entry moved down to [from, unique)
  for (std::size_t i = from; i < end; ++i) {
    const NodeId n = up_changes_[i];
    if (up_changes_logged_[n] == 0) {
      up_changes_logged_[n] = 1;
      up_changes_[unique++] = n;
    }
  }
  for (std::size_t i = from; i < unique; ++i) up_changes_logged_[up_changes_[i]] = 0;
  for (std::size_t c = 0; c < core_class_trees_.size(); ++c)
    if (core_class_synced_[c] < end)
      for (std::size_t i = from; i < unique; ++i) core_class_trees_[c].set_up(up_changes_[i], up_[up_changes_[i]] != 0);
  up_changes_.clear();
  core_class_synced_.assign(core_class_trees_.size(), 0);
}

void ViewIndexes::build_core_class_trees() {
  if (!needs_.by_id || !needs_.by_core_class || !core_class_trees_.empty()) return;
  const std::vector<double> classes(
      core_classes_.begin(),
      core_classes_.begin() + static_cast<std::ptrdiff_t>(std::min(core_classes_.size(), kMaxCoreClassTrees)));
  core_class_trees_ = UpNodesWaveletTree::for_core_classes(*cluster_, classes, up_);
  up_changes_.clear();
  core_class_synced_.assign(core_class_trees_.size(), 0);
  up_changes_logged_.assign(up_.size(), 0);
}

std::size_t ViewIndexes::core_class_tree_bytes() const {
  std::size_t sum = core_class_trees_.empty() ? 0 : core_class_trees_[0].shared_bytes();
  for (const UpNodesWaveletTree& tree : core_class_trees_) sum += tree.bytes();
  return sum + up_changes_.capacity() * sizeof(NodeId) + core_class_synced_.capacity() * sizeof(std::size_t) +
         up_changes_logged_.capacity();
}

bool ViewIndexes::any_fits(const TaskSpec& task) const {
  if (up_count_ == 0) return false;
  if (fits_every_node(task)) return true;
  // From the largest memory down, while the task's memory fits.
  for (auto it = by_memory_.rbegin(); it != by_memory_.rend() && task.memory_gb <= it->memory_gb; ++it)
    if (up_[it->id] != 0 && task.cores <= it->cores) return true;
  return false;
}

void ViewIndexes::unfit_up_nodes(const TaskSpec& task, std::vector<NodeId>& out) const {
  out.clear();
  // Too few cores: a prefix of the cores order. Too little memory (and enough cores, so no
  // node is listed twice): a prefix of the memory order.
  for (const Machine& m : by_cores_) {
    if (task.cores <= m.cores) break;
    if (up_[m.id] != 0) out.push_back(m.id);
  }
  for (const Machine& m : by_memory_) {
    if (task.memory_gb <= m.memory_gb) break;
    if (up_[m.id] != 0 && task.cores <= m.cores) out.push_back(m.id);
  }
}

}  // namespace marlsim

#include "agents/view_indexes.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace marlsim {

ViewIndexes::ViewIndexes(const ClusterSpec& cluster, IndexNeeds needs)
    : cluster_(&cluster), needs_(needs), up_(cluster.nodes.size(), 0) {
  const auto& nodes = cluster.nodes;
  if (nodes.empty()) return;
  min_cores_ = nodes[0].cores;
  min_memory_gb_ = nodes[0].memory_gb;
  for (const NodeSpec& s : nodes) {
    min_cores_ = std::min(min_cores_, s.cores);
    min_memory_gb_ = std::min(min_memory_gb_, s.memory_gb);
    max_speed_ = std::max(max_speed_, s.speed);
  }
  for (NodeId n = 0; n < nodes.size(); ++n) by_cores_.push_back({nodes[n].cores, nodes[n].memory_gb, n});
  by_memory_ = by_cores_;
  std::stable_sort(by_cores_.begin(), by_cores_.end(),
                   [](const Machine& a, const Machine& b) { return a.cores < b.cores; });
  std::stable_sort(by_memory_.begin(), by_memory_.end(),
                   [](const Machine& a, const Machine& b) { return a.memory_gb < b.memory_gb; });
  if (needs_.by_id) fenwick_.assign(nodes.size() + 1, 0);
  if (needs_.by_load) load_key_.resize(nodes.size());
  if (needs_.by_fit) {
    fit_leaves_ = 1;
    while (fit_leaves_ < nodes.size()) fit_leaves_ *= 2;
    constexpr double kNone = -std::numeric_limits<double>::infinity();
    fit_tree_.assign(2 * fit_leaves_, FitMaxima{kNone, kNone, kNone, kNone});
    fit_order_.assign(fit_leaves_, kNoNodeAt);
    std::vector<Machine> order = by_cores_;  // by cores; ties by memory, then id
    std::stable_sort(order.begin(), order.end(), [](const Machine& a, const Machine& b) {
      return a.cores < b.cores || (a.cores == b.cores && a.memory_gb < b.memory_gb);
    });
    fit_position_.resize(nodes.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      fit_order_[i] = order[i].id;
      fit_position_[order[i].id] = static_cast<std::uint32_t>(i);
    }
  }
  if (needs_.by_backlog) {
    backlog_key_.resize(nodes.size());
    // Consecutive speeds, about N / kSpeedClasses nodes per class; a speed that many nodes
    // share (a tier of one speed) is a class of its own, where backlog order is ECT order.
    std::vector<double> speeds;
    for (const NodeSpec& n : nodes) speeds.push_back(n.speed);
    std::sort(speeds.begin(), speeds.end());
    const std::size_t target = (nodes.size() + kSpeedClasses - 1) / kSpeedClasses;  // two classes hold >= target
    std::size_t in_class = 0;
    for (std::size_t i = 0; i < speeds.size();) {
      std::size_t j = i;
      while (j < speeds.size() && speeds[j] == speeds[i]) ++j;  // [i, j): one speed
      const std::size_t same = j - i;
      if (speed_classes_.empty() || (in_class > 0 && (in_class + same > target || same >= target))) {
        speed_classes_.emplace_back();
        in_class = 0;
      }
      speed_classes_.back().max_speed = speeds[i];
      in_class += same;
      i = j;
    }
    if (speed_classes_.size() > kMaxSpeedClasses) throw std::logic_error("ViewIndexes: too many speed classes");
    speed_class_.resize(nodes.size());
    for (NodeId n = 0; n < nodes.size(); ++n)  // the first class whose fastest speed is not below n's
      speed_class_[n] = static_cast<std::uint32_t>(
          std::partition_point(speed_classes_.begin(), speed_classes_.end(),
                               [&](const SpeedClass& c) { return c.max_speed < nodes[n].speed; }) -
          speed_classes_.begin());
  }
}

void ViewIndexes::update(NodeId n, const NodeKeys& keys) {
  const bool up = keys.up;
  const double load = keys.load, backlog_s = keys.backlog_s;
  const bool was_up = up_[n] != 0;
  const NodeSpec& spec = cluster_->nodes[n];
  const Capacity capacity{spec.cores, spec.memory_gb};
  if (was_up) {
    if (needs_.by_load) by_load_.erase(load_key_[n]);
    if (needs_.by_backlog) speed_classes_[speed_class_[n]].by_backlog.erase({backlog_key_[n], spec.speed, n, capacity});
  }
  if (up) {
    if (needs_.by_load) by_load_.insert(load_key_[n] = {load, backlog_s, n, capacity});
    if (needs_.by_backlog)
      speed_classes_[speed_class_[n]].by_backlog.insert({backlog_key_[n] = backlog_s, spec.speed, n, capacity});
  }
  if (needs_.by_fit) {
    constexpr double kNone = -std::numeric_limits<double>::infinity();
    if (up && keys.queue_empty)
      set_fit_leaf(n, {keys.free_cores, keys.free_memory_gb, keys.free_cores / spec.cores / spec.cores,
                       keys.free_memory_gb / spec.memory_gb / spec.memory_gb});
    else  // closed: no task starts there at once
      set_fit_leaf(n, {kNone, kNone, kNone, kNone});
  }
  if (up != was_up) {
    up_[n] = up ? 1 : 0;
    up_count_ = up ? up_count_ + 1 : up_count_ - 1;
    if (needs_.by_id) add_up(n, up ? 1 : -1);
  }
}

void ViewIndexes::set_fit_leaf(NodeId n, const FitMaxima& m) {
  std::size_t i = fit_leaves_ + fit_position_[n];
  fit_tree_[i] = m;
  for (i /= 2; i >= 1; i /= 2) {
    const FitMaxima& l = fit_tree_[2 * i];
    const FitMaxima& r = fit_tree_[2 * i + 1];
    const FitMaxima max{std::max(l.free_cores, r.free_cores), std::max(l.free_memory_gb, r.free_memory_gb),
                        std::max(l.core_factor, r.core_factor), std::max(l.memory_factor, r.memory_factor)};
    FitMaxima& at = fit_tree_[i];
    if (at.free_cores == max.free_cores && at.free_memory_gb == max.free_memory_gb &&
        at.core_factor == max.core_factor && at.memory_factor == max.memory_factor)
      break;  // the maxima above do not change either
    at = max;
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

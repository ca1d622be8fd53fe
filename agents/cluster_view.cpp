#include "agents/cluster_view.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace marlsim {

ClusterView::ClusterView(const ClusterSpec& cluster) : cluster_(&cluster) {
  states_.reserve(cluster.nodes.size());
  for (NodeId n = 0; n < cluster.nodes.size(); ++n) states_.push_back(fresh(n));
}

ClusterView::ClusterView(const ClusterSpec& cluster, Sparse) : cluster_(&cluster), sparse_(true) {}

ClusterView::ClusterView(const ClusterView& o)
    : cluster_(o.cluster_),
      indexes_(o.indexes_ ? std::make_unique<ViewIndexes>(*o.indexes_) : nullptr),
      sparse_(o.sparse_),
      ids_(o.ids_),
      states_(o.states_) {}

ClusterView& ClusterView::operator=(const ClusterView& o) {
  if (this != &o) *this = ClusterView(o);
  return *this;
}

NodeView ClusterView::fresh(NodeId n) const {
  NodeView v;
  v.free_cores = cluster_->nodes[n].cores;
  v.free_memory_gb = cluster_->nodes[n].memory_gb;
  return v;
}

std::size_t ClusterView::index(NodeId n) const {
  if (!sparse_) return n;
  const auto it = std::lower_bound(ids_.begin(), ids_.end(), n);
  if (it == ids_.end() || *it != n)
    throw std::out_of_range("ClusterView: node " + std::to_string(n) + " is not tracked");
  return static_cast<std::size_t>(it - ids_.begin());
}

bool ClusterView::tracks(NodeId n) const {
  return !sparse_ ? n < states_.size() : std::binary_search(ids_.begin(), ids_.end(), n);
}

void ClusterView::track(NodeId n) {
  if (!sparse_) return;
  const auto it = std::lower_bound(ids_.begin(), ids_.end(), n);
  if (it != ids_.end() && *it == n) return;
  const auto at = static_cast<std::size_t>(it - ids_.begin());
  ids_.insert(at, n);
  states_.insert(at, fresh(n));
}

void ClusterView::untrack(NodeId n) {
  if (!sparse_) return;
  const auto it = std::lower_bound(ids_.begin(), ids_.end(), n);
  if (it == ids_.end() || *it != n) return;
  const auto at = static_cast<std::size_t>(it - ids_.begin());
  ids_.erase(at);
  states_.erase(at);
}

void ClusterView::set_state(NodeId n, const NodeView& s) {
  states_[index(n)] = s;
  reindex(n);
}

void ClusterView::commit(const TaskSpec& task, NodeId n) {
  NodeView& s = states_[index(n)];
  if (fits_now(task, n)) {
    s.free_cores -= task.cores;
    s.free_memory_gb -= task.memory_gb;
    s.running_work_core_s += task.work_core_s;
    ++s.running;
  } else {
    s.queued_work_core_s += task.work_core_s;
    s.queued_cores += task.cores;
    s.queued_memory_gb += task.memory_gb;
    ++s.queue_length;
  }
  reindex(n);
}

void ClusterView::keep_indexes(IndexNeeds needs) {
  if (sparse_) throw std::logic_error("ClusterView: a sparse view keeps no indexes");
  indexes_ = std::make_unique<ViewIndexes>(*cluster_, needs);
  for (NodeId n = 0; n < states_.size(); ++n) reindex(n);
  indexes_->build_core_class_trees();  // from the nodes' flags now, before any decision
}

void ClusterView::reindex(NodeId n) {
  if (!indexes_) return;
  const NodeView& s = states_[n];
  indexes_->update(n, {s.up, load(n), backlog_s(n), s.queue_length == 0, s.free_cores, s.free_memory_gb});
}

void ClusterView::throw_indexed_write() {
  throw std::logic_error("ClusterView: an indexed view is written through set_state or commit");
}

}  // namespace marlsim

#include "engine/cluster/cluster_view.hpp"

namespace marlsim {

ClusterView::ClusterView(const ClusterSpec& cluster) : cluster_(&cluster), states_(cluster.nodes.size()) {
  for (std::size_t n = 0; n < states_.size(); ++n) {
    states_[n].free_cores = cluster.nodes[n].cores;
    states_[n].free_memory_gb = cluster.nodes[n].memory_gb;
  }
}

void ClusterView::commit(const TaskSpec& task, NodeId n) {
  NodeView& s = states_[n];
  if (fits_now(task, n) && s.queue_length == 0) {
    s.free_cores -= task.cores;
    s.free_memory_gb -= task.memory_gb;
    s.running_work_core_s += task.work_core_s;
    ++s.running;
  } else {
    s.queued_work_core_s += task.work_core_s;
    ++s.queue_length;
  }
}

}  // namespace marlsim

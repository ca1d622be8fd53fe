#pragma once
// What a scheduler believes about the nodes: their static specs (known everywhere) and the
// latest state each node reported, plus the scheduler's own dispatches that the node has
// not reported back yet. A centralized scheduler's view is fresh up to one message latency;
// a decentralized agent's view of other nodes is as stale as its gossip.
#include <cstdint>
#include <span>
#include <vector>

#include "engine/sim_time.hpp"
#include "workloads/cluster_spec.hpp"
#include "workloads/task_spec.hpp"

namespace marlsim {

using NodeId = std::uint32_t;
inline constexpr NodeId kNoNode = 0xFFFFFFFFu;

struct NodeView {
  double free_cores = 0;           // believed free now
  double free_memory_gb = 0;
  double queued_work_core_s = 0;   // reference work waiting in the node's local queue
  double running_work_core_s = 0;  // reference work left in the tasks it runs
  std::uint32_t queue_length = 0;
  std::uint32_t running = 0;
  bool up = true;
  SimTime as_of = -1;              // when the node produced this; -1: never heard from it
};

class ClusterView {
 public:
  // Every node starts believed idle and up, as of never.
  explicit ClusterView(const ClusterSpec& cluster);

  std::size_t size() const { return states_.size(); }
  const NodeSpec& spec(NodeId n) const { return cluster_->nodes[n]; }
  const NodeView& state(NodeId n) const { return states_[n]; }
  NodeView& state(NodeId n) { return states_[n]; }
  const ClusterSpec& cluster() const { return *cluster_; }

  // The task could ever run there (cores and memory of the machine).
  bool fits_statically(const TaskSpec& task, NodeId n) const {
    return task.cores <= spec(n).cores && task.memory_gb <= spec(n).memory_gb;
  }
  // It would start at once on what is believed free.
  bool fits_now(const TaskSpec& task, NodeId n) const {
    return task.cores <= states_[n].free_cores && task.memory_gb <= states_[n].free_memory_gb;
  }
  // Fraction of the node's cores believed busy.
  double utilization(NodeId n) const { return 1.0 - states_[n].free_cores / spec(n).cores; }
  // Seconds until the node could start new work if it ran its backlog at full width.
  double backlog_s(NodeId n) const {
    return (states_[n].queued_work_core_s + states_[n].running_work_core_s) / (spec(n).cores * spec(n).speed);
  }
  // The task's run time there: work / (cores x speed).
  double runtime_s(const TaskSpec& task, NodeId n) const { return task.work_core_s / (task.cores * spec(n).speed); }
  // Expected completion, seconds from now: backlog then the task's own run time.
  double expected_completion_s(const TaskSpec& task, NodeId n) const { return backlog_s(n) + runtime_s(task, n); }

  // The believed effect of sending `task` to n, until n's next report says otherwise.
  void commit(const TaskSpec& task, NodeId n);

 private:
  const ClusterSpec* cluster_;
  std::vector<NodeView> states_;
};

}  // namespace marlsim

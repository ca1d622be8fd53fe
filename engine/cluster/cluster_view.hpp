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
  double queued_cores = 0;         // cores the queued tasks ask for
  double running_work_core_s = 0;  // reference work left in the tasks it runs
  std::uint32_t queue_length = 0;
  std::uint32_t running = 0;
  bool up = true;
  SimTime as_of = -1;              // when the node produced this; -1: never heard from it
};

class ClusterView {
 public:
  // Dense: every node has a state, believed idle and up, as of never.
  explicit ClusterView(const ClusterSpec& cluster);
  // Sparse: only tracked nodes have a state (a decentralized agent knows a few nodes; a
  // dense view per agent would cost N^2 memory at 10,000 nodes).
  struct Sparse {};
  ClusterView(const ClusterSpec& cluster, Sparse);

  std::size_t size() const { return cluster_->nodes.size(); }
  const NodeSpec& spec(NodeId n) const { return cluster_->nodes[n]; }
  const NodeView& state(NodeId n) const { return states_[index(n)]; }
  NodeView& state(NodeId n) { return states_[index(n)]; }
  bool tracks(NodeId n) const;
  void track(NodeId n);    // sparse: n gets a state (idle, up, as of never) if it has none
  void untrack(NodeId n);  // sparse: forget n
  const ClusterSpec& cluster() const { return *cluster_; }

  // The task could ever run there (cores and memory of the machine).
  bool fits_statically(const TaskSpec& task, NodeId n) const {
    return task.cores <= spec(n).cores && task.memory_gb <= spec(n).memory_gb;
  }
  // It would start at once on what is believed free.
  bool fits_now(const TaskSpec& task, NodeId n) const {
    return task.cores <= state(n).free_cores && task.memory_gb <= state(n).free_memory_gb;
  }
  // Fraction of the node's cores believed busy.
  double utilization(NodeId n) const { return 1.0 - state(n).free_cores / spec(n).cores; }
  // Cores demanded (running and queued) per core: like a load average, above 1 when queued.
  double load(NodeId n) const { return (spec(n).cores - state(n).free_cores + state(n).queued_cores) / spec(n).cores; }
  // Seconds until the node could start new work if it ran its backlog at full width.
  double backlog_s(NodeId n) const {
    return (state(n).queued_work_core_s + state(n).running_work_core_s) / (spec(n).cores * spec(n).speed);
  }
  // The task's run time there: work / (cores x speed).
  double runtime_s(const TaskSpec& task, NodeId n) const { return task.work_core_s / (task.cores * spec(n).speed); }
  // Expected completion, seconds from now: backlog then the task's own run time.
  double expected_completion_s(const TaskSpec& task, NodeId n) const { return backlog_s(n) + runtime_s(task, n); }

  // The believed effect of sending `task` to n, until n's next report says otherwise.
  void commit(const TaskSpec& task, NodeId n);

 private:
  std::size_t index(NodeId n) const;
  NodeView fresh(NodeId n) const;

  const ClusterSpec* cluster_;
  bool sparse_ = false;
  std::vector<NodeId> ids_;        // sparse: tracked ids, sorted; states_ is parallel
  std::vector<NodeView> states_;
};

}  // namespace marlsim

#pragma once
// What a scheduler believes about the nodes: their static specs (known everywhere) and the
// latest state each node reported, plus the scheduler's own dispatches that the node has
// not reported back yet. A centralized scheduler's view is fresh up to one message latency;
// a decentralized agent's view of other nodes is as stale as its gossip.
//
// A dense view can keep incremental indexes of its up nodes (keep_indexes) for the policies
// that decide without scanning; it is then written only through set_state and commit, which
// move the node's keys.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "agents/view_indexes.hpp"
#include "engine/support/inline_vector.hpp"
#include "engine/support/sim_time.hpp"
#include "workloads/cluster_spec.hpp"
#include "workloads/task_spec.hpp"

namespace marlsim {

inline constexpr NodeId kNoNode = 0xFFFFFFFFu;

struct NodeView {
  double free_cores = 0;  // believed free now
  double free_memory_gb = 0;
  double queued_work_core_s = 0;   // reference work waiting in the node's local queue
  double queued_cores = 0;         // cores the queued tasks ask for
  double queued_memory_gb = 0;     // memory the queued tasks ask for
  double running_work_core_s = 0;  // reference work left in the tasks it runs
  std::uint32_t queue_length = 0;
  std::uint32_t running = 0;
  bool up = true;
  SimTime as_of = -1;  // when the node produced this; -1: never heard from it
};

class ClusterView {
 public:
  // Dense: every node has a state, believed idle and up, as of never.
  explicit ClusterView(const ClusterSpec& cluster);
  // Sparse: only tracked nodes have a state (a decentralized agent knows a few nodes; a
  // dense view per agent would cost N^2 memory at 10,000 nodes).
  struct Sparse {};
  ClusterView(const ClusterSpec& cluster, Sparse);
  ClusterView(const ClusterView& o);
  ClusterView& operator=(const ClusterView& o);
  ClusterView(ClusterView&&) noexcept = default;
  ClusterView& operator=(ClusterView&&) noexcept = default;

  std::size_t size() const { return cluster_->nodes.size(); }
  const NodeSpec& spec(NodeId n) const { return cluster_->nodes[n]; }
  const NodeView& state(NodeId n) const { return states_[index(n)]; }
  // In-place writes, for views without indexes (a decentralized agent's sparse view); an
  // indexed view's keys would go stale, so it throws there: use set_state. A separate name, so
  // that reads through a non-const view never take this path.
  NodeView& edit_state(NodeId n) {
    if (indexes_) throw_indexed_write();
    return states_[index(n)];
  }
  void set_state(NodeId n, const NodeView& s);
  bool tracks(NodeId n) const;
  void track(NodeId n);    // sparse: n gets a state (idle, up, as of never) if it has none
  void untrack(NodeId n);  // sparse: forget n
  const ClusterSpec& cluster() const { return *cluster_; }

  // The task could ever run there (cores and memory of the machine).
  bool fits_statically(const TaskSpec& task, NodeId n) const {
    return task.cores <= spec(n).cores && task.memory_gb <= spec(n).memory_gb;
  }
  // It would start at once: what is believed free suffices and no queue is believed ahead of
  // it. A task sent behind a queue waits behind it (FCFS: a blocked head blocks it however
  // many cores are free; other disciplines may let it pass, which the view cannot know), so
  // a node with a queue is never free, or every policy that prefers free nodes would keep
  // feeding a node whose head is blocked.
  bool fits_now(const TaskSpec& task, NodeId n) const { return fits_now(task, state(n)); }
  static bool fits_now(const TaskSpec& task, const NodeView& s) {
    return s.queue_length == 0 && task.cores <= s.free_cores && task.memory_gb <= s.free_memory_gb;
  }
  // Fraction of the node's cores believed busy.
  double utilization(NodeId n) const { return 1.0 - state(n).free_cores / spec(n).cores; }
  // Cores demanded (running and queued) per core: like a load average, above 1 when queued.
  double load(NodeId n) const { return (spec(n).cores - state(n).free_cores + state(n).queued_cores) / spec(n).cores; }
  // The larger of the cores and memory demanded (running and queued) per capacity: Ray's
  // critical resource utilization, counting queued demand as Ray counts its pending tasks.
  double critical_load(NodeId n) const { return critical_load(spec(n), state(n)); }
  static double critical_load(const NodeSpec& c, const NodeView& s) {
    return std::max((c.cores - s.free_cores + s.queued_cores) / c.cores,
                    (c.memory_gb - s.free_memory_gb + s.queued_memory_gb) / c.memory_gb);
  }
  // Seconds until the node could start new work if it ran its backlog at full width. The
  // static forms serve a caller that already looked the node up (a sparse view's lookup is a
  // binary search).
  double backlog_s(NodeId n) const { return backlog_s(spec(n), state(n)); }
  static double backlog_s(const NodeSpec& c, const NodeView& s) {
    return (s.queued_work_core_s + s.running_work_core_s) / (c.cores * c.speed);
  }
  // The task's run time there: work / (cores x speed).
  double runtime_s(const TaskSpec& task, NodeId n) const { return runtime_s(task, spec(n)); }
  static double runtime_s(const TaskSpec& task, const NodeSpec& c) { return task.work_core_s / (task.cores * c.speed); }
  // Expected completion, seconds from now: backlog then the task's own run time.
  double expected_completion_s(const TaskSpec& task, NodeId n) const {
    return expected_completion_s(task, spec(n), state(n));
  }
  static double expected_completion_s(const TaskSpec& task, const NodeSpec& c, const NodeView& s) {
    return backlog_s(c, s) + runtime_s(task, c);
  }
  // Tetris's alignment score (Grandl et al., SIGCOMM'14, 3.1): the dot product of the task's
  // demand and the node's free resources, both over the node's capacity, over (cores, memory).
  double alignment(const TaskSpec& task, NodeId n) const {
    const NodeSpec& c = spec(n);
    const NodeView& s = state(n);
    return task.cores / c.cores * (s.free_cores / c.cores) +
           task.memory_gb / c.memory_gb * (s.free_memory_gb / c.memory_gb);
  }

  // The believed effect of sending `task` to n, until n's next report says otherwise: it
  // starts (free resources shrink) if it fits now, else it joins the queue (queued demand
  // grows, and the node is no longer free for the tasks after it).
  void commit(const TaskSpec& task, NodeId n);

  // Dense views only: keeps the indexes `needs` asks for from now on (built from the current
  // states, O(N log N) once; then O(log N) per set_state and commit).
  void keep_indexes(IndexNeeds needs);
  // nullptr unless keep_indexes was called.
  const ViewIndexes* indexes() const { return indexes_.get(); }

 private:
  std::size_t index(NodeId n) const;
  NodeView fresh(NodeId n) const;
  void reindex(NodeId n);
  [[noreturn]] static void throw_indexed_write();

  // A sparse view (one per decentralized agent: thousands per rank) keeps its few tracked
  // nodes inline, within the agent's own state: an agent tracks itself, its neighbours and a
  // few sampled nodes (10 with the seed study's 4 + 4 and a fallback); more move to the heap.
  static constexpr std::uint32_t kInlineNodes = 10;
  const ClusterSpec* cluster_;
  std::unique_ptr<ViewIndexes> indexes_;  // by pointer: a sparse view (most views) has none
  bool sparse_ = false;
  InlineVector<NodeId, 16> ids_;  // sparse: tracked ids, sorted; states_ is parallel
  InlineVector<NodeView, kInlineNodes> states_;
};

}  // namespace marlsim

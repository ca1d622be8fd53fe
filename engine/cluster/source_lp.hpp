#pragma once
// The workload source: submits each task at its arrival time once its DAG parents are done,
// to the topology's entry point (the central scheduler, or a random node), and learns of
// completions. DAG edges run between instance groups (TaskSpec::instance): a group's tasks
// are released when every instance of every parent group has finished. A task that fits no
// node of the cluster is never submitted: it is counted and listed, and so is every instance
// of the groups that wait on its group, each once; nothing is silently dropped.
#include <vector>

#include "engine/cluster/messages.hpp"
#include "engine/cluster/model_setup.hpp"
#include "engine/kernel/logical_process.hpp"
#include "engine/support/rng.hpp"
#include "mpi/communicator.hpp"  // kWindowDone

namespace marlsim {

class SourceLp final : public LogicalProcess {
 public:
  explicit SourceLp(const ModelSetup& setup);

  void init(LpContext& ctx) override;
  void handle(const Event& ev, LpContext& ctx) override;
  std::uint64_t state_hash() const override;

  bool all_done() const { return done_ + unschedulable_.size() + blocked_.size() == setup_.tasks->size(); }
  std::uint64_t done() const { return done_; }
  const std::vector<std::uint64_t>& unschedulable() const { return unschedulable_; }  // fits no node
  const std::vector<std::uint64_t>& blocked() const { return blocked_; }              // a parent fits no node

 private:
  void handle_task_event(const Event& ev, LpContext& ctx);
  void submit(std::uint64_t task, LpContext& ctx);
  void block_descendants(std::uint64_t group);
  bool fits_some_node(const TaskSpec& task) const;

  const ModelSetup& setup_;
  RngStream entry_rng_;
  std::uint64_t next_ = 0;  // next task to arrive
  const bool dag_;          // the stream has DAG edges: the per-task vectors below exist (else empty)
  // Per group, at its first task's id: parent groups not yet finished, instances not yet
  // finished, instances in all, and whether its instances are already listed as blocked.
  std::vector<std::uint32_t> waiting_parents_, unfinished_, group_size_;
  std::vector<std::uint8_t> group_blocked_;
  std::vector<std::uint8_t> arrived_;
  std::vector<std::uint8_t> blocked_flag_;  // never to be submitted: fits no node, or waits on such a task
  std::uint64_t done_ = 0;
  std::vector<std::uint64_t> unschedulable_, blocked_;
  // Nodes by cores descending with the running maximum of memory: "fits some node" in log N.
  std::vector<double> cores_desc_, max_memory_prefix_;
};

}  // namespace marlsim

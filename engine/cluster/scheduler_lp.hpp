#pragma once
// The central scheduler (centralized topology; the global level of the two-level one): it
// keeps a ClusterView from the nodes' reports and its own dispatches, and asks the policy
// where each submitted task goes, one at a time or in batches of batch_interval_s.
#include <memory>
#include <vector>

#include "agents/scheduling_policy.hpp"
#include "engine/cluster/messages.hpp"
#include "engine/cluster/model_setup.hpp"
#include "engine/cluster/task_record.hpp"
#include "engine/cluster/view_keeper.hpp"
#include "engine/kernel/logical_process.hpp"

namespace marlsim {

class SchedulerLp final : public LogicalProcess {
 public:
  explicit SchedulerLp(const ModelSetup& setup);

  void handle(const Event& ev, LpContext& ctx) override;
  std::uint64_t state_hash() const override;

  const DecisionStats& decisions() const { return decisions_; }
  std::uint64_t parked() const { return parked_.size(); }

 private:
  void place(std::vector<TaskMessage> batch, LpContext& ctx);
  void candidates_for(const TaskSpec& task, std::vector<NodeId>& out);

  const ModelSetup& setup_;
  std::unique_ptr<SchedulingPolicy> policy_;
  RngStream rng_;
  ClusterView view_;
  ViewKeeper keeper_;
  std::vector<TaskMessage> batch_;   // collected until the next batch tick
  bool tick_pending_ = false;
  std::vector<TaskMessage> parked_;  // no node believed up can take them
  DecisionStats decisions_;
  std::uint64_t dispatched_ = 0;
};

}  // namespace marlsim

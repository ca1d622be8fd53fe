#pragma once
// The central scheduler (centralized topology; the global level of the two-level one): it
// keeps a ClusterView from the nodes' reports and its own dispatches, and raises a decision
// request for each submitted task (collected for batch_interval_s when set), decided at once
// or at the window end (engine/cluster/decision_batcher.hpp), then dispatches the decisions.
#include <memory>
#include <vector>

#include "agents/scheduling_policy.hpp"
#include "engine/cluster/decision_batcher.hpp"
#include "engine/cluster/messages.hpp"
#include "engine/cluster/model_setup.hpp"
#include "engine/cluster/pending_requests.hpp"
#include "engine/cluster/report_inbox.hpp"
#include "engine/cluster/task_record.hpp"
#include "engine/cluster/view_keeper.hpp"
#include "engine/kernel/logical_process.hpp"

namespace marlsim {

class SchedulerLp final : public LogicalProcess, public DecidingLp {
 public:
  explicit SchedulerLp(const ModelSetup& setup);

  void handle(const Event& ev, LpContext& ctx) override;
  std::uint64_t state_hash() const override;

  const DecisionStats& decisions() const { return decisions_; }
  const std::vector<double>& staleness() const { return staleness_s_; }  // per decision, s (report_inbox.hpp)
  std::uint64_t parked() const { return parked_.size(); }

  void collect_requests(std::vector<DecisionRequest>& out) override;
  void dispatch_decisions(std::span<DecisionRequest> decided, double wall_s, LpContext& ctx) override;

 private:
  void place(std::vector<TaskMessage> batch, LpContext& ctx);  // raises a request per task
  // Every node a candidate and decided at once: the policy's indexed path, if it has one.
  bool decides_from_indexes();
  void candidates_for(const TaskSpec& task, std::vector<NodeId>& out);  // the list otherwise

  const ModelSetup& setup_;
  std::unique_ptr<PolicyState> policy_state_;  // the shared policy's memory of this LP's decisions
  RngStream rng_;
  PendingRequests pending_;               // raised, not yet dispatched
  std::vector<DecisionRequest> decided_;  // scratch of the at-once path
  ClusterView view_;
  ViewKeeper keeper_;
  std::vector<TaskMessage> batch_;  // collected until the next batch tick
  bool tick_pending_ = false;
  std::vector<TaskMessage> parked_;  // no node believed up can take them
  DecisionStats decisions_;
  ReportInbox inbox_;  // every node reports each change to it; none is lost (fully observed)
  std::vector<double> staleness_s_;
  std::uint64_t dispatched_ = 0;
};

}  // namespace marlsim

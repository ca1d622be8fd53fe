#pragma once
// A cluster node as a logical process: it runs tasks from its local queue (the queue
// discipline picks the order), draws power (idle + dynamic x busy fraction, integrated
// exactly between events), fails and is repaired, reports its load, and, depending on the
// topology, places tasks itself (the two-level local rule; the decentralized agent).
#include <memory>
#include <vector>

#include "agents/admission_policy.hpp"
#include "agents/queue_discipline.hpp"
#include "agents/scheduling_policy.hpp"
#include "engine/cluster/decision_batcher.hpp"
#include "engine/cluster/messages.hpp"
#include "engine/cluster/model_setup.hpp"
#include "engine/cluster/task_record.hpp"
#include "engine/cluster/view_keeper.hpp"
#include "engine/kernel/logical_process.hpp"
#include "engine/support/rng.hpp"

namespace marlsim {

class NodeLp final : public LogicalProcess, public DecidingLp {
 public:
  NodeLp(NodeId id, const ModelSetup& setup);

  void init(LpContext& ctx) override;
  void handle(const Event& ev, LpContext& ctx) override;
  std::uint64_t state_hash() const override;

  const std::vector<TaskRecord>& records() const { return records_; }
  const DecisionStats& decisions() const { return decisions_; }
  // Energy and busy core-seconds integrated up to the makespan, and busy core-seconds inside
  // the metrics' arrival window [window_begin, window_end].
  NodeRecord node_record(SimTime makespan, SimTime window_begin, SimTime window_end) const;
  std::uint64_t parked() const { return parked_.size(); }

  // Decentralized: its placement requests (engine/cluster/decision_batcher.hpp).
  void collect_requests(std::vector<DecisionRequest>& out) override;
  void dispatch_decisions(std::span<DecisionRequest> decided, double wall_s, LpContext& ctx) override;

 private:
  struct Running {
    TaskMessage msg;
    std::uint32_t attempt;
    SimTime start, end;
    double cores, memory_gb;
  };
  // From t on, until the next point: power and busy cores are constant.
  struct PowerPoint {
    SimTime t;
    double energy_j;     // integral of power up to t
    double busy_core_s;  // integral of busy cores up to t
    double power_w;
    double busy_cores;
  };

  // Execution.
  void enqueue(const TaskMessage& m, LpContext& ctx);
  void try_start(LpContext& ctx);
  void task_ends(const TaskEndsMessage& m, LpContext& ctx);
  void fail(LpContext& ctx);
  void repair(LpContext& ctx);
  void note_power(SimTime now);  // call after every change of busy cores or up state
  PowerPoint integrated_to(SimTime t) const;  // energy and busy core-seconds from 0 to t
  void recount_free();           // from the running set: no drift from repeated +/-
  double power_w() const;

  // Placement.
  void submitted(TaskMessage m, LpContext& ctx);
  void place_decentralized(TaskMessage m, LpContext& ctx);  // raises a request (or parks the task)
  void forget_sampled();
  void keep(TaskMessage m, LpContext& ctx);  // a decision to run it here: it arrives after the decision latency
  const NodeView& believed_self(SimTime now);  // its own state with the tasks it kept still in flight
  void assume_typical_load(const std::vector<NodeId>& unknown);
  void bounce(TaskMessage m, LpContext& ctx);  // this node cannot take it: pass it on
  void retry_parked(LpContext& ctx);

  // Reports.
  NodeView own_view(SimTime now) const;
  void send_reports(LpContext& ctx);
  void schedule_failure(LpContext& ctx);

  NodeId id_;
  const ModelSetup& setup_;
  const NodeSpec& spec_;
  std::unique_ptr<QueueDiscipline> discipline_;
  std::unique_ptr<PolicyState> policy_state_;  // decentralized: the shared policy's memory of this LP's decisions
  RngStream decision_rng_, failure_rng_;

  bool up_ = true;
  double free_cores_, free_memory_gb_;
  std::vector<QueuedTask> queue_;
  std::vector<TaskMessage> queue_msgs_;  // parallel to queue_
  std::vector<Running> running_;
  std::uint32_t attempts_ = 0;
  bool dirty_ = false;  // state changed since the last report

  std::vector<PowerPoint> power_;  // piecewise-constant history, for exact integrals to any time
  std::vector<SimTime> failure_times_;  // a failure after the makespan is not the episode's

  std::vector<TaskRecord> records_;
  DecisionStats decisions_;

  // Decentralized knowledge.
  std::vector<NodeId> neighbours_;
  ClusterView knowledge_;
  ViewKeeper keeper_;
  std::vector<TaskMessage> parked_;  // nowhere to place them yet
  std::vector<DecisionRequest> requests_;  // raised, not yet decided
  std::vector<TaskMessage> requested_;     // their tasks (parallel)
  std::vector<TaskMessage> dispatching_;   // the tasks of the requests being dispatched
  std::vector<NodeId> sampled_;            // tracked only for the pending requests: forgotten after dispatch
  std::vector<std::size_t> start_scratch_;
  std::vector<RunningTask> running_scratch_;
};

}  // namespace marlsim

#pragma once
// A cluster node as a logical process, the node machine: it runs tasks from its local queue
// (the queue discipline picks the order), draws power (idle + dynamic x busy fraction,
// integrated exactly between events), fails and is repaired. What it does with tasks
// submitted to it, and whom it reports its load to, is its placement, chosen once per
// topology (node_placement.hpp).
#include <memory>
#include <optional>
#include <vector>

#include "agents/cluster_view.hpp"
#include "agents/queue_discipline.hpp"
#include "engine/cluster/messages.hpp"
#include "engine/cluster/model_setup.hpp"
#include "engine/cluster/node_placement.hpp"
#include "engine/cluster/task_record.hpp"
#include "engine/kernel/logical_process.hpp"
#include "engine/support/rng.hpp"

namespace marlsim {

class NodeLp final : public LogicalProcess {
 public:
  NodeLp(NodeId id, const ModelSetup& setup);
  ~NodeLp() override { placement_.reset(); }  // first: the placement refers to the node

  void init(LpContext& ctx) override;
  void handle(const Event& ev, LpContext& ctx) override;
  std::uint64_t state_hash() const override;
  void hot_state(std::vector<HotRange>& out) const override;  // itself and its placement

  const std::vector<TaskRecord>& records() const { return records_; }
  // Its decision bookkeeping at the episode's end `stop` (sim.episode_stop: what the placement
  // did not simulate as events before it is counted in).
  DecisionStats decisions(SimTime stop) const;
  // Kernel events its placement stood for without simulating them, up to `stop` (report_board.hpp).
  std::uint64_t unsimulated_events(SimTime stop) const { return placement_->unsimulated_events(stop); }
  // Per decision with a reported candidate: the mean age of what it saw (report_inbox.hpp), s.
  const std::vector<double>& staleness() const { return staleness_s_; }
  // Energy and busy core-seconds integrated up to the makespan (never before the node's last
  // task end), and busy core-seconds inside the metrics' arrival window (ModelSetup).
  NodeRecord node_record(SimTime makespan) const;

  // For its placement.
  NodeId id() const { return id_; }
  const NodeSpec& spec() const { return spec_; }
  bool up() const { return up_; }
  bool busy() const { return !running_.empty(); }
  NodeView own_view(SimTime now) const;  // its load as a report states it
  RngStream& decision_rng() { return decision_rng_; }
  DecisionStats& decision_stats() { return decisions_; }
  std::vector<double>& staleness_samples() { return staleness_s_; }

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

  void enqueue(const TaskMessage& m, LpContext& ctx);
  void try_start(LpContext& ctx);
  void task_ends(const TaskEndsMessage& m, LpContext& ctx);
  void fail(LpContext& ctx);
  void repair(LpContext& ctx);
  void schedule_failure(LpContext& ctx);
  void note_power(SimTime now);  // call after every change of busy cores or up state
  // Energy and busy core-seconds from 0 to t: t at or after the node's last task end, or an end
  // of the arrival window.
  PowerPoint integrated_to(SimTime t) const;
  void recount_free();  // from the running set: no drift from repeated +/-
  double power_w() const;

  // Declared in the order events touch them: at 10,000 nodes each event's first touches of its
  // node are cache misses, so what every event reads (the placement, the flags) shares the
  // object's first line, and a task's start and end read the lines after it.
  std::unique_ptr<NodePlacement> placement_;  // made last in the constructor, reset first in the destructor
  bool dirty_ = false;                        // state changed during this event: the placement reports it
  bool up_ = true;
  NodeId id_;
  const ModelSetup& setup_;
  const NodeSpec& spec_;
  std::unique_ptr<QueueDiscipline> own_discipline_;  // scheduler.queue, unless the policy brings one
  const QueueDiscipline* discipline_;                // the one in use
  double free_cores_, free_memory_gb_;
  std::vector<QueuedTask> queue_;
  std::vector<TaskMessage> queue_msgs_;  // parallel to queue_
  // What the queue asks for, summed in queue order as a report states it: added to on an
  // enqueue (the same sum as a rescan), summed again only when tasks leave the queue.
  struct QueueTotals {
    double work_core_s = 0, cores = 0, memory_gb = 0;
  } queued_;
  void add_to_totals(const QueuedTask& q);
  void recount_queue();
  std::vector<Running> running_;
  std::uint32_t attempts_ = 0;

  // Piecewise-constant power since the last task end (the makespan, the last task end anywhere,
  // is never earlier: older points are dropped, so the history does not grow with the tasks),
  // and the last point at or before each end of the arrival window, kept when passed.
  std::vector<PowerPoint> power_;
  DecisionStats decisions_;
  std::vector<TaskRecord> records_;
  std::vector<double> staleness_s_;
  RngStream decision_rng_, failure_rng_;
  std::optional<PowerPoint> at_window_begin_, at_window_end_;
  std::vector<SimTime> failure_times_;  // a failure after the makespan is not the episode's
  std::vector<std::size_t> start_scratch_;
  std::vector<RunningTask> running_scratch_;
};

}  // namespace marlsim

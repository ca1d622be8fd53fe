#pragma once
// What a node does with the tasks submitted to it, chosen once per topology
// (make_node_placement): forward them (centralized: the central scheduler places every task),
// keep or spill them (two-level: an AdmissionPolicy decides), or decide where they go
// (decentralized: an agent with its own partial view). The node machine (node_lp.hpp) runs,
// queues, fails, repairs and integrates power; its placement places and reports.
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/cluster/messages.hpp"
#include "engine/cluster/model_setup.hpp"
#include "engine/cluster/task_record.hpp"
#include "engine/kernel/logical_process.hpp"

namespace marlsim {

class NodeLp;

class NodePlacement {
 public:
  virtual ~NodePlacement() = default;
  virtual void init(LpContext& ctx) {}
  // Before the node handles `ev` (any kind): what the placement must bring up to date first.
  virtual void before_event(const Event& ev, LpContext& ctx) {}
  // After the node handled an event (any kind).
  virtual void after_event(LpContext& ctx) {}
  // The node is about to schedule an event for itself (a task end, a failure): whatever of the
  // placement's own must come first at equal times is scheduled here.
  virtual void before_own_event(LpContext& ctx) {}
  // The coordination messages it would have counted before `stop` (the episode's end) and has
  // not: periodic work it did not simulate as events.
  virtual void count_until(SimTime stop, DecisionStats& stats) const {}
  // The kernel events it stood for without simulating them, up to `stop` (report_board.hpp:
  // periodic ticks run off the kernel, inside the node's next event), for the episode's `events`.
  virtual std::uint64_t unsimulated_events(SimTime stop) const { return 0; }
  // A task asks to be placed here (from the source, a spill, a bounce, a rejection).
  virtual void submitted(TaskMessage m, LpContext& ctx) = 0;
  // The node is down and cannot take the task: pass it on.
  virtual void bounce(TaskMessage m, LpContext& ctx) = 0;
  // Placement events (kNodeReport from peers, kReportTick, kDecisionCycle); false: not one.
  virtual bool handle(const Event& ev, LpContext& ctx) { return false; }
  // The node's state changed during this event: report it where this topology wants it.
  virtual void state_changed(LpContext& ctx) = 0;
  // The node failed: tasks held here for placement join the ones it evacuates.
  virtual void evacuate(std::vector<TaskMessage>& out) {}
  virtual void repaired(LpContext& ctx) {}
  virtual std::uint64_t held() const { return 0; }  // tasks waiting here for a placement
  // What it touches on every event of its node (LogicalProcess::hot_state): at least itself.
  virtual void hot_state(std::vector<HotRange>& out) const = 0;
};

std::unique_ptr<NodePlacement> make_node_placement(NodeLp& node, const ModelSetup& setup);

}  // namespace marlsim

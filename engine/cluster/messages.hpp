#pragma once
// The events of the cluster model and their payloads (plain structs that fit an Event).
#include <cstdint>

#include "agents/cluster_view.hpp"
#include "engine/kernel/event.hpp"
#include "engine/support/sim_time.hpp"

namespace marlsim {

enum ClusterEvent : std::uint32_t {
  kTaskArrives = 1,  // source, self: the next task of the stream is submitted
  kSubmit,           // a task asks to be placed (source -> entry point; spills; rejections)
  kAssign,           // a decision: run this task here (scheduler or agent -> node)
  kTaskEnds,         // node, self: a running task finishes
  kTaskDone,         // node -> source: a task finished (releases DAG children)
  kNodeReport,       // node -> scheduler / neighbours: load report
  kNodeFails,        // node, self
  kNodeRepaired,     // node, self
  kReportTick,       // node, self: periodic load report
  kBatchTick,        // scheduler, self: assign the batch collected so far
  kDecisionCycle,    // deciding LP, self: a decision cycle boundary (agents.decision_period_s)
};

// A task in flight between LPs.
struct TaskMessage {
  std::uint64_t task = 0;
  SimTime ready = 0;   // when the task became ready (arrived and parents done)
  SimTime raised = 0;  // when the current placement request was raised
  std::uint32_t reschedules = 0;
  LpId from = kNoLp;          // who sent it (where a rejection goes back to)
  NodeId origin = kNoNode;    // two-level: the node that spilled it
  std::uint8_t rejected = 0;  // sent back by a node that was down (the sender learns it is)
};

// A node's load report; the reporting node is the event's source LP (node LP id = node id),
// which keeps the report within an event's payload.
struct ReportMessage {
  NodeView view;
};
static_assert(sizeof(ReportMessage) <= kEventPayloadBytes);

struct TaskEndsMessage {
  std::uint64_t task = 0;
  std::uint32_t attempt = 0;
};

struct TaskDoneMessage {
  std::uint64_t task = 0;
};

}  // namespace marlsim

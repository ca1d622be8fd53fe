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
  kReportDue,        // node, self: a report on change that the rate limit held back is due (scheduler.report)
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

// The wire-size model behind the bytes_per_agent metric: what a coordination message would
// weigh on a real network, not sizeof() of the simulator's structs (which carry task ids
// because every rank holds the task table). Every message has a 24-byte header (sender and
// receiver id, 4 B each; kind and payload length, 4 B each; send time, 8 B).
// - A load report (kNodeReport): six float64 load figures (free cores and memory, queued work,
//   cores and memory, running work) 48 B, queue length and running count 2 x 4 B, the up flag
//   padded to 8 B, the time it describes 8 B: 72 B, 96 B with the header.
// - A task (kAssign, kSubmit: a dispatch, forward, spill or bounce) carries its routing
//   (task id, ready and raised times 3 x 8 B; reschedules, origin and flags 3 x 4 B, padded
//   to 40 B) and its description (cores, memory, work, arrival, deadline, priority as
//   6 x 8 B): 88 B, 112 B with the header.
inline constexpr std::uint64_t kMessageHeaderBytes = 24;
inline constexpr std::uint64_t kReportMessageBytes = kMessageHeaderBytes + 72;
inline constexpr std::uint64_t kTaskMessageBytes = kMessageHeaderBytes + 88;
inline constexpr std::uint64_t wire_bytes(ClusterEvent kind) {
  return kind == kNodeReport ? kReportMessageBytes : kTaskMessageBytes;
}

}  // namespace marlsim

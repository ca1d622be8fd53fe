#pragma once
// What the model records of each finished task and each node; episode metrics come from these.
#include <algorithm>
#include <cstdint>

#include "agents/cluster_view.hpp"
#include "engine/cluster/messages.hpp"
#include "engine/support/sim_time.hpp"
#include "workloads/task_spec.hpp"

namespace marlsim {

struct TaskRecord {
  std::uint64_t task = 0;
  NodeId node = kNoNode;
  std::uint32_t reschedules = 0;
  SimTime ready = 0;  // arrived and every parent done
  SimTime start = 0;  // last (successful) start
  SimTime end = 0;
};

// Bounded slowdown (Feitelson): time from ready to end over the run time, with run times
// below 10 s counted as 10 s so that short tasks do not dominate; at least 1.
inline double bounded_slowdown(const TaskRecord& t) {
  const double run = std::max(10.0, to_seconds(t.end - t.start));
  return std::max(1.0, to_seconds(t.end - t.ready) / run);
}

inline bool met_deadline(const TaskRecord& t, double deadline_s) { return t.end <= from_seconds(deadline_s); }

// What a finished task's record says, derived here only: the episode metrics (episode.cpp)
// and the per-task results columns (engine/experiment/results_layout.cpp) both read it.
struct TaskOutcome {
  double wait_s;        // start minus ready
  double completion_s;  // end minus arrival
  double slowdown;      // bounded_slowdown
  bool sla_met;         // ended by its deadline
};
inline TaskOutcome task_outcome(const TaskRecord& t, const TaskSpec& spec) {
  return {to_seconds(t.start - t.ready), to_seconds(t.end - from_seconds(spec.arrival_s)), bounded_slowdown(t),
          met_deadline(t, spec.deadline_s)};
}

struct NodeRecord {
  NodeId node = kNoNode;
  std::uint32_t failures = 0;
  double busy_core_s = 0;         // integral of busy cores up to the episode's makespan
  double window_busy_core_s = 0;  // the same over the metrics' arrival window (warm-up end to last arrival)
  double energy_j = 0;            // integral of power up to the episode's makespan
  std::uint64_t tasks_run = 0;
};

// Decision bookkeeping of one deciding LP, and what its coordination costs and sees.
struct DecisionStats {
  std::uint64_t decisions = 0;
  double sim_latency_s = 0;                         // summed: from request raised to dispatch arriving
  double wall_s = 0;                                // summed wall time inside policy calls
  std::uint64_t spills = 0;                         // two-level nodes: submissions passed on to the global scheduler
  std::uint64_t batches = 0, batched_requests = 0;  // scheduler.decide = "at-once": its decide() calls
  // Coordination messages it sent to other LPs (count_sent) and their bytes (wire_bytes).
  std::uint64_t messages = 0, message_bytes = 0;
  // Reports it never saw (agents.observation_loss); the candidates of its decisions other
  // than itself, and those of them it hears no reports from (engine/cluster/report_inbox.hpp).
  std::uint64_t reports_lost = 0, candidates_seen = 0, candidates_unreported = 0;
};

// One coordination message (a load report, a dispatch, forward, spill or bounce) sent to
// another LP; messages to itself (keeping a task, ticks) are not on the network.
inline void count_sent(DecisionStats& stats, ClusterEvent kind, std::uint64_t copies = 1) {
  stats.messages += copies;
  stats.message_bytes += copies * wire_bytes(kind);
}

}  // namespace marlsim

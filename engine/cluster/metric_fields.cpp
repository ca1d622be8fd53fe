#include "engine/cluster/metric_fields.hpp"

namespace marlsim {

const std::vector<MetricField>& episode_metric_fields() {
#define MARLSIM_FIELD(name, unit, description)                                                    \
  {                                                                                               \
#name, unit, description, [](const EpisodeMetrics& m) { return static_cast<double>(m.name); } \
  }
  static const std::vector<MetricField> fields = {
      MARLSIM_FIELD(mean_completion_s, "s", "end minus arrival, mean over the measured tasks"),
      MARLSIM_FIELD(p50_completion_s, "s", "end minus arrival, median of the measured tasks"),
      MARLSIM_FIELD(p95_completion_s, "s", "end minus arrival, 95th percentile of the measured tasks"),
      MARLSIM_FIELD(p99_completion_s, "s", "end minus arrival, 99th percentile of the measured tasks"),
      MARLSIM_FIELD(mean_wait_s, "s", "start minus ready (arrived, parents done), mean over the measured tasks"),
      MARLSIM_FIELD(wait_drift_s, "s",
                    "mean wait of measured tasks arriving in the arrival window's second half minus its first "
                    "half: near 0 in a steady state, large when queues grow without bound (NaN if a half is empty)"),
      MARLSIM_FIELD(mean_slowdown, "1", "bounded slowdown (end - ready) / max(run time, 10 s), measured tasks"),
      MARLSIM_FIELD(makespan_s, "s", "last completion"),
      MARLSIM_FIELD(sla_pct, "%", "measured tasks that finished by their deadline"),
      MARLSIM_FIELD(energy_j, "J", "all nodes from 0 to the makespan"),
      MARLSIM_FIELD(energy_kwh, "kWh", "all nodes from 0 to the makespan"),
      MARLSIM_FIELD(utilization_pct, "%", "busy core-seconds over cores x makespan"),
      MARLSIM_FIELD(speed_weighted_utilization_pct, "%",
                    "busy core-seconds x node speed over cores x speed x makespan (work done over work possible)"),
      MARLSIM_FIELD(arrival_window_s, "s", "the arrival window: from run.warmup_s to the last arrival"),
      MARLSIM_FIELD(arrival_window_utilization_pct, "%",
                    "busy core-seconds in the arrival window over cores x its length (NaN if empty)"),
      MARLSIM_FIELD(arrival_window_speed_weighted_utilization_pct, "%",
                    "speed-weighted utilization over the arrival window (NaN if empty)"),
      MARLSIM_FIELD(throughput_per_s, "1/s", "completed tasks per second of makespan"),
      MARLSIM_FIELD(reschedules, "count", "moves of measured tasks after placement (failures, bounces)"),
      MARLSIM_FIELD(failures, "count", "node failures up to the makespan"),
      MARLSIM_FIELD(decisions, "count", "placement decisions"),
      MARLSIM_FIELD(spills, "count", "two-level: tasks a node passed on to the global scheduler"),
      MARLSIM_FIELD(decision_latency_sim_s, "s", "simulated time from request to dispatch arriving, mean"),
      MARLSIM_FIELD(decision_latency_wall_us, "us", "wall time inside the policy per decision, mean"),
      MARLSIM_FIELD(decision_batches, "count", "decide() calls on the policy, all ranks (depends on the partition)"),
      MARLSIM_FIELD(mean_decision_batch, "count", "requests per decide() call (depends on the partition)"),
      MARLSIM_FIELD(
          p95_decision_batch, "count",
          "requests per decide() call, 95th percentile over the calls (0 when deciding at once: not recorded)"),
      MARLSIM_FIELD(batched_episodes, "count", "episodes run side by side in one kernel (run.batch_episodes)"),
      MARLSIM_FIELD(messages_per_agent, "count",
                    "coordination messages (load reports, dispatches, forwards, spills, bounces) sent between "
                    "nodes and the central scheduler, per node"),
      MARLSIM_FIELD(bytes_per_agent, "B",
                    "those messages' bytes per node (wire-size model: engine/cluster/messages.hpp)"),
      MARLSIM_FIELD(mean_staleness_s, "s",
                    "information age of the reported candidates' load a decision saw, mean per decision, mean "
                    "over decisions (NaN if none had a reported candidate)"),
      MARLSIM_FIELD(p95_staleness_s, "s", "the same, 95th percentile over decisions"),
      MARLSIM_FIELD(unreported_candidates_pct, "%",
                    "decisions' candidates (other than the decider) it hears no load reports from"),
      MARLSIM_FIELD(reports_lost, "count", "load reports the receiving agent never saw (agents.observation_loss)"),
      MARLSIM_FIELD(tasks, "count", "tasks in the episode"),
      MARLSIM_FIELD(completed, "count", "tasks completed"),
      MARLSIM_FIELD(measured_tasks, "count", "completed tasks that arrived at or after run.warmup_s"),
      MARLSIM_FIELD(unschedulable, "count", "tasks that fit no node"),
      MARLSIM_FIELD(blocked, "count", "tasks waiting on a task that fits no node"),
      MARLSIM_FIELD(incomplete, "count", "tasks unfinished at the time limit"),
      MARLSIM_FIELD(events, "count",
                    "events processed, counting the report copies and ticks a report board stands for"),
      MARLSIM_FIELD(remote_events, "count", "events that crossed ranks (depends on the partition)"),
      MARLSIM_FIELD(windows, "count",
                    "synchronization windows (depends on the partition and on the events the kernel runs)"),
      MARLSIM_FIELD(wall_s, "s", "wall time of the episode, slowest rank"),
  };
#undef MARLSIM_FIELD
  return fields;
}

}  // namespace marlsim

#include "engine/cluster/metric_fields.hpp"

namespace marlsim {

const std::vector<MetricField>& episode_metric_fields() {
#define MARLSIM_FIELD(name, unit) {#name, unit, [](const EpisodeMetrics& m) { return static_cast<double>(m.name); }}
  static const std::vector<MetricField> fields = {
      MARLSIM_FIELD(mean_completion_s, "s"),
      MARLSIM_FIELD(p50_completion_s, "s"),
      MARLSIM_FIELD(p95_completion_s, "s"),
      MARLSIM_FIELD(p99_completion_s, "s"),
      MARLSIM_FIELD(mean_wait_s, "s"),
      MARLSIM_FIELD(mean_slowdown, "1"),
      MARLSIM_FIELD(makespan_s, "s"),
      MARLSIM_FIELD(sla_pct, "%"),
      MARLSIM_FIELD(energy_j, "J"),
      MARLSIM_FIELD(energy_kwh, "kWh"),
      MARLSIM_FIELD(utilization_pct, "%"),
      MARLSIM_FIELD(throughput_per_s, "1/s"),
      MARLSIM_FIELD(reschedules, "count"),
      MARLSIM_FIELD(failures, "count"),
      MARLSIM_FIELD(decisions, "count"),
      MARLSIM_FIELD(spills, "count"),
      MARLSIM_FIELD(decision_latency_sim_s, "s"),
      MARLSIM_FIELD(decision_latency_wall_us, "us"),
      MARLSIM_FIELD(tasks, "count"),
      MARLSIM_FIELD(completed, "count"),
      MARLSIM_FIELD(unschedulable, "count"),
      MARLSIM_FIELD(blocked, "count"),
      MARLSIM_FIELD(incomplete, "count"),
      MARLSIM_FIELD(events, "count"),
      MARLSIM_FIELD(remote_events, "count"),  // events that crossed ranks: depends on the partition
      MARLSIM_FIELD(windows, "count"),
      MARLSIM_FIELD(wall_s, "s"),
  };
#undef MARLSIM_FIELD
  return fields;
}

}  // namespace marlsim

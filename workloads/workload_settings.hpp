#pragma once
// The workload's settings: a generated stream (the seed study's) or a trace format with its
// options. The experiment layer's Scenario embeds them and reads them from TOML.
#include <string>

#include "workloads/seed_study_workload.hpp"
#include "workloads/trace_reader.hpp"

namespace marlsim {

struct WorkloadConfig {            // [workload]
  std::string kind = "synthetic";  // kind = "synthetic" or a trace format (marlsim list)
  SeedStudyWorkloadConfig
      synthetic;  // tasks, arrival_rate_per_s, target_utilization, distributions, [workload.sla], [workload.profile]
  TraceOptions trace;  // [workload.trace] path (relative to the scenario file), window, compress, sample_jobs, ...
};

}  // namespace marlsim

#pragma once
// A task as a workload delivers it to the cluster model. Units are in the names: seconds
// from the start of the stream, core-seconds of work at reference speed 1.0, gigabytes.
#include <cstdint>
#include <string_view>
#include <vector>

namespace marlsim {

enum class PriorityClass : std::uint8_t { Production = 0, Batch = 1, BestEffort = 2 };
inline constexpr int kPriorityClasses = 3;

constexpr std::string_view priority_name(PriorityClass p) {
  switch (p) {
    case PriorityClass::Production: return "production";
    case PriorityClass::Batch: return "batch";
    case PriorityClass::BestEffort: return "best-effort";
  }
  return "?";
}

struct TaskSpec {
  std::uint64_t id = 0;        // dense 0..n-1, in arrival order within its stream
  std::uint64_t job = 0;       // tasks of one job share it (DAGs, job sampling)
  double arrival_s = 0.0;      // when the task is submitted
  double work_core_s = 0.0;    // on a node of speed s it runs work_core_s / (cores * s) seconds
  double cores = 1.0;          // may be fractional (Alibaba plan_cpu 50 = half a core)
  double memory_gb = 0.0;
  PriorityClass priority = PriorityClass::Batch;
  double deadline_s = 0.0;     // absolute; the SLA is met when the task finishes by then
  std::vector<std::uint64_t> parents;  // ids in the same stream that must finish first

  // Run time on `cores` cores of a speed-1.0 node.
  double reference_runtime_s() const { return work_core_s / cores; }
};

}  // namespace marlsim

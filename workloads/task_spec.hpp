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
  std::uint64_t id = 0;      // dense 0..n-1, in arrival order within its stream
  std::uint64_t job = 0;     // tasks of one job share it (DAGs, job sampling)
  double arrival_s = 0.0;    // when the task is submitted
  double work_core_s = 0.0;  // on a node of speed s it runs work_core_s / (cores * s) seconds
  double cores = 1.0;        // may be fractional (Alibaba plan_cpu 50 = half a core)
  double memory_gb = 0.0;
  PriorityClass priority = PriorityClass::Batch;
  // Instance groups (a trace task of n instances, Alibaba): the group is the consecutive ids
  // id - instance, id - instance + 1, ...; a task alone is instance 0 of a group of one.
  std::uint32_t instance = 0;
  double deadline_s = 0.0;  // absolute; the SLA is met when the task finishes by then
  // DAG: ids of the first tasks of the groups that must finish first (every instance of each;
  // for groups of one, simply the parent tasks). All instances of a group list the same.
  std::vector<std::uint64_t> parents;

  std::uint64_t group() const { return id - instance; }  // id of the group's first task

  // Run time on `cores` cores of a speed-1.0 node.
  double reference_runtime_s() const { return work_core_s / cores; }
};

}  // namespace marlsim

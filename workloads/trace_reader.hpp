#pragma once
// Trace readers turn a public cluster trace into a task stream (and, where the trace has
// one, a machine list). Each format is one file implementing TraceReader plus one line in
// trace_registry.cpp.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/cluster_spec.hpp"
#include "workloads/sla_policy.hpp"
#include "workloads/task_spec.hpp"
#include "workloads/workload_report.hpp"

namespace marlsim {

struct TraceOptions {
  std::string path;         // the trace file (google2011: the folder or its task_events file)
  std::string second_path;  // alibaba2017: server_event.csv (default: next to path)

  // Kept: tasks whose arrival, in the trace's own clock (seconds, before any shift), lies in
  // [window_start_s, window_end_s). (Traces may start below 0: Alibaba 2017 has tasks
  // created before its clock's origin.)
  double window_start_s = -std::numeric_limits<double>::infinity();
  double window_end_s = std::numeric_limits<double>::infinity();
  double compress = 1.0;     // arrival times (after the shift to 0) are divided by this
  double sample_jobs = 1.0;  // keep a job iff hash(seed, job) < sample_jobs: deterministic
  std::uint64_t seed = 1;
  bool skip_bad_lines = false;  // false: a malformed line throws; true: counted and skipped
  std::uint64_t max_tasks = 0;  // 0 = all; else the first max_tasks by arrival
  SlaPolicy sla;

  // Floors applied by every reader (and counted in the report notes).
  double min_cores = 0.01;      // requests of 0 cores (Google, Alibaba) become this
  double min_duration_s = 1.0;  // zero or negative observed durations become this (1 s is
                                // the timestamp resolution of the Alibaba traces)

  // alibaba2017/2018: a task of n instances becomes min(n, cap) TaskSpecs, or n if the cap is
  // 0 (see the readers). The default keeps traces small; the report gives the kept share.
  std::uint32_t max_instances_per_task = 16;
  // alibaba2018: false = every task arrives at its job's first start_time (the DAG orders
  // them); true = each task at its own start_time.
  bool alibaba2018_task_arrivals = false;
  // Memory scales for normalized traces (assumptions; the traces do not publish them).
  double alibaba2018_memory_gb_per_100 = 512.0;   // plan_mem 100 = one whole machine
  double alibaba2017_memory_gb_per_unit = 256.0;  // normalized mem 1.0 (a machine is ~0.69)
  double google_cores_per_unit = 32.0;            // normalized CPU 1.0 = the largest machine
  double google_memory_gb_per_unit = 64.0;        // normalized memory 1.0

  // Throws InputError naming the option if a value is out of range.
  void validate() const;
};

struct Workload {
  std::vector<TaskSpec> tasks;  // ids 0..n-1 in arrival order, first arrival at 0
  ClusterSpec machines;         // empty if the trace has no machine list
  WorkloadReport report;
};

class TraceReader {
 public:
  virtual ~TraceReader() = default;
  virtual std::string_view format() const = 0;       // the name used on the command line
  virtual std::string_view description() const = 0;  // one line for `marlsim list`
  virtual Workload read(const TraceOptions& options) const = 0;
};

// Throws InputError listing the valid names if `format` is unknown.
const TraceReader& find_trace_reader(std::string_view format);
std::vector<std::string_view> trace_format_names();
// find_trace_reader(format).read(options).
Workload read_trace(std::string_view format, const TraceOptions& options);

}  // namespace marlsim

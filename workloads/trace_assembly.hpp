#pragma once
// The part every trace reader shares: records parsed from a trace (RawTask, in the trace's
// own ids and clock) become the output stream. Window, job sampling, DAG resolution, sort,
// shift to 0, compression, renumbering, max_tasks and SLA deadlines happen here, once, so
// all formats obey the same rules.
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/support/input_error.hpp"
#include "workloads/line_reader.hpp"
#include "workloads/trace_reader.hpp"

namespace marlsim {

struct RawTask {
  std::uint64_t key = 0;  // unique id of the task in its trace; parents refer to it
  std::uint64_t job = 0;
  double arrival_s = 0.0;  // trace clock, seconds
  double work_core_s = 0.0;
  double cores = 1.0;
  double memory_gb = 0.0;
  PriorityClass priority = PriorityClass::Batch;
  // Index in its instance group; a group's instances have consecutive keys and positions in
  // `raw`, the same arrival and the same parents, and are delivered as consecutive ids.
  std::uint32_t instance = 0;
  std::vector<std::uint64_t> parents;  // keys of parent groups' first instances
  bool parents_incomplete = false;     // the reader already knows parents are missing
};

// Output order: arrival, then DAG depth (parents first), then the order of `raw` (file
// order), so ties are broken by the trace itself and the result never depends on hashing.
// Throws InputError naming options.path if no task is left.
std::vector<TaskSpec> assemble_tasks(std::vector<RawTask> raw, const TraceOptions& options, WorkloadReport& report);

// The report note on max_instances_per_task (the kept share is in report.instances_kept).
std::string instances_note(std::uint32_t max_instances_per_task);
// The simulator's clock is int64 nanoseconds (~292 years) and a stream must stay below 1e9 s
// after its shift to 0: a trace time (arrival, start, end) beyond +-kMaxTraceTime_s or a
// duration beyond it is refused at its line, naming the field, instead of failing later on
// a renumbered task.
inline constexpr double kMaxTraceTime_s = 5e8;
void require_trace_time(const LineReader& reader, std::string_view field, double seconds);
void require_trace_duration(const LineReader& reader, std::string_view field, double seconds);

// True iff job `job` is kept by sample_jobs: a keyed hash of (seed, job) below the fraction.
bool job_sampled_in(std::uint64_t seed, std::uint64_t job, double fraction);

// Calls fn(line) for every line of `reader`. An InputError from fn either propagates
// (skip_bad_lines false) or is recorded in the report and the line skipped.
template <class Fn>
void for_each_line(LineReader& reader, const TraceOptions& options, WorkloadReport& report, Fn&& fn) {
  std::string_view line;
  while (reader.next(line)) {
    try {
      fn(line);
    } catch (const InputError& e) {
      if (!options.skip_bad_lines) throw;
      report.record_bad_line(e.what());
    }
  }
  report.lines_read += reader.line_number();
  report.file_bytes += reader.file_bytes();
  report.text_bytes += reader.text_bytes();
}

}  // namespace marlsim

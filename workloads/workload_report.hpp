#pragma once
// What a trace reader did to the raw trace: lines read, bad lines skipped, tasks censored or
// filtered and why, DAG edges that could not be kept. Printed by `marlsim` and checked in
// tests, so that nothing a reader discards is discarded silently.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace marlsim {

struct WorkloadReport {
  static constexpr std::size_t kKeptMessages = 5;

  std::string format;
  std::string path;
  std::uint64_t lines_read = 0;    // every line of every file read, headers included
  std::uint64_t records_read = 0;  // data lines (not comments or headers) parsed
  std::uint64_t file_bytes = 0;    // bytes on disk (compressed size for .gz)
  std::uint64_t text_bytes = 0;    // bytes of text after decompression
  std::uint64_t bad_lines_skipped = 0;
  std::vector<std::string> bad_line_messages;  // the first kKeptMessages of them

  std::uint64_t tasks_read = 0;                   // tasks the reader built before filtering
  std::map<std::string, std::uint64_t> censored;  // reason -> tasks the reader dropped
  std::uint64_t outside_window = 0;
  std::uint64_t jobs_sampled_out = 0;
  std::uint64_t tasks_sampled_out = 0;
  std::uint64_t beyond_max_tasks = 0;
  std::uint64_t tasks_out = 0;
  // Traces whose tasks have instances (Alibaba): instances in the tasks read, and instances
  // kept as TaskSpecs (max_instances_per_task); both 0 for other formats.
  std::uint64_t instances_read = 0;
  std::uint64_t instances_kept = 0;
  double instances_kept_pct() const;

  std::uint64_t parents_dropped = 0;                // references to tasks absent or filtered out
  std::uint64_t tasks_with_incomplete_parents = 0;  // tasks that lost at least one parent
  std::uint64_t cycle_edges_dropped = 0;            // self references and edges closing a cycle
  std::uint64_t arrivals_raised_to_parent = 0;      // child arrived before a parent: moved to it

  double time_shift_s = 0.0;       // trace time of the first kept task (subtracted from all)
  std::vector<std::string> notes;  // policies applied, in words

  void count_censored(const std::string& reason, std::uint64_t n = 1) { censored[reason] += n; }
  std::uint64_t censored_total() const;
  void record_bad_line(const std::string& message);
  // Several lines of human-readable text.
  std::string summary() const;
};

}  // namespace marlsim

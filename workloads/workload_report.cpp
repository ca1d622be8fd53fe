#include "workloads/workload_report.hpp"

#include <fmt/format.h>

namespace marlsim {

std::uint64_t WorkloadReport::censored_total() const {
  std::uint64_t n = 0;
  for (const auto& [reason, count] : censored) n += count;
  return n;
}

double WorkloadReport::instances_kept_pct() const {
  return instances_read ? 100.0 * static_cast<double>(instances_kept) / static_cast<double>(instances_read) : 100.0;
}

void WorkloadReport::record_bad_line(const std::string& message) {
  ++bad_lines_skipped;
  if (bad_line_messages.size() < kKeptMessages) bad_line_messages.push_back(message);
}

std::string WorkloadReport::summary() const {
  std::string s = fmt::format("workload {} from {}\n", format, path);
  s += fmt::format("  lines read {}, records {}, bad lines skipped {}\n", lines_read, records_read, bad_lines_skipped);
  for (const auto& m : bad_line_messages) s += fmt::format("    bad line: {}\n", m);
  s += fmt::format("  tasks read {}, kept {}\n", tasks_read, tasks_out);
  if (instances_read)
    s += fmt::format("  instances kept {} of {} ({:.1f} %)\n", instances_kept, instances_read, instances_kept_pct());
  for (const auto& [reason, count] : censored) s += fmt::format("  censored ({}): {}\n", reason, count);
  if (outside_window) s += fmt::format("  outside the time window: {}\n", outside_window);
  if (jobs_sampled_out) s += fmt::format("  sampled out: {} jobs ({} tasks)\n", jobs_sampled_out, tasks_sampled_out);
  if (beyond_max_tasks) s += fmt::format("  beyond max_tasks: {}\n", beyond_max_tasks);
  if (parents_dropped || tasks_with_incomplete_parents)
    s += fmt::format("  parent references dropped {}, tasks with incomplete parents {}\n", parents_dropped,
                     tasks_with_incomplete_parents);
  if (cycle_edges_dropped) s += fmt::format("  cycle edges dropped: {}\n", cycle_edges_dropped);
  if (arrivals_raised_to_parent)
    s += fmt::format("  arrivals raised to a parent's arrival: {}\n", arrivals_raised_to_parent);
  s += fmt::format("  arrival times shifted by -{} s so the first task arrives at 0\n", time_shift_s);
  for (const auto& n : notes) s += fmt::format("  note: {}\n", n);
  return s;
}

}  // namespace marlsim

#include "workloads/task_table.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace marlsim {

namespace {

// One pass over the stream, in id order: everything the run needs of the whole of it.
TaskStreamFacts record_facts(const std::vector<TaskSpec>& tasks, const ClusterSpec& cluster) {
  TaskStreamFacts f;
  f.tasks = tasks.size();
  f.last_arrival_s = tasks.empty() ? 0.0 : tasks.back().arrival_s;
  double slowest = 1e300;
  for (const NodeSpec& n : cluster.nodes) slowest = std::min(slowest, n.speed);
  f.slowest_speed = slowest;
  constexpr double kLimit_s = TaskStreamFacts::kClockLimit_s;
  for (const TaskSpec& t : tasks) {
    const double run = t.work_core_s / (t.cores * slowest);
    f.serial_run_s += run;
    if (!f.off_clock && !(t.arrival_s <= kLimit_s && run <= kLimit_s && t.deadline_s <= 2 * kLimit_s)) {
      f.off_clock = true;
      f.off_clock_task = t.id;
      f.off_clock_arrival_s = t.arrival_s;
      f.off_clock_run_s = run;
    }
    if (t.instance > 0) {  // the group's edges are its first instance's; the others must agree
      if (t.id == 0 || tasks[t.id - 1].instance + 1 != t.instance || tasks[t.id - 1].parents != t.parents)
        throw std::logic_error("task " + std::to_string(t.id) + ": instance " + std::to_string(t.instance) +
                               " does not follow its group's previous instance with the same parents");
      continue;
    }
    for (std::uint64_t p : t.parents) {
      if (p >= tasks.size() || tasks[p].instance != 0)
        throw std::logic_error("task " + std::to_string(t.id) + ": parent " + std::to_string(p) +
                               " is not the first task of a group");
      f.dag_edges.emplace_back(p, t.id);
    }
  }
  std::sort(f.dag_edges.begin(), f.dag_edges.end());
  return f;
}

}  // namespace

TaskTable::TaskTable(std::shared_ptr<const std::vector<TaskSpec>> tasks, const ClusterSpec& cluster)
    : tasks_(std::move(tasks)), facts_(record_facts(*tasks_, cluster)) {}

TaskTable TaskTable::view(const std::vector<TaskSpec>& tasks, const ClusterSpec& cluster) {
  // An owner that owns nothing: the aliasing constructor points at the caller's vector.
  return TaskTable(std::shared_ptr<const std::vector<TaskSpec>>(std::shared_ptr<void>(), &tasks), cluster);
}

std::span<const std::pair<std::uint64_t, std::uint64_t>> TaskTable::children(std::uint64_t group) const {
  const auto& edges = facts_.dag_edges;
  const auto [lo, hi] = std::equal_range(edges.begin(), edges.end(), std::pair{group, std::uint64_t{0}},
                                         [](const auto& a, const auto& b) { return a.first < b.first; });
  return {lo, hi};
}

}  // namespace marlsim

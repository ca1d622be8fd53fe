#pragma once
// The task stream of one episode as the cluster model reads it: tasks by id (0..n-1 in arrival
// order) and the whole-stream facts the run needs, recorded in the one pass that makes the
// table, so that no LP, set-up step or metric walks the whole stream again. Every rank makes
// the same table from the scenario and the seed; messages carry task ids.
//
// Today the table holds the whole stream (88 bytes a task + 8 a DAG parent), shared by the
// episodes that run on it (a trace's sample). A reference from operator[] stays valid as long
// as the table.
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "workloads/cluster_spec.hpp"
#include "workloads/task_spec.hpp"

namespace marlsim {

struct TaskStreamFacts {
  std::uint64_t tasks = 0;
  double last_arrival_s = 0;  // 0 for an empty stream
  // On the slowest node of the cluster the facts were recorded on: its speed, and the whole
  // stream's run time one task after another (the default time limit's base).
  double slowest_speed = 0;
  double serial_run_s = 0;
  // The first task that would run off the int64-nanosecond clock (arrival or run time on the
  // slowest node above kClockLimit_s, deadline above twice that), if any.
  static constexpr double kClockLimit_s = 1e9;
  bool off_clock = false;
  std::uint64_t off_clock_task = 0;
  double off_clock_arrival_s = 0, off_clock_run_s = 0;
  // DAG between instance groups (TaskSpec::instance), each group named by its first task id:
  // (group, a group that waits for all of its instances), sorted. Edges only, nothing per
  // task: a stream without a DAG costs nothing here.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> dag_edges;
};

class TaskTable {
 public:
  TaskTable() = default;  // no tasks
  // Shares `tasks` and records the facts on `cluster`. Throws std::logic_error when an
  // instance group or a DAG parent is malformed (a reader's bug).
  TaskTable(std::shared_ptr<const std::vector<TaskSpec>> tasks, const ClusterSpec& cluster);
  // Reads `tasks` in place: the caller keeps them alive as long as the table (tests, training).
  static TaskTable view(const std::vector<TaskSpec>& tasks, const ClusterSpec& cluster);

  const TaskSpec& operator[](std::uint64_t id) const { return (*tasks_)[id]; }
  std::uint64_t size() const { return facts_.tasks; }
  bool empty() const { return facts_.tasks == 0; }
  const TaskStreamFacts& facts() const { return facts_; }

  bool has_dag() const { return !facts_.dag_edges.empty(); }
  // The groups that wait on `group`, ascending.
  std::span<const std::pair<std::uint64_t, std::uint64_t>> children(std::uint64_t group) const;

 private:
  std::shared_ptr<const std::vector<TaskSpec>> tasks_;
  TaskStreamFacts facts_;
};

}  // namespace marlsim

#pragma once
// The task stream of one episode as the cluster model reads it: tasks by id (0..n-1 in arrival
// order) and the whole-stream facts the run needs, recorded in the one pass that makes the
// table, so that no LP, set-up step or metric walks the whole stream again. Every rank makes
// the same table from the scenario and the seed; messages carry task ids.
//
// Three ways to hold the stream:
// - whole (a trace, assembled whole: sorted, DAG resolved; tests, training): 88 bytes a task +
//   8 a DAG parent, shared by the episodes that run on it (a trace's sample);
// - flat (a trace in a block that another owns, workloads/flat_tasks.hpp: one copy per
//   machine, read in place by its ranks): a lookup decodes the task into one of
//   kFlatSlots slots (slot id mod kFlatSlots, a direct-mapped cache of TaskSpecs), so a rank
//   holds kFlatSlots tasks of its own; the owner is type-erased (the workloads do not know
//   who shares the bytes);
// - replayed (a generated stream, from a TaskCursor): the pass that records the facts keeps a
//   checkpoint of the cursor every TaskChunking::chunk_tasks tasks; a lookup makes the task's
//   chunk from its checkpoint and keeps at most cache_chunks chunks (the least recently used
//   goes). An evicted chunk asked for again is made again, bit for bit, so no result depends
//   on the cache size or the rank count, and nothing has to tell the table a task is done.
//   The table is one rank's (the cache is not thread-safe: the kernel runs a rank's LPs on one
//   thread).
// A reference from operator[] stays valid as long as a whole table, but only until the next
// lookup in a replayed or a flat one: who keeps a spec across lookups keeps a copy (or the id).
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "workloads/cluster_spec.hpp"
#include "workloads/flat_tasks.hpp"
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

// A task stream that can be replayed from a checkpoint: next() yields the tasks in id order;
// a clone taken before task i yields task i, i + 1, ... again, bit for bit.
class TaskCursor {
 public:
  virtual ~TaskCursor() = default;
  virtual std::unique_ptr<TaskCursor> clone() const = 0;
  virtual TaskSpec next() = 0;
};

// How a replayed stream is held: chunks of chunk_tasks tasks (a checkpoint each), at most
// cache_chunks of them at once. The default: 4,096 tasks (~360 KB) a chunk, 64 chunks (~23 MB).
struct TaskChunking {
  std::uint64_t chunk_tasks = 4096;
  std::uint64_t cache_chunks = 64;
};

class TaskTable {
 public:
  TaskTable();  // no tasks
  // Shares `tasks` and records the facts on `cluster`. Throws std::logic_error when an
  // instance group or a DAG parent is malformed (a reader's bug).
  TaskTable(std::shared_ptr<const std::vector<TaskSpec>> tasks, const ClusterSpec& cluster);
  // Reads `tasks` in place: the caller keeps them alive as long as the table (tests, training).
  static TaskTable view(const std::vector<TaskSpec>& tasks, const ClusterSpec& cluster);
  // Replays the first `tasks` tasks of `start` (a stream without instance groups or DAG
  // parents: std::logic_error otherwise), held as `chunking` says.
  TaskTable(const TaskCursor& start, std::uint64_t tasks, const ClusterSpec& cluster, TaskChunking chunking);
  // Reads `tasks` in place; `owner` keeps their bytes alive as long as the table. Throws
  // std::logic_error like the whole table's constructor.
  TaskTable(FlatTasks tasks, std::shared_ptr<const void> owner, const ClusterSpec& cluster);
  static constexpr std::uint64_t kFlatSlots = 64;
  TaskTable(TaskTable&&) noexcept;
  TaskTable& operator=(TaskTable&&) noexcept;
  ~TaskTable();

  const TaskSpec& operator[](std::uint64_t id) const { return tasks_ ? (*tasks_)[id] : held_task(id); }
  std::uint64_t size() const { return facts_.tasks; }
  bool empty() const { return facts_.tasks == 0; }
  const TaskStreamFacts& facts() const { return facts_; }

  bool has_dag() const { return !facts_.dag_edges.empty(); }
  // The groups that wait on `group`, ascending.
  std::span<const std::pair<std::uint64_t, std::uint64_t>> children(std::uint64_t group) const;

  // A replayed table's chunks made so far (the first time and again after an eviction); 0 for a whole one.
  std::uint64_t chunks_made() const;

 private:
  struct Chunks;
  struct Flat;
  const TaskSpec& held_task(std::uint64_t id) const;

  std::shared_ptr<const std::vector<TaskSpec>> tasks_;  // whole; or null, and chunks_ or flat_
  std::unique_ptr<Chunks> chunks_;
  std::unique_ptr<Flat> flat_;
  TaskStreamFacts facts_;
};

}  // namespace marlsim

#include "workloads/task_table.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace marlsim {

struct TaskTable::Chunks {
  TaskChunking chunking;
  std::uint64_t tasks = 0;
  std::vector<std::unique_ptr<TaskCursor>> checkpoints;  // chunk c's: before task c x chunk_tasks
  std::vector<std::int64_t> slot_of;                     // per chunk: its slot, or -1 (not held)
  struct Slot {
    std::uint64_t chunk = 0;
    std::uint64_t last_use = 0;
    std::vector<TaskSpec> tasks;
  };
  std::vector<Slot> slots;  // at most chunking.cache_chunks
  std::uint64_t uses = 0, made = 0;

  const TaskSpec& at(std::uint64_t id) {
    const std::uint64_t c = id / chunking.chunk_tasks;
    std::int64_t s = slot_of[c];
    if (s < 0) s = make(c);
    Slot& slot = slots[static_cast<std::size_t>(s)];
    slot.last_use = ++uses;
    return slot.tasks[id - c * chunking.chunk_tasks];
  }

  // Chunk c into a free slot or the least recently used one's, from its checkpoint.
  std::int64_t make(std::uint64_t c) {
    std::size_t s = slots.size();
    if (s < chunking.cache_chunks) {
      slots.emplace_back();
    } else {
      s = 0;
      for (std::size_t i = 1; i < slots.size(); ++i)
        if (slots[i].last_use < slots[s].last_use) s = i;
      slot_of[slots[s].chunk] = -1;
    }
    Slot& slot = slots[s];
    slot.chunk = c;
    const std::uint64_t first = c * chunking.chunk_tasks;
    slot.tasks.resize(std::min(chunking.chunk_tasks, tasks - first));
    const std::unique_ptr<TaskCursor> cursor = checkpoints[c]->clone();
    for (TaskSpec& t : slot.tasks) t = cursor->next();
    ++made;
    slot_of[c] = static_cast<std::int64_t>(s);
    return slot_of[c];
  }
};

namespace {

// The facts that need one task at a time, in id order (the DAG's are the whole table's).
class FactsPass {
 public:
  explicit FactsPass(const ClusterSpec& cluster) {
    double slowest = 1e300;
    for (const NodeSpec& n : cluster.nodes) slowest = std::min(slowest, n.speed);
    f_.slowest_speed = slowest;
  }
  void add(const TaskSpec& t) {
    constexpr double kLimit_s = TaskStreamFacts::kClockLimit_s;
    ++f_.tasks;
    f_.last_arrival_s = t.arrival_s;
    const double run = t.work_core_s / (t.cores * f_.slowest_speed);
    f_.serial_run_s += run;
    if (!f_.off_clock && !(t.arrival_s <= kLimit_s && run <= kLimit_s && t.deadline_s <= 2 * kLimit_s)) {
      f_.off_clock = true;
      f_.off_clock_task = t.id;
      f_.off_clock_arrival_s = t.arrival_s;
      f_.off_clock_run_s = run;
    }
  }
  TaskStreamFacts& facts() { return f_; }

 private:
  TaskStreamFacts f_;
};

// One pass over a whole stream, in id order: everything the run needs of the whole of it.
TaskStreamFacts record_facts(const std::vector<TaskSpec>& tasks, const ClusterSpec& cluster) {
  FactsPass pass(cluster);
  TaskStreamFacts& f = pass.facts();
  for (const TaskSpec& t : tasks) {
    pass.add(t);
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

TaskTable::TaskTable(const TaskCursor& start, std::uint64_t tasks, const ClusterSpec& cluster, TaskChunking chunking)
    : chunks_(std::make_unique<Chunks>()) {
  if (chunking.chunk_tasks < 1 || chunking.cache_chunks < 1)
    throw std::logic_error("TaskTable: a replayed stream needs chunks of at least one task and a cache of one chunk");
  Chunks& c = *chunks_;
  c.chunking = chunking;
  c.tasks = tasks;
  FactsPass pass(cluster);
  const std::unique_ptr<TaskCursor> cursor = start.clone();
  for (std::uint64_t id = 0; id < tasks; ++id) {
    if (id % chunking.chunk_tasks == 0) c.checkpoints.push_back(cursor->clone());
    const TaskSpec t = cursor->next();
    if (t.id != id || t.instance != 0 || !t.parents.empty())
      throw std::logic_error("TaskTable: task " + std::to_string(id) +
                             " of a replayed stream is out of order or in an instance group or a DAG");
    pass.add(t);
  }
  c.slot_of.assign(c.checkpoints.size(), -1);
  facts_ = std::move(pass.facts());
}

TaskTable::TaskTable() = default;
TaskTable::TaskTable(TaskTable&&) noexcept = default;
TaskTable& TaskTable::operator=(TaskTable&&) noexcept = default;
TaskTable::~TaskTable() = default;

const TaskSpec& TaskTable::chunk_task(std::uint64_t id) const { return chunks_->at(id); }

std::uint64_t TaskTable::chunks_made() const { return chunks_ ? chunks_->made : 0; }

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

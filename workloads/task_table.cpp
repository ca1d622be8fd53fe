#include "workloads/task_table.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace marlsim {

// A flat table's lookups: task id decoded into slot id mod kFlatSlots unless already there.
struct TaskTable::Flat {
  FlatTasks tasks;
  std::shared_ptr<const void> owner;  // keeps the bytes of `tasks` alive
  std::vector<TaskSpec> slots = std::vector<TaskSpec>(kFlatSlots);
  std::vector<std::uint64_t> held = std::vector<std::uint64_t>(kFlatSlots, UINT64_MAX);  // per slot: its task id

  const TaskSpec& at(std::uint64_t id) {
    const std::uint64_t s = id % kFlatSlots;
    if (held[s] != id) {
      tasks.read(id, slots[s]);
      held[s] = id;
    }
    return slots[s];
  }
};

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
// `tasks` is a std::vector<TaskSpec> or a FlatTasks (through the accessors below).
const TaskSpec& spec_of(const std::vector<TaskSpec>& tasks, std::uint64_t id, TaskSpec&) { return tasks[id]; }
const TaskSpec& spec_of(const FlatTasks& tasks, std::uint64_t id, TaskSpec& scratch) {
  tasks.read(id, scratch);
  return scratch;
}
std::uint32_t instance_of(const std::vector<TaskSpec>& tasks, std::uint64_t id) { return tasks[id].instance; }
std::uint32_t instance_of(const FlatTasks& tasks, std::uint64_t id) { return tasks.instance(id); }
std::span<const std::uint64_t> parents_of(const std::vector<TaskSpec>& tasks, std::uint64_t id) {
  return tasks[id].parents;
}
std::span<const std::uint64_t> parents_of(const FlatTasks& tasks, std::uint64_t id) { return tasks.parents(id); }

template <class Tasks>
TaskStreamFacts record_facts(const Tasks& tasks, const ClusterSpec& cluster) {
  FactsPass pass(cluster);
  TaskStreamFacts& f = pass.facts();
  TaskSpec scratch;
  const std::uint64_t n = tasks.size();
  for (std::uint64_t id = 0; id < n; ++id) {
    const TaskSpec& t = spec_of(tasks, id, scratch);
    pass.add(t);
    const std::span<const std::uint64_t> parents = parents_of(tasks, id);
    if (t.instance > 0) {  // the group's edges are its first instance's; the others must agree
      if (id == 0 || instance_of(tasks, id - 1) + 1 != t.instance ||
          !std::ranges::equal(parents_of(tasks, id - 1), parents))
        throw std::logic_error("task " + std::to_string(t.id) + ": instance " + std::to_string(t.instance) +
                               " does not follow its group's previous instance with the same parents");
      continue;
    }
    for (std::uint64_t p : parents) {
      if (p >= n || instance_of(tasks, p) != 0)
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

TaskTable::TaskTable(FlatTasks tasks, std::shared_ptr<const void> owner, const ClusterSpec& cluster)
    : flat_(std::make_unique<Flat>()), facts_(record_facts(tasks, cluster)) {
  flat_->tasks = tasks;
  flat_->owner = std::move(owner);
}

const TaskSpec& TaskTable::held_task(std::uint64_t id) const { return flat_ ? flat_->at(id) : chunks_->at(id); }

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

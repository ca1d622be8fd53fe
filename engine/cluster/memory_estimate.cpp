#include "engine/cluster/memory_estimate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "agents/cluster_view.hpp"
#include "engine/cluster/task_record.hpp"
#include "engine/support/memory_budget.hpp"
#include "workloads/seed_study_workload.hpp"
#include "workloads/task_table.hpp"

namespace marlsim {

namespace {
// Measured with /usr/bin/time -v on one rank, centralized least-loaded, 1,000-30,000 nodes,
// 10,000-1,000,000 tasks (benchmarks/RESULTS.md, "Task memory (issue 10 s.4)" and "Streamed
// tasks"): 1.6-2.3 KiB per node; per task, besides its spec (task_table_bytes): its record on
// its node (a vector grown by doubling: ~1.5 records) and gathered on rank 0 (1), its
// completion time twice (the percentiles' sort), and ~40 bytes of its node's power history
// and the kernel's events in flight. A node: its spec and record, its LP with queue, power
// state and the kernel's per-LP state (~1.5 KiB), and its views (views_per_node).
double bytes_per_task() { return 2.5 * sizeof(TaskRecord) + 2.0 * sizeof(double) + 40.0; }
double bytes_per_node() { return sizeof(NodeSpec) + sizeof(NodeRecord) + 1536.0; }
// A process's own footprint (binary, MPI, HDF5, allocator), measured at ~25 MiB.
constexpr double kProgramBytes = 25.0 * 1024 * 1024;

// A view entry; with reports on change the agent also keeps each sender's last report
// (engine/cluster/report_extrapolation.hpp).
double bytes_per_view(const SchedulerConfig& sc) {
  return sizeof(NodeView) + (sc.report == ReportMode::OnChange ? sizeof(std::pair<NodeId, NodeView>) : 0);
}

double views_per_node(const SchedulerConfig& sc, std::uint64_t nodes) {
  if (sc.topology != Topology::Decentralized) return 1;                  // one central view of every node
  if (sc.sharing == Sharing::Global) return static_cast<double>(nodes);  // every node knows every node
  return 1.0 + sc.neighbours + sc.sampled;
}
}  // namespace

double task_table_bytes(std::uint64_t tasks, TaskStorage storage) {
  const auto n = static_cast<double>(tasks);
  if (storage == TaskStorage::Whole) return n * sizeof(TaskSpec);
  // At most the cache's chunks, and per chunk a checkpoint of the generator (a cursor on the
  // heap, its pointer and its slot index).
  const TaskChunking c;
  const double cached = std::min(n, static_cast<double>(c.chunk_tasks * c.cache_chunks));
  const double chunks = std::ceil(n / static_cast<double>(c.chunk_tasks));
  return cached * sizeof(TaskSpec) + chunks * (sizeof(SeedStudyTaskCursor) + 2 * sizeof(void*) + 16.0);
}

double extra_rank_bytes(std::uint64_t nodes, std::uint64_t tasks, TaskStorage storage) {
  return task_table_bytes(tasks, storage) + static_cast<double>(nodes) * sizeof(NodeSpec) + kProgramBytes;
}

double estimate_episode_bytes(const SchedulerConfig& scheduler, std::uint64_t nodes, std::uint64_t tasks,
                              std::uint64_t ranks_here, TaskStorage storage) {
  const auto n = static_cast<double>(nodes);
  const double extra = ranks_here > 1 ? static_cast<double>(ranks_here - 1) * extra_rank_bytes(nodes, tasks, storage)
                                      : 0.0;
  return static_cast<double>(tasks) * bytes_per_task() + task_table_bytes(tasks, storage) + n * bytes_per_node() +
         n * views_per_node(scheduler, nodes) * bytes_per_view(scheduler) + extra;
}

std::uint64_t ranks_on_this_machine() {
  // The launcher's variables, not an MPI call: the check runs before (and without) any
  // collective, on whichever ranks build episode inputs.
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"}) {
    const char* v = std::getenv(name);
    if (v == nullptr) continue;
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    if (end != v && *end == '\0' && n >= 1) return n;
  }
  return 1;
}

void require_episode_memory(const std::string& origin, const SchedulerConfig& scheduler, std::uint64_t nodes,
                            std::uint64_t tasks, std::uint64_t episodes_at_once, TaskStorage storage) {
  const auto n = static_cast<double>(nodes);
  const std::uint64_t ranks = ranks_on_this_machine();
  const double node_bytes = n * bytes_per_node() + n * views_per_node(scheduler, nodes) * bytes_per_view(scheduler);
  const double task_bytes = static_cast<double>(tasks) * bytes_per_task() +
                            static_cast<double>(ranks) * task_table_bytes(tasks, storage);
  const bool global = scheduler.topology == Topology::Decentralized && scheduler.sharing == Sharing::Global;
  const std::string what = fmt::format(
      "{} nodes{}, {} tasks{}", nodes, global ? " that each keep a view of every node (sharing = \"global\")" : "",
      tasks,
      ranks == 1                      ? ""
      : storage == TaskStorage::Whole ? fmt::format(", {} ranks on this machine that each hold every task", ranks)
                                      : fmt::format(", {} ranks on this machine", ranks));
  const double one = estimate_episode_bytes(scheduler, nodes, tasks, ranks, storage);
  require_memory(origin + ": " + (node_bytes >= task_bytes ? "cluster.nodes" : "workload.tasks"), what, one);
  // Batched episodes hold every episode's LPs and tasks at once: one that fits may not, E times over.
  if (episodes_at_once > 1)
    require_memory(origin + ": run.batch_episodes",
                   fmt::format("{} episodes side by side, each of {}", episodes_at_once, what),
                   static_cast<double>(episodes_at_once) * one);
}

}  // namespace marlsim

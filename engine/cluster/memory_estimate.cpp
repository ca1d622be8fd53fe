#include "engine/cluster/memory_estimate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "agents/cluster_view.hpp"
#include "engine/cluster/report_board.hpp"
#include "engine/cluster/task_record.hpp"
#include "engine/support/memory_budget.hpp"
#include "workloads/flat_tasks.hpp"
#include "workloads/seed_study_workload.hpp"
#include "workloads/task_table.hpp"

namespace marlsim {

namespace {
// Measured with /usr/bin/time -f %M (peak RSS) on one rank unless said, 10,000 and 20,000 nodes,
// 100,000-10,000,000 tasks (benchmarks/RESULTS.md, "Task memory (issue 10 s.4)", "Streamed
// tasks", "Per-node agent state" and "Traces once per machine (issue 10 s.4-5)"):
// - per task, besides its spec (task_table_bytes): its record on its node (a vector grown by
//   doubling: ~1.5 records) and gathered on rank 0 (1), its completion time twice (the
//   percentiles' sort), and ~40 bytes of its node's power history and the kernel's events in
//   flight: 156 bytes (measured 132-165 in all, with the table's);
// - per node, centralized or two-level: its spec, record, LP with queue and power state, the
//   kernel's per-LP state and its entry in the central view: measured 2.5-3.0 KiB, counted 3 KiB;
// - per decentralized agent beyond that: its inbox, decision state and own view's header
//   (measured 4.1 KB a node in all with 4 neighbours and 4 sampled nodes, reports periodic),
//   plus bytes_per_view for each entry of its view;
// - a process's own footprint (binary, MPI, HDF5, allocator): kProgramBytes on every rank;
// - a further rank of an episode spread over ranks: its exchange buffers and events in flight,
//   ~27 bytes a task (10,000 nodes, 1,000,000 and 10,000,000 tasks, 2 ranks against 1).
double bytes_per_task() { return 2.5 * sizeof(TaskRecord) + 2.0 * sizeof(double) + 40.0; }
constexpr double kNodeBytes = 3072.0;
constexpr double kAgentBytes = 1024.0;
constexpr double kProgramBytes = 25.0 * 1024 * 1024;
constexpr double kExtraRankTaskBytes = 32.0;

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

// The report board's slot per node (engine/cluster/report_board.hpp), on every rank that runs
// the episode: each holds one for every node.
double board_bytes_per_node(const SchedulerConfig& sc) {
  return board_settings(sc) ? static_cast<double>(ReportBoard::kBytesPerNode) : 0.0;
}

// A node's bytes (a central view's entry is in kNodeBytes; an agent keeps its own view).
double bytes_per_node(const SchedulerConfig& sc, std::uint64_t nodes) {
  if (sc.topology != Topology::Decentralized) return kNodeBytes;
  return kNodeBytes + kAgentBytes + views_per_node(sc, nodes) * bytes_per_view(sc) + board_bytes_per_node(sc);
}

// The largest count in a Slurm tasks-per-node list: "4(x2),3" -> 4; 0 if unreadable.
std::uint64_t largest_slurm_count(const char* list) {
  std::uint64_t largest = 0;
  const char* at = list;
  while (*at != '\0') {
    char* end = nullptr;
    const unsigned long long n = std::strtoull(at, &end, 10);
    if (end == at) return 0;
    largest = std::max<std::uint64_t>(largest, n);
    at = end;
    if (*at == '(') {  // "(xK)": K machines with this count
      while (*at != '\0' && *at != ')') ++at;
      if (*at != ')') return 0;
      ++at;
    }
    if (*at == ',') ++at;
    else if (*at != '\0') return 0;
  }
  return largest;
}
}  // namespace

double task_table_bytes(std::uint64_t tasks, TaskStorage storage) {
  const auto n = static_cast<double>(tasks);
  if (storage == TaskStorage::Whole) return n * sizeof(TaskSpec);
  if (storage == TaskStorage::SharedPerMachine) return static_cast<double>(TaskTable::kFlatSlots) * sizeof(TaskSpec);
  // At most the cache's chunks, and per chunk a checkpoint of the generator (a cursor on the
  // heap, its pointer and its slot index).
  const TaskChunking c;
  const double cached = std::min(n, static_cast<double>(c.chunk_tasks * c.cache_chunks));
  const double chunks = std::ceil(n / static_cast<double>(c.chunk_tasks));
  return cached * sizeof(TaskSpec) + chunks * (sizeof(SeedStudyTaskCursor) + 2 * sizeof(void*) + 16.0);
}

double machine_table_bytes(std::uint64_t tasks, TaskStorage storage) {
  if (storage != TaskStorage::SharedPerMachine) return 0;
  return static_cast<double>(tasks) * (sizeof(FlatTask) + sizeof(std::uint64_t));
}

double extra_rank_bytes(std::uint64_t nodes, std::uint64_t tasks, TaskStorage storage) {
  return task_table_bytes(tasks, storage) + static_cast<double>(nodes) * sizeof(NodeSpec) + kProgramBytes +
         static_cast<double>(tasks) * kExtraRankTaskBytes;
}

double estimate_episode_bytes(const SchedulerConfig& scheduler, std::uint64_t nodes, std::uint64_t tasks,
                              std::uint64_t ranks_here, TaskStorage storage) {
  const auto n = static_cast<double>(nodes);
  const double extra = ranks_here > 1 ? static_cast<double>(ranks_here - 1) * (extra_rank_bytes(nodes, tasks, storage) +
                                                                               n * board_bytes_per_node(scheduler))
                                      : 0.0;
  return kProgramBytes + static_cast<double>(tasks) * bytes_per_task() + task_table_bytes(tasks, storage) +
         machine_table_bytes(tasks, storage) + n * bytes_per_node(scheduler, nodes) + extra;
}

std::uint64_t ranks_on_this_machine() {
  // The launcher's variables, not an MPI call: the check runs before (and without) any
  // collective, on whichever ranks build episode inputs. Not sbatch's SLURM_NTASKS_PER_NODE:
  // a batch script's own process sees it too, and is one rank (srun sets the step's list).
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_STEP_TASKS_PER_NODE"}) {
    const char* v = std::getenv(name);
    if (v == nullptr) continue;
    const std::uint64_t n = largest_slurm_count(v);  // a plain number is a list of one
    if (n >= 1) return n;
  }
  return 1;
}

void require_episode_memory(const std::string& origin, const SchedulerConfig& scheduler, std::uint64_t nodes,
                            std::uint64_t tasks, std::uint64_t episodes_at_once, TaskStorage storage,
                            std::uint64_t ranks_here, std::uint64_t groups_here) {
  const auto n = static_cast<double>(nodes);
  const std::uint64_t ranks = ranks_here > 0 ? ranks_here : ranks_on_this_machine();
  const std::uint64_t groups = std::clamp<std::uint64_t>(groups_here, 1, ranks);
  const double node_bytes = n * bytes_per_node(scheduler, nodes);
  const double task_bytes = static_cast<double>(tasks) * bytes_per_task() +
                            static_cast<double>(ranks) * task_table_bytes(tasks, storage) +
                            machine_table_bytes(tasks, storage);
  const bool global = scheduler.topology == Topology::Decentralized && scheduler.sharing == Sharing::Global;
  const std::string what = fmt::format(
      "{} nodes{}, {} tasks{}{}", nodes, global ? " that each keep a view of every node (sharing = \"global\")" : "",
      tasks,
      ranks == 1                      ? ""
      : storage == TaskStorage::Whole ? fmt::format(", {} ranks on this machine that each hold every task", ranks)
      : storage == TaskStorage::SharedPerMachine
          ? fmt::format(", {} ranks on this machine that share one copy of the trace", ranks)
          : fmt::format(", {} ranks on this machine", ranks),
      groups == 1 ? "" : fmt::format(" in {} rank groups that each run an episode", groups));
  // Each group holds its episode over its share of the ranks; a shared trace is the machine's, once.
  const double block = machine_table_bytes(tasks, storage);
  const double one = estimate_episode_bytes(scheduler, nodes, tasks, std::max<std::uint64_t>(1, ranks / groups),
                                            storage) -
                     block;
  const double side_by_side = static_cast<double>(groups) * one;
  require_memory(origin + ": " + (node_bytes >= task_bytes ? "cluster.nodes" : "workload.tasks"), what,
                 side_by_side + block);
  // Batched episodes hold every episode's LPs and tasks at once: one that fits may not, E times over.
  if (episodes_at_once > 1)
    require_memory(origin + ": run.batch_episodes",
                   fmt::format("{} episodes side by side, each of {}", episodes_at_once, what),
                   static_cast<double>(episodes_at_once) * side_by_side + block);
}

}  // namespace marlsim

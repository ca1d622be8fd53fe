#pragma once
// The cluster model's memory estimate, checked before the cluster and the task stream are
// built (cluster.nodes = 1e9, workload.tasks = 1e12 or global sharing at 100,000 nodes
// used to end in std::bad_alloc after minutes).
#include <cstdint>
#include <string>

#include "engine/cluster/cluster_settings.hpp"

namespace marlsim {

// How each rank holds the task stream (workloads/task_table.hpp): a trace whole, a generated
// stream replayed in chunks (a bounded cache and a checkpoint per chunk).
enum class TaskStorage { Whole, Replayed };

// Bytes one episode holds at its peak on one machine running `ranks_here` of its ranks: the
// per-node and per-task costs measured at 10,000 nodes (memory_estimate.cpp), plus, for every
// further rank, what each rank holds of its own (extra_rank_bytes): its task table, the
// cluster's specs and the program itself. Nodes, their records and events are split over the
// ranks.
double estimate_episode_bytes(const SchedulerConfig& scheduler, std::uint64_t nodes, std::uint64_t tasks,
                              std::uint64_t ranks_here = 1, TaskStorage storage = TaskStorage::Whole);

// What one rank's task table holds: the whole stream (sizeof(TaskSpec) a task), or a replayed
// one's cache and checkpoints (bounded by the cache, plus a checkpoint per 4,096 tasks).
double task_table_bytes(std::uint64_t tasks, TaskStorage storage);

// What each rank beyond the first adds on the same machine: its task table, the cluster's
// specs, the program.
double extra_rank_bytes(std::uint64_t nodes, std::uint64_t tasks, TaskStorage storage = TaskStorage::Whole);

// Ranks of this run on this machine, as the MPI launcher tells each process
// (OMPI_COMM_WORLD_LOCAL_SIZE, MPI_LOCALNRANKS); 1 when started without a launcher.
std::uint64_t ranks_on_this_machine();

// Throws InputError naming `origin` (the scenario file), the dominant key (cluster.nodes,
// workload.tasks) and the estimate if it exceeds the available memory; with episodes_at_once > 1
// (run.batch_episodes) also if that many episodes side by side exceed it. The estimate counts
// ranks_on_this_machine() ranks.
void require_episode_memory(const std::string& origin, const SchedulerConfig& scheduler, std::uint64_t nodes,
                            std::uint64_t tasks, std::uint64_t episodes_at_once = 1,
                            TaskStorage storage = TaskStorage::Whole);

}  // namespace marlsim

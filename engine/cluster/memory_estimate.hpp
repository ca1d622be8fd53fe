#pragma once
// The cluster model's memory estimate, checked before the cluster and the task stream are
// built (cluster.nodes = 1e9, workload.tasks = 1e12 or global sharing at 100,000 nodes
// used to end in std::bad_alloc after minutes).
#include <cstdint>
#include <string>

#include "engine/cluster/cluster_settings.hpp"

namespace marlsim {

// How the task stream is held (workloads/task_table.hpp): a trace whole on every rank, a
// generated stream replayed in chunks on every rank (a bounded cache and a checkpoint per
// chunk), a trace once per machine in a block its ranks share (engine/experiment/machine_trace.hpp).
enum class TaskStorage { Whole, Replayed, SharedPerMachine };

// Bytes one episode holds at its peak on one machine running `ranks_here` of its ranks: the
// per-node and per-task costs measured at 10,000 nodes (memory_estimate.cpp), what every rank
// holds of its own (the program; for every further rank extra_rank_bytes: its task table, the
// cluster's specs, its exchange buffers) and a shared trace once. Nodes, their records and
// events are split over the ranks.
double estimate_episode_bytes(const SchedulerConfig& scheduler, std::uint64_t nodes, std::uint64_t tasks,
                              std::uint64_t ranks_here = 1, TaskStorage storage = TaskStorage::Whole);

// What one rank's task table holds: the whole stream (sizeof(TaskSpec) a task), a replayed
// one's cache and checkpoints (bounded by the cache, plus a checkpoint per 4,096 tasks), or a
// shared trace's slots (its block is machine_table_bytes).
double task_table_bytes(std::uint64_t tasks, TaskStorage storage);
// What the machine holds once: a shared trace's block (56 bytes a task + 8 an offset; DAG
// parents are not counted); 0 for the other storages.
double machine_table_bytes(std::uint64_t tasks, TaskStorage storage);

// What each rank beyond the first adds on the same machine: its task table, the cluster's
// specs, the program, and what a rank holds per task of an episode spread over ranks.
double extra_rank_bytes(std::uint64_t nodes, std::uint64_t tasks, TaskStorage storage = TaskStorage::Whole);

// Ranks of this run on this machine, as the launcher tells each process: mpirun
// (OMPI_COMM_WORLD_LOCAL_SIZE, MPI_LOCALNRANKS), else srun's direct launch
// (SLURM_STEP_TASKS_PER_NODE, e.g. "4(x2),3": the largest count, since the list does not say
// which entry is this machine); 1 without a launcher (a batch script's own process included).
std::uint64_t ranks_on_this_machine();

// Throws InputError naming `origin` (the scenario file), the dominant key (cluster.nodes,
// workload.tasks) and the estimate if it exceeds the available memory; with episodes_at_once > 1
// (run.batch_episodes) also if that many episodes side by side exceed it. The estimate counts
// `ranks_here` ranks on this machine (0: ranks_on_this_machine()), in `groups_here` rank groups
// that each hold an episode at once (parallel episodes, engine/experiment/rank_groups.hpp).
void require_episode_memory(const std::string& origin, const SchedulerConfig& scheduler, std::uint64_t nodes,
                            std::uint64_t tasks, std::uint64_t episodes_at_once = 1,
                            TaskStorage storage = TaskStorage::Whole, std::uint64_t ranks_here = 0,
                            std::uint64_t groups_here = 1);

}  // namespace marlsim

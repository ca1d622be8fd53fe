#pragma once
// One episode of the cluster model: a task stream on a cluster under one scheduling
// policy, run on the PDES kernel until every task is done (or run.max_time_s), with the
// per-task, per-node and per-episode metrics gathered on rank 0.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "agents/policy_registry.hpp"
#include "engine/cluster/cluster_settings.hpp"
#include "engine/cluster/task_record.hpp"
#include "engine/kernel/run_stats.hpp"
#include "mpi/communicator.hpp"
#include "workloads/task_table.hpp"

namespace marlsim {

// Units are in the names. Identical on every rank and for every rank count.
// The per-task metrics (completion, wait, slowdown, SLA, reschedules) are over the measured
// tasks: completed tasks that arrived at or after run.warmup_s. Counts, makespan, energy and
// throughput are over the whole episode.
struct EpisodeMetrics {
  std::uint64_t tasks = 0, completed = 0, unschedulable = 0, blocked = 0, incomplete = 0;
  std::uint64_t measured_tasks = 0;  // completed tasks that arrived at or after the warm-up
  double mean_completion_s = 0, p50_completion_s = 0, p95_completion_s = 0, p99_completion_s = 0;
  double mean_wait_s = 0;  // start minus ready (arrived and parents done)
  // Mean wait of the measured tasks arriving in the second half of the arrival window minus
  // that of the first half: near 0 in a steady state, large when queues grow without bound.
  double wait_drift_s = 0;
  double mean_slowdown = 0;             // bounded slowdown: (end - ready) / max(run time, 10 s), at least 1
  double makespan_s = 0;                // last completion
  double sla_pct = 0;                   // completed by their deadline, % of measured tasks
  double energy_j = 0, energy_kwh = 0;  // all nodes, from 0 to the makespan
  double utilization_pct = 0;           // busy core-seconds over (cores x makespan)
  // The same with each node's busy core-seconds and capacity weighted by its speed (work done
  // over work the cluster could do), so that running on slow nodes does not count as more use.
  double speed_weighted_utilization_pct = 0;
  // The arrival window: from run.warmup_s to the last arrival, where arrivals keep the load
  // on (no warm-up ramp, no drain). Utilizations over it; NaN when the window is empty.
  double arrival_window_s = 0;
  double arrival_window_utilization_pct = 0;
  double arrival_window_speed_weighted_utilization_pct = 0;
  double throughput_per_s = 0;    // completed tasks per second of makespan
  std::uint64_t reschedules = 0;  // moves after a task was placed (failures, bounces), measured tasks
  std::uint64_t failures = 0;
  std::uint64_t decisions = 0;
  std::uint64_t spills = 0;             // two-level: submissions a node passed to the global scheduler
  double decision_latency_sim_s = 0;    // mean, from request to dispatch arriving
  double decision_latency_wall_us = 0;  // mean wall time inside the policy per decision
  // decide() calls and the requests per call, summed over ranks: with decide = "window-end"
  // each rank decides its own requests of a window together, so these depend on the partition.
  // With batched episodes, those of the whole kernel run (every episode in it: their decisions
  // share the batches), and so is wall_s (decisions/s: decisions x batched_episodes / wall_s).
  std::uint64_t decision_batches = 0;
  double mean_decision_batch = 0;
  double p95_decision_batch = 0;
  std::uint64_t batched_episodes = 1;  // episodes run side by side in its kernel (run.batch_episodes)
  // Coordination. Agents are the nodes (in every topology, so that modes compare per node);
  // messages are what nodes and the central scheduler send each other (load reports,
  // dispatches to another node, forwards, spills, bounces), bytes by the wire-size model of
  // engine/cluster/messages.hpp.
  double messages_per_agent = 0, bytes_per_agent = 0;
  // Staleness: per decision, the mean information age of its candidates' load (other than
  // the decider's own; engine/cluster/report_inbox.hpp), then the mean and 95th percentile
  // over the decisions; NaN when no decision had a candidate it hears reports from.
  double mean_staleness_s = 0, p95_staleness_s = 0;
  double unreported_candidates_pct = 0;  // candidates (but the decider) it hears no reports from
  std::uint64_t reports_lost = 0;        // agents.observation_loss
  std::uint64_t events = 0, remote_events = 0, windows = 0;
  double wall_s = 0;  // this episode, slowest rank
};

struct EpisodeResult {
  EpisodeMetrics metrics;                    // every rank
  std::vector<TaskRecord> tasks;             // rank 0: completed tasks, by task id
  std::vector<NodeRecord> nodes;             // rank 0: by node id
  std::vector<std::uint64_t> unschedulable;  // rank 0: ids of tasks that fit no node
  std::vector<std::uint64_t> blocked;        // rank 0: ids of tasks waiting on such a task
  std::uint64_t checksum = 0;                // digest of every LP's final state
  // Events the kernel ran for this episode, all ranks: metrics.events less the report copies
  // read from a board and the ticks run off the kernel (report_board.hpp). Not a result: it
  // depends on the partition.
  std::uint64_t kernel_events = 0;
};

struct EpisodeInput {
  const ClusterModelSettings* settings = nullptr;
  const ClusterSpec* cluster = nullptr;
  const TaskTable* tasks = nullptr;  // ids 0..n-1 in arrival order, facts on `cluster`
  std::string policy;
  std::uint64_t episode = 0;
};

// From run.warmup_s to the last arrival (empty when the warm-up outlasts the arrivals).
struct ArrivalWindow {
  SimTime begin = 0, end = 0;
};
ArrivalWindow arrival_window(const EpisodeInput& input);

// Collective. Throws InputError if the policy cannot work in the scenario's topology.
// `learner` (training, engine/training): the learner's weights for a learned policy and where
// it records its decisions; with logs, the episode also records the true global state of
// every node per decision cycle, which needs a one-rank communicator (the rank reads its own
// nodes).
EpisodeResult run_episode(const Communicator& comm, const EpisodeInput& input, const LearnerLink* learner = nullptr);

// Batched episodes: the inputs (same settings, policy and cluster; their own episode index,
// hence seeds, and tasks) run side by side in one kernel as disjoint sets of LPs, and their
// decisions share the policy's batches. Each result is bit-identical to run_episode's for
// that input (but the batch and wall-time figures, which are the shared run's). Needs
// decisions at once or in decision cycles (agents.decision_period_s > 0): window-end decisions
// without cycles depend on the window layout, which the other episodes change. At most
// Simulator::kMaxEpisodes inputs; decision logs (training) need one per input, in input order.
std::vector<EpisodeResult> run_episodes(const Communicator& comm, std::span<const EpisodeInput> inputs,
                                        const LearnerLink* learner = nullptr);

// When run.max_time_s is 0: last arrival + 3 x the whole stream's run time on the slowest
// node + 1000 repairs + 1 h (seconds), from the table's facts. Reaching it leaves tasks counted as incomplete.
double default_time_limit_s(const EpisodeInput& input);

// Refuses (InputError with the reason) a policy that cannot see what it needs in a topology.
void check_policy_fits_topology(const std::string& policy, const SchedulerConfig& scheduler);
// Refuses (InputError naming the key) a setting the policy would silently ignore or replace:
// agents.greedy with hrac or hierrl (only decentralized-ac reads it), scheduler.queue other
// than the default with hierrl (its low-level agent orders the nodes' queues instead).
void check_policy_settings(const std::string& policy, const ClusterModelSettings& settings);

}  // namespace marlsim

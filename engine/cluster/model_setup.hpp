#pragma once
// What every LP of one episode shares, read-only: the task table, the cluster, the
// scheduler settings and the LP layout. Every rank builds the same copy from the scenario
// and the seed, so messages carry task ids, not task descriptions.
#include <cstdint>
#include <string>

#include "engine/cluster/cluster_settings.hpp"
#include "engine/kernel/event.hpp"
#include "workloads/cluster_spec.hpp"
#include "workloads/task_table.hpp"

namespace marlsim {

class SchedulingPolicy;
class AdmissionPolicy;
class DecisionBatcher;
class QueueDiscipline;
class ReportBoard;

struct ModelSetup {
  const TaskTable* tasks = nullptr;
  const ClusterSpec* cluster = nullptr;
  SchedulerConfig scheduler;
  FailureConfig failures;
  std::string policy;  // the scheduling policy of this run
  // Built once per rank (engine/cluster/episode.cpp) and shared by its LPs.
  const SchedulingPolicy* deciding_policy = nullptr;  // the scheduler's, or the node agents' (decentralized)
  const AdmissionPolicy* admission = nullptr;         // two-level nodes
  const QueueDiscipline* local_queue = nullptr;       // the policy's own (hierrl's low level); null: scheduler.queue
  DecisionBatcher* batcher = nullptr;                 // scheduler.decide = "window-end"; else null
  ReportBoard* report_board = nullptr;                // load reports read, not delivered (report_board.hpp)
  std::uint64_t seed = 1;
  std::uint64_t episode = 0;
  SimTime network_latency = 1'000'000;   // ns
  SimTime decision_latency = 1'000'000;  // ns
  double observation_loss = 0;           // agents.observation_loss: share of reports an agent never sees
  // The metrics' arrival window (episode.hpp, arrival_window): nodes keep their power integrals there.
  SimTime window_begin = 0, window_end = 0;

  // LP layout: nodes 0..N-1, then the workload source, then the central scheduler.
  std::uint64_t nodes() const { return cluster->nodes.size(); }
  LpId source_lp() const { return static_cast<LpId>(nodes()); }
  LpId scheduler_lp() const { return static_cast<LpId>(nodes() + 1); }
  std::uint64_t lp_count() const { return nodes() + 2; }
  SimTime lookahead() const { return network_latency < decision_latency ? network_latency : decision_latency; }
};

// Streams of one LP's RNG (keyed with seed, episode and LP id).
enum RngPurpose : std::uint64_t {
  kRngDecisions = 1,
  kRngFailures = 2,
  kRngEntry = 3,
  kRngReports = 4,
  kRngObservationLoss = 5,  // which reports a decentralized agent loses (engine/cluster/report_inbox.hpp)
};
inline std::uint64_t rng_stream(std::uint64_t episode, RngPurpose purpose) { return (episode << 8) | purpose; }

}  // namespace marlsim

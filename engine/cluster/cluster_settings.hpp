#pragma once
// The cluster model's settings: the machines' failures and network, the scheduler's
// topology and knobs, and how an episode runs. This layer owns them; the experiment layer's
// Scenario (engine/experiment/scenario.hpp) embeds them and reads them from TOML.
// Times are seconds, power watts; each field's TOML key is in its comment.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agents/agent_settings.hpp"
#include "workloads/seed_study_cluster.hpp"

namespace marlsim {

enum class Topology { Centralized, TwoLevel, Decentralized };
// How much decentralized agents learn of other nodes' load.
enum class Sharing { None, Limited, Global };
enum class LifetimeDistribution { None, Exponential, Weibull };
// When a deciding LP's requests are decided: at once, in the handler that raised them
// (sequential semantics), or together with every request of the rank at the end of the
// kernel's window (engine/cluster/decision_batcher.hpp).
enum class DecideWhen { AtOnce, WindowEnd };
// When a decentralized node sends its load report: every report_period_s, or when its load
// changes discretely, at most once per report_period_s, its receivers extrapolating the
// running work in between (engine/cluster/report_extrapolation.hpp).
enum class ReportMode { Periodic, OnChange };

std::string_view topology_name(Topology t);
std::string_view sharing_name(Sharing s);
std::string_view decide_when_name(DecideWhen d);
std::string_view report_mode_name(ReportMode r);

struct FailureConfig {                                             // [cluster.failures]
  LifetimeDistribution distribution = LifetimeDistribution::None;  // distribution = "none" | "exponential" | "weibull"
  double mtbf_s = 0;                                               // mtbf_s: mean time between failures of one node
  double weibull_shape = 1.0;                                      // weibull_shape (scale is set so the mean is mtbf_s)
  LifetimeDistribution repair_distribution = LifetimeDistribution::Exponential;  // repair_distribution
  double mttr_s = 60;                                                            // mttr_s: mean time to repair
};

struct ClusterConfig {  // [cluster]
  // source = "seed-study": generated tiers (below); "trace": the machines of the workload's
  // trace (alibaba2017, swf).
  std::string source = "seed-study";
  SeedStudyClusterConfig generated;  // nodes = 100; [cluster.tiers.high|medium|low] ranges
  bool new_per_episode = false;      // new_per_episode: draw a new generated cluster for every episode
  double network_latency_s = 0.001;  // network_latency_s: one message between any two LPs
  // Traces list machines without power: these per-core figures (our assumption: a 2017
  // two-socket 64-core server idles near 150 W and draws about 350 W flat out) fill it in.
  double trace_idle_power_w_per_core = 2.5;     // trace_idle_power_w_per_core
  double trace_dynamic_power_w_per_core = 3.0;  // trace_dynamic_power_w_per_core
  FailureConfig failures;
};

struct SchedulerConfig {                        // [scheduler]
  Topology topology = Topology::Centralized;    // topology = "centralized" | "two-level" | "decentralized"
  std::vector<std::string> policies{"random"};  // policy = "random" or ["random", "least-loaded"]
  std::string queue = "fcfs";                   // queue: the nodes' local queue discipline
  double decision_latency_s = 0.001;            // decision_latency_s: from a decision to its dispatch message
  // batch_interval_s: a central scheduler collects submissions this long (0: one at a time)
  double batch_interval_s = 0;
  std::uint32_t candidates = 0;  // candidates: nodes a central scheduler samples per decision (0: all)
  std::string admission = "spill-when-queue-long";  // admission: two-level: the nodes' keep-or-spill policy
  std::uint32_t spill_queue_length = 2;    // spill_queue_length: two-level: spill when the local queue is this long
  DecideWhen decide = DecideWhen::AtOnce;  // decide = "at-once" | "window-end"
  Sharing sharing = Sharing::Limited;      // sharing = "none" | "limited" | "global" (decentralized)
  std::uint32_t neighbours = 4;  // neighbours: decentralized ring neighbours that are candidates and get reports
  std::uint32_t sampled = 4;     // sampled: extra random candidates per decentralized decision
  double report_period_s = 1.0;  // report_period_s: decentralized load reports; 0: on every change
  // report = "periodic" | "on-change": decentralized reports every report_period_s, or on a
  // discrete change of the node's load, at most one per report_period_s, extrapolated by receivers.
  ReportMode report = ReportMode::Periodic;
  // elide_unchanged_reports: the simulator does not materialize a periodic report that repeats
  // the last one (engine/cluster/report_elision.hpp); the model and its results are the same.
  bool elide_unchanged_reports = true;
  // report_board: load reports to neighbours on the same rank are posted once and read by the
  // receivers when they decide, not simulated as events (engine/cluster/report_board.hpp);
  // the model and its results are the same.
  bool report_board = true;
};

struct RunConfig {              // [run]
  std::uint64_t seed = 1;       // seed
  std::uint32_t episodes = 30;  // episodes
  double max_time_s = 0;        // max_time_s: stop an episode here (0: until every task is done)
  // warmup_s: tasks arriving before this run but are left out of the task metrics, and the
  // arrival-window utilization starts here (steady-state measurement; 0: count every task).
  double warmup_s = 0;
  std::string partition = "block";  // partition = "block" | "round-robin"
};

// Everything the cluster model reads from a scenario.
struct ClusterModelSettings {
  ClusterConfig cluster;
  SchedulerConfig scheduler;
  AgentSettings agents;
  RunConfig run;
};

}  // namespace marlsim

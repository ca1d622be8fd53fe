// The small decentralized scenario (24 nodes, 300 tasks, 80 % load, 1 s reports) that the
// coordination and report-mode tests both run, and the helpers they share.
#pragma once

#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "cluster_test_support.hpp"
#include "engine/cluster/episode.hpp"
#include "engine/cluster/messages.hpp"
#include "engine/experiment/comparison.hpp"
#include "engine/experiment/scenario.hpp"

namespace marlsim::test {

inline constexpr double kLatency = 0.001;  // network and decision latency of the scenario below

inline Scenario decentralized_scenario(const std::vector<std::string>& overrides = {}) {
  static const char* const toml = R"(
name = "decentralized-test"
[cluster]
nodes = 24
network_latency_s = 0.001
[workload]
tasks = 300
target_utilization = 0.8
[scheduler]
topology = "decentralized"
policy = "least-loaded"
decision_latency_s = 0.001
report_period_s = 1
[run]
seed = 3
episodes = 1
)";
  return parse_scenario(toml, "decentralized-test.toml", overrides);
}

// One episode of the scenario's generated cluster and tasks, every task completed.
inline EpisodeResult run_generated(const std::vector<std::string>& overrides) {
  const Scenario s = decentralized_scenario(overrides);
  const ClusterSpec cluster = build_cluster(s, nullptr);
  const std::vector<TaskSpec> tasks = build_tasks(s, cluster, nullptr, 0);
  EpisodeResult r = run(s, cluster, tasks);
  REQUIRE(r.metrics.completed == tasks.size());
  return r;
}

// Load reports sent, from the message and byte totals (reports weigh 96 B, tasks 112 B).
inline double reports_sent(const EpisodeMetrics& m, double agents) {
  const double messages = m.messages_per_agent * agents, bytes = m.bytes_per_agent * agents;
  return (static_cast<double>(kTaskMessageBytes) * messages - bytes) /
         static_cast<double>(kTaskMessageBytes - kReportMessageBytes);
}

// One episode of the scenario on 30 nodes (long Pareto tails at 80 % load leave most nodes idle
// for most of it) with the boolean `key` on or off: the speed options' tests run both.
inline EpisodeResult run_switched(std::vector<std::string> overrides, const std::string& key, bool on) {
  overrides.insert(overrides.begin(), {"cluster.nodes=30", "run.seed=5"});
  overrides.push_back(key + (on ? "=true" : "=false"));
  return run_generated(overrides);
}

inline bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

// Two runs of one model that differ only in how the simulator delivers reports (report
// elision, the report board): the same tasks, nodes, metrics and checksum, bit for bit.
inline void require_same_model(const EpisodeResult& a, const EpisodeResult& b) {
  REQUIRE(a.checksum == b.checksum);
  REQUIRE(a.tasks.size() == b.tasks.size());
  for (std::size_t i = 0; i < a.tasks.size(); ++i) {
    INFO("task " << a.tasks[i].task);
    REQUIRE(a.tasks[i].task == b.tasks[i].task);
    REQUIRE(a.tasks[i].node == b.tasks[i].node);
    REQUIRE(a.tasks[i].start == b.tasks[i].start);
    REQUIRE(a.tasks[i].end == b.tasks[i].end);
  }
  REQUIRE(a.nodes.size() == b.nodes.size());
  for (std::size_t i = 0; i < a.nodes.size(); ++i) {
    REQUIRE(same_bits(a.nodes[i].energy_j, b.nodes[i].energy_j));
    REQUIRE(same_bits(a.nodes[i].busy_core_s, b.nodes[i].busy_core_s));
  }
  const EpisodeMetrics &x = a.metrics, &y = b.metrics;
  REQUIRE(same_bits(x.mean_completion_s, y.mean_completion_s));
  REQUIRE(same_bits(x.messages_per_agent, y.messages_per_agent));  // counted as the protocol sends them
  REQUIRE(same_bits(x.bytes_per_agent, y.bytes_per_agent));
  REQUIRE(same_bits(x.mean_staleness_s, y.mean_staleness_s));  // skipped reports still refresh the views
  REQUIRE(same_bits(x.p95_staleness_s, y.p95_staleness_s));
  REQUIRE(x.decisions == y.decisions);
  REQUIRE(x.reports_lost == y.reports_lost);
}

}  // namespace marlsim::test

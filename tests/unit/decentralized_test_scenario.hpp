// The small decentralized scenario (24 nodes, 300 tasks, 80 % load, 1 s reports) that the
// coordination and report-mode tests both run, and the helpers they share.
#pragma once

#include <catch2/catch.hpp>

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

}  // namespace marlsim::test

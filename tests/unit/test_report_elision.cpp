// Periodic reports that repeat the last one are not sent as events, and nothing the model
// does or records changes (engine/cluster/report_elision.hpp): every episode below is run with
// scheduler.elide_unchanged_reports on and off, and must agree bit for bit in all but the
// kernel's event counts and wall times.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "cluster_test_support.hpp"
#include "decentralized_test_scenario.hpp"
#include "engine/cluster/episode.hpp"
#include "engine/cluster/report_elision.hpp"
#include "engine/experiment/comparison.hpp"
#include "engine/experiment/scenario.hpp"

using namespace marlsim;
using namespace marlsim::test;

namespace {

EpisodeResult run_with(const std::vector<std::string>& overrides, bool elide) {
  return run_switched(overrides, "scheduler.elide_unchanged_reports", elide);
}

}  // namespace

TEST_CASE("report elision: unchanged reports are not events, and every result is the same", "[cluster][elision]") {
  const auto [name, overrides] = GENERATE(table<std::string, std::vector<std::string>>({
      {"limited, least-loaded", {}},
      {"limited, 3 neighbours", {"scheduler.neighbours=3"}},
      {"limited, 0.5 s reports, decentralized-ac",
       {"scheduler.policy=decentralized-ac", "scheduler.report_period_s=0.5"}},
      {"global, least-loaded", {"scheduler.sharing=global"}},
      {"latency 3 ms, random", {"cluster.network_latency_s=0.003", "scheduler.policy=random"}},
  }));
  INFO(name);
  const EpisodeResult sent = run_with(overrides, false), elided = run_with(overrides, true);
  require_same_model(sent, elided);
  REQUIRE(elided.metrics.events < sent.metrics.events / 2);  // the idle tail's reports were most of them
}

TEST_CASE("report elision: every report is an event where elision would not be exact", "[cluster][elision]") {
  const auto [name, overrides] = GENERATE(table<std::string, std::vector<std::string>>({
      {"observation loss", {"agents.observation_loss=0.3"}},
      {"failures",
       {"cluster.failures.distribution=exponential", "cluster.failures.mtbf_s=200", "cluster.failures.mttr_s=20"}},
      {"window-end decisions", {"scheduler.decide=window-end"}},
      {"decision cycles", {"agents.decision_period_s=0.5"}},
  }));
  INFO(name);
  const EpisodeResult sent = run_with(overrides, false), elided = run_with(overrides, true);
  require_same_model(sent, elided);
  REQUIRE(elided.metrics.events == sent.metrics.events);
}

TEST_CASE("report elision: a receiver replays the repeats before the events they precede", "[cluster][elision]") {
  // Period 10, latency 1: a report of node 2 heard as of tick 5, the next ticks 15, 25, ...
  ElidedReports elided(10, 1, 0);
  NodeView v;
  v.free_cores = 3;
  v.as_of = 5;
  elided.heard(2, v);
  std::vector<std::pair<NodeId, SimTime>> applied;
  auto apply = [&](NodeId from, const NodeView& r) {
    REQUIRE(r.free_cores == 3);
    applied.emplace_back(from, r.as_of);
  };
  elided.replay_before(16, 9, apply);  // tick 15 arrives at 16: from LP 2, before LP 9's event at 16
  REQUIRE(applied == std::vector<std::pair<NodeId, SimTime>>{{2, 15}});
  elided.replay_before(26, 1, apply);  // tick 25 arrives at 26 after LP 1's event at 26
  REQUIRE(applied.size() == 1);
  elided.replay_before(47, 1, apply);  // ticks 25, 35 and 45 have arrived: the last one counts
  REQUIRE(applied.back() == std::pair<NodeId, SimTime>{2, 45});
}

TEST_CASE("report elision: a sender skips exactly the reports that repeat the last one sent", "[cluster][elision]") {
  UnchangedReports sender;
  NodeView v;
  v.as_of = 1;
  REQUIRE_FALSE(sender.repeats(v));  // the first is always sent
  v.as_of = 2;
  REQUIRE(sender.repeats(v));  // only the time differs
  v.running_work_core_s = -0.0;
  REQUIRE_FALSE(sender.repeats(v));  // bit for bit: -0 is not +0
  v.queue_length = 1;
  REQUIRE_FALSE(sender.repeats(v));
  REQUIRE(sender.repeats(v));
}

TEST_CASE("report elision: a sender's skipped ticks keep the tie-break of events at equal times",
          "[cluster][elision]") {
  TickGrid ticks(5, 10);  // ticks at 5, 15, 25, ... from LP 3
  REQUIRE(ticks.next() == 5);
  REQUIRE(ticks.due_before(5, 2, 3) == 0);  // an event at 5 from LP 2 precedes the tick at 5
  REQUIRE(ticks.due_before(5, 3, 3) == 0);  // and one the node sent itself (its tick is scheduled before it)
  REQUIRE(ticks.due_before(5, 4, 3) == 1);  // one from LP 4 follows it
  REQUIRE(ticks.due_before(4, 9, 3) == 0);
  REQUIRE(ticks.due_before(36, 0, 3) == 4);  // 5, 15, 25, 35
  ticks.done(2);
  REQUIRE(ticks.next() == 25);
  REQUIRE(ticks.due_before(36, 0, 3) == 2);
  REQUIRE(ticks.due_until(25) == 0);  // an episode stopping at 25 runs no event at 25
  REQUIRE(ticks.due_until(26) == 1);
}

TEST_CASE("report elision: idle nodes' ticks are not events, and their reports are still counted",
          "[cluster][elision]") {
  // 30 nodes, 5 tasks: nearly every node-second is idle. Without lazy ticks each node's tick
  // alone would be an event per second; with them, the events follow the busy nodes.
  const EpisodeResult elided = run_with({"workload.tasks=5"}, true), sent = run_with({"workload.tasks=5"}, false);
  require_same_model(sent, elided);
  const double node_seconds = 30 * elided.metrics.makespan_s;
  INFO("events " << elided.metrics.events << " vs " << sent.metrics.events << ", node-seconds " << node_seconds);
  REQUIRE(static_cast<double>(elided.metrics.events) < node_seconds);  // ticks alone were more
  REQUIRE(static_cast<double>(sent.metrics.events) > node_seconds);
}

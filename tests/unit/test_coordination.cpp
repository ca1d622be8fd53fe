// Coordination modes and what they cost and see: messages and bytes per agent (the wire-size
// model of engine/cluster/messages.hpp), the staleness of the candidates' load a decision saw
// (engine/cluster/report_inbox.hpp), and partial observability (agents.observation_loss).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "cluster_test_support.hpp"
#include "decentralized_test_scenario.hpp"
#include "engine/cluster/episode.hpp"
#include "engine/cluster/messages.hpp"
#include "engine/experiment/comparison.hpp"
#include "engine/experiment/scenario.hpp"
#include "engine/support/input_error.hpp"

using namespace marlsim;
using namespace marlsim::test;
using Catch::Matchers::Contains;

namespace {}  // namespace

TEST_CASE("coordination: a centralized task's messages and staleness, by hand", "[cluster][coordination]") {
  // The source submits to the scheduler (the workload, not counted); the scheduler decides at
  // 1 ms and dispatches (one 112 B task message); the node reports its start and its end (two
  // 96 B reports). Neither node had reported at 1 ms, so both are known idle up to one network
  // latency ago: 1 ms old.
  const ClusterSpec c = make_cluster({make_node(8, 32), make_node(8, 32)});
  const std::vector<TaskSpec> tasks{make_task(0, 0, 1, 10)};
  const Scenario s = decentralized_scenario({"scheduler.topology=centralized", "scheduler.policy=random"});
  const EpisodeResult r = run(s, c, tasks);
  REQUIRE(r.metrics.completed == 1);
  CHECK(r.metrics.messages_per_agent == 1.5);
  CHECK(r.metrics.bytes_per_agent == (112.0 + 2 * 96.0) / 2);
  CHECK(r.metrics.mean_staleness_s == Approx(kLatency));
  CHECK(r.metrics.p95_staleness_s == Approx(kLatency));
  CHECK(r.metrics.unreported_candidates_pct == 0);
  CHECK(r.metrics.reports_lost == 0);
}

TEST_CASE("coordination: limited sharing sends each neighbour one report per period", "[cluster][coordination]") {
  // Four nodes, two ring neighbours each, a 1 s report period, and one 0.1 s task: the run
  // stops at the 1 s stop grid, so every node ticked once (at a random phase in [0, 1 s)) and
  // sent 2 reports, 8 in all; the task itself cost one dispatch if it was sent on.
  const ClusterSpec c = make_cluster({make_node(8, 32), make_node(8, 32), make_node(8, 32), make_node(8, 32)});
  const std::vector<TaskSpec> tasks{make_task(0, 0, 1, 0.1)};
  for (const std::string neighbours : {"2", "3"}) {
    INFO("neighbours " << neighbours);
    const EpisodeResult r = run(decentralized_scenario({"scheduler.neighbours=" + neighbours, "scheduler.sampled=0",
                                                        "scheduler.policy=random"}),
                                c, tasks);
    REQUIRE(r.metrics.completed == 1);
    const double reports = reports_sent(r.metrics, 4);
    const double task_messages = r.metrics.messages_per_agent * 4 - reports;
    CHECK(reports == 4 * std::stod(neighbours));
    CHECK((task_messages == 0 || task_messages == 1));
  }
}

TEST_CASE(
    "coordination: the modes' staleness: none sees no reports, limited ages with the period, centralized "
    "and change-driven reports are one latency old",
    "[cluster][coordination]") {
  const EpisodeResult none = run_generated({"scheduler.sharing=none", "scheduler.policy=random"});
  CHECK(std::isnan(none.metrics.mean_staleness_s));
  CHECK(std::isnan(none.metrics.p95_staleness_s));
  CHECK(none.metrics.unreported_candidates_pct == 100);

  const EpisodeResult limited = run_generated({"scheduler.sharing=limited"});
  CHECK(limited.metrics.mean_staleness_s > 0.1);
  CHECK(limited.metrics.p95_staleness_s <= 1 + 2 * kLatency);
  CHECK(limited.metrics.unreported_candidates_pct > 0);  // the sampled candidates
  CHECK(limited.metrics.unreported_candidates_pct < 100);
  CHECK(limited.metrics.messages_per_agent > none.metrics.messages_per_agent);

  const EpisodeResult slow = run_generated({"scheduler.sharing=limited", "scheduler.report_period_s=4"});
  CHECK(slow.metrics.mean_staleness_s > limited.metrics.mean_staleness_s);
  CHECK(slow.metrics.p95_staleness_s <= 4 + 2 * kLatency);
  CHECK(slow.metrics.messages_per_agent < limited.metrics.messages_per_agent);

  const EpisodeResult global = run_generated({"scheduler.sharing=global"});
  CHECK(global.metrics.unreported_candidates_pct == 0);
  CHECK(global.metrics.p95_staleness_s <= 1 + 2 * kLatency);
  CHECK(global.metrics.messages_per_agent > limited.metrics.messages_per_agent);

  const EpisodeResult on_change = run_generated({"scheduler.sharing=limited", "scheduler.report_period_s=0"});
  CHECK(on_change.metrics.mean_staleness_s > 0);
  CHECK(on_change.metrics.p95_staleness_s <= kLatency);

  const EpisodeResult central = run_generated({"scheduler.topology=centralized", "scheduler.candidates=8"});
  CHECK(central.metrics.unreported_candidates_pct == 0);
  CHECK(central.metrics.mean_staleness_s > 0);
  CHECK(central.metrics.p95_staleness_s <= kLatency);
  CHECK(central.metrics.messages_per_agent > 0);
}

// Before, an agent reported to its own neighbours: with an odd count (id+1, id-1, id+2) node
// id+2 never reported back, and the agent's view of it stayed as of time 0 for good.
TEST_CASE("coordination: every ring neighbour reports to the agent, for odd neighbour counts too",
          "[cluster][coordination]") {
  // (With one neighbour, some large tasks fit neither the agent nor its neighbour, and the
  // nearest node that can is added unreported.)
  for (const std::string k : {"2", "3", "4", "5"}) {
    INFO("neighbours " << k);
    const EpisodeResult r = run_generated({"scheduler.neighbours=" + k, "scheduler.sampled=0"});
    CHECK(r.metrics.unreported_candidates_pct == 0);
    CHECK(r.metrics.p95_staleness_s <= 1 + 2 * kLatency);
  }
}

TEST_CASE("coordination: the learned policy runs in every mode, local only too", "[cluster][coordination]") {
  for (const std::string sharing : {"none", "limited", "global"}) {
    INFO("sharing " << sharing);
    const EpisodeResult r = run_generated(
        {"scheduler.sharing=" + sharing, "scheduler.policy=decentralized-ac", "agents.hidden_widths=[16]"});
    CHECK(r.metrics.decisions >= r.metrics.tasks);
    if (sharing == "none") CHECK(r.metrics.unreported_candidates_pct == 100);
    else CHECK(r.metrics.unreported_candidates_pct < 100);
  }
  const EpisodeResult central = run_generated({"scheduler.topology=centralized", "scheduler.candidates=8",
                                               "scheduler.policy=decentralized-ac", "agents.hidden_widths=[16]"});
  CHECK(central.metrics.p95_staleness_s <= kLatency);
}

TEST_CASE("coordination: observation loss drops that share of reports and makes what agents see staler",
          "[cluster][coordination]") {
  const EpisodeResult plain = run_generated({});
  const EpisodeResult zero = run_generated({"agents.observation_loss=0"});
  CHECK(zero.checksum == plain.checksum);
  CHECK(zero.metrics.mean_completion_s == plain.metrics.mean_completion_s);
  CHECK(zero.metrics.mean_staleness_s == plain.metrics.mean_staleness_s);
  CHECK(zero.metrics.reports_lost == 0);

  double previous = plain.metrics.mean_staleness_s;
  for (const double loss : {0.2, 0.5, 0.8}) {
    INFO("loss " << loss);
    const EpisodeResult r = run_generated({"agents.observation_loss=" + std::to_string(loss)});
    const double reports = reports_sent(r.metrics, 24);
    REQUIRE(reports > 5000);
    CHECK(static_cast<double>(r.metrics.reports_lost) / reports == Approx(loss).margin(0.03));
    CHECK(r.metrics.mean_staleness_s > previous);
    previous = r.metrics.mean_staleness_s;
  }

  // Change-driven reports: a lost one leaves the view describing the node only up to the
  // change it missed, no longer one latency ago. With failures, an agent that missed a
  // node's repair tries it again after a mean repair time, so nothing is stranded.
  const EpisodeResult on_change = run_generated({"scheduler.report_period_s=0", "agents.observation_loss=0.5",
                                                 "cluster.failures.distribution=exponential",
                                                 "cluster.failures.mtbf_s=60", "cluster.failures.mttr_s=10"});
  CHECK(on_change.metrics.reports_lost > 0);
  CHECK(on_change.metrics.failures > 0);
  CHECK(on_change.metrics.p95_staleness_s > kLatency);
}

TEST_CASE("coordination: observation loss outside [0, 1] or outside the decentralized topology is refused",
          "[cluster][coordination]") {
  CHECK_THROWS_WITH(decentralized_scenario({"agents.observation_loss=1.5"}),
                    Contains("agents.observation_loss") && Contains("[0, 1]"));
  for (const std::string topology : {"centralized", "two-level"})
    CHECK_THROWS_WITH(decentralized_scenario({"agents.observation_loss=0.5", "scheduler.topology=" + topology}),
                      Contains("agents.observation_loss") && Contains(topology));
  CHECK_NOTHROW(decentralized_scenario({"agents.observation_loss=0", "scheduler.topology=centralized"}));
}

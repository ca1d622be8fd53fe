// Reports on change (scheduler.report = "on-change", engine/cluster/report_extrapolation.hpp):
// what a receiver extrapolates, how stale it then is (engine/cluster/report_inbox.hpp), the rate
// limit on what a node sends, and that the default (periodic) stays what it was.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "cluster_test_support.hpp"
#include "decentralized_test_scenario.hpp"
#include "engine/cluster/episode.hpp"
#include "engine/cluster/memory_estimate.hpp"
#include "engine/cluster/messages.hpp"
#include "engine/cluster/report_extrapolation.hpp"
#include "engine/cluster/report_inbox.hpp"
#include "engine/experiment/comparison.hpp"
#include "engine/experiment/scenario.hpp"

using namespace marlsim;
using namespace marlsim::test;
using Catch::Matchers::Contains;

namespace {

// A node's running work as its own report states it (NodeLp::own_view): per task, the seconds it
// has left x its cores x the node's speed.
struct RunningTask {
  double cores, end_s;
};
double running_work(const std::vector<RunningTask>& running, double speed, double now_s) {
  double w = 0;
  for (const RunningTask& r : running) w += (r.end_s - now_s) * r.cores * speed;
  return w;
}

// The staleness one decision over candidate 1 records, its view entry as of `as_of_s`.
double staleness_of(const ReportInbox& inbox, double as_of_s, double now_s) {
  const ClusterSpec c = make_cluster({make_node(8, 32), make_node(8, 32)});
  ClusterView view(c);
  NodeView v;
  v.as_of = from_seconds(as_of_s);
  view.set_state(1, v);
  DecisionRequest r;
  r.candidates = {0, 1};
  r.view = &view;
  r.ctx.now = from_seconds(now_s);
  DecisionStats stats;
  std::vector<double> ages;
  inbox.saw(r, 0, stats, ages);
  REQUIRE(ages.size() == 1);
  return ages[0];
}

}  // namespace

TEST_CASE("reports on change: the extrapolated running work is the node's own until its next change",
          "[cluster][reports]") {
  // 8 cores at speed 1.5, two tasks running (2 cores to 30 s, 3 cores to 50 s), reported at 10 s.
  const NodeSpec spec = make_node(8, 32, 1.5);
  const std::vector<RunningTask> running{{2, 30}, {3, 50}};
  NodeView report;
  report.free_cores = 8 - 5;
  report.running = 2;
  report.running_work_core_s = running_work(running, 1.5, 10);
  report.as_of = from_seconds(10);
  for (const double t : {10.0, 12.5, 25.0, 29.999}) {
    INFO("at " << t << " s");
    const NodeView v = extrapolated(spec, report, from_seconds(t));
    CHECK(v.running_work_core_s == Approx(running_work(running, 1.5, t)).epsilon(1e-12));
    CHECK(v.as_of == report.as_of);  // its age stays the report's
    CHECK(v.free_cores == report.free_cores);
  }
  // Never backwards (a report that arrived after a request was raised), never below zero.
  CHECK(extrapolated(spec, report, from_seconds(5)).running_work_core_s == report.running_work_core_s);
  CHECK(extrapolated(spec, report, from_seconds(1000)).running_work_core_s == 0);
  // An idle node drains nothing.
  NodeView idle;
  idle.free_cores = 8;
  idle.as_of = 0;
  CHECK(extrapolated(spec, idle, from_seconds(100)).running_work_core_s == 0);
}

TEST_CASE("reports on change: a receiver keeps each sender's last report, sparse or dense", "[cluster][reports]") {
  for (const std::size_t dense : {0, 10}) {
    INFO("dense slots " << dense);
    ReportedLoads loads(dense);
    CHECK(loads.last(7) == nullptr);
    NodeView a, b;
    a.as_of = 5;
    a.running_work_core_s = 1;
    b.as_of = 9;
    b.running_work_core_s = 2;
    loads.heard(7, a);
    loads.heard(3, a);
    loads.heard(7, b);
    REQUIRE(loads.last(7) != nullptr);
    CHECK(loads.last(7)->as_of == 9);
    CHECK(loads.last(3)->running_work_core_s == 1);
    CHECK(loads.last(4) == nullptr);
  }
}

TEST_CASE("reports on change: information age under the rate limit", "[cluster][reports]") {
  ModelSetup setup;
  setup.network_latency = from_seconds(kLatency);
  const ReportTiming limited{true, from_seconds(1)};
  ReportInbox inbox(setup, 0, 0.0, limited);
  inbox.hear_from(1);
  // Within the period after a report, a change may be held back: described only up to the report.
  CHECK(staleness_of(inbox, 10, 10.5) == Approx(0.5));
  CHECK(staleness_of(inbox, 10, 11.0) == Approx(1.0));
  // Past it, a change would have been sent at once and have arrived: one latency old.
  CHECK(staleness_of(inbox, 10, 11.5) == Approx(kLatency));
  CHECK(staleness_of(inbox, 10, 40) == Approx(kLatency));
  // Never reported: its first change would have gone out at once.
  CHECK(staleness_of(inbox, -1e-9, 0.5) == Approx(kLatency));

  // Without a limit, as with report_period_s = 0.
  ReportInbox unlimited(setup, 0, 0.0, ReportTiming{true, 0});
  unlimited.hear_from(1);
  CHECK(staleness_of(unlimited, 10, 10.5) == Approx(kLatency));
  // Periodic: the report's own age.
  ReportInbox periodic(setup, 0, 0.0, ReportTiming{});
  periodic.hear_from(1);
  CHECK(staleness_of(periodic, 10, 40) == Approx(30));

  // A lost report (loss 1: every report is lost): sent at a change (after the period) it bounds
  // the age at its own time; the held-back one (exactly one period after) only at the last seen.
  DecisionStats stats;
  ReportInbox lossy(setup, 0, 1.0, limited);
  lossy.hear_from(1);
  NodeView lost;
  lost.as_of = from_seconds(13);
  CHECK_FALSE(lossy.receive(1, lost, stats));
  CHECK(staleness_of(lossy, 10, 20) == Approx(7));
  ReportInbox held(setup, 0, 1.0, limited);
  held.hear_from(1);
  lost.as_of = from_seconds(11);
  CHECK_FALSE(held.receive(1, lost, stats));
  CHECK(staleness_of(held, 10, 20) == Approx(10));
}

TEST_CASE("reports on change: fewer reports, at most one per period, fresher views, and periodic stays the default",
          "[cluster][reports]") {
  const EpisodeResult plain = run_generated({});
  const EpisodeResult periodic = run_generated({"scheduler.report=periodic"});
  CHECK(periodic.checksum == plain.checksum);
  CHECK(periodic.metrics.mean_completion_s == plain.metrics.mean_completion_s);
  CHECK(periodic.metrics.messages_per_agent == plain.metrics.messages_per_agent);
  CHECK(periodic.metrics.events == plain.metrics.events);

  for (const std::string policy : {"least-loaded", "best-fit", "decentralized-ac"}) {
    INFO(policy);
    const std::vector<std::string> base{"scheduler.policy=" + policy, "agents.hidden_widths=[16]"};
    std::vector<std::string> with = base;
    with.push_back("scheduler.report=on-change");
    const EpisodeResult p = run_generated(base);
    const EpisodeResult c = run_generated(with);
    // Each of 24 nodes reports to its 4 neighbours at most once per second of the episode, plus
    // the report it may hold back at the end.
    const double reports = reports_sent(c.metrics, 24);
    CHECK(reports > 0);
    CHECK(reports <= 24 * 4 * (std::floor(c.metrics.makespan_s) + 2));
    CHECK(reports < reports_sent(p.metrics, 24));
    CHECK(c.metrics.events < p.metrics.events);
    // Staleness stays an information age: within one period plus a latency, and mostly fresher
    // than a periodic report's (which ages through its whole period).
    CHECK(c.metrics.p95_staleness_s <= 1 + 2 * kLatency);
    CHECK(c.metrics.mean_staleness_s > 0);
    CHECK(c.metrics.mean_staleness_s < p.metrics.mean_staleness_s);
    CHECK(c.metrics.unreported_candidates_pct == p.metrics.unreported_candidates_pct);
  }

  // No limit: every change, one latency old.
  const EpisodeResult every = run_generated({"scheduler.report=on-change", "scheduler.report_period_s=0"});
  CHECK(every.metrics.p95_staleness_s <= kLatency);
}

TEST_CASE("reports on change: with failures and lost reports nothing is stranded", "[cluster][reports]") {
  for (const std::string sharing : {"limited", "global"}) {
    INFO(sharing);
    const EpisodeResult r = run_generated({"scheduler.report=on-change", "scheduler.sharing=" + sharing,
                                           "agents.observation_loss=0.5", "cluster.failures.distribution=exponential",
                                           "cluster.failures.mtbf_s=60", "cluster.failures.mttr_s=10"});
    CHECK(r.metrics.failures > 0);
    CHECK(r.metrics.reports_lost > 0);
  }
}

TEST_CASE("reports on change: refused outside the decentralized topology, and a bad value named",
          "[cluster][reports]") {
  for (const std::string topology : {"centralized", "two-level"})
    CHECK_THROWS_WITH(decentralized_scenario({"scheduler.report=on-change", "scheduler.topology=" + topology}),
                      Contains("scheduler.report") && Contains(topology));
  CHECK_THROWS_WITH(decentralized_scenario({"scheduler.report=sometimes"}),
                    Contains("scheduler.report") && Contains("periodic") && Contains("on-change"));
  CHECK_NOTHROW(decentralized_scenario({"scheduler.report=periodic", "scheduler.topology=centralized"}));
}

TEST_CASE("reports on change: the memory estimate counts the reports an agent keeps", "[cluster][reports]") {
  SchedulerConfig sc;
  sc.topology = Topology::Decentralized;
  sc.sharing = Sharing::Global;  // every agent hears from every node
  const double periodic = estimate_episode_bytes(sc, 1000, 0);
  sc.report = ReportMode::OnChange;
  CHECK(estimate_episode_bytes(sc, 1000, 0) - periodic ==
        Approx(1000.0 * 1000.0 * sizeof(std::pair<NodeId, NodeView>)));
}

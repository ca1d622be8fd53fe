// Load reports to neighbours on the same rank are read from a board instead of delivered
// as events, and nothing the model does or records changes (engine/cluster/report_board.hpp):
// every episode below runs with scheduler.report_board on and off and must agree bit for bit,
// `events` included (copies read from the board count as the events they stand for), while the
// kernel runs fewer events where the board applies. The board itself is checked against keeping
// every report and searching them all.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "decentralized_test_scenario.hpp"
#include "engine/cluster/report_board.hpp"

using namespace marlsim;
using namespace marlsim::test;

namespace {

EpisodeResult run_with(const std::vector<std::string>& overrides, bool board) {
  return run_switched(overrides, "scheduler.report_board", board);
}

ModelSetup limited_sharing_setup() {
  ModelSetup s;
  s.scheduler.topology = Topology::Decentralized;
  s.scheduler.sharing = Sharing::Limited;
  return s;
}

const std::string kOnChange = "scheduler.report=on-change";

}  // namespace

TEST_CASE("report board: reports read from the board give the same results as their events", "[cluster][board]") {
  const auto [name, overrides] = GENERATE(table<std::string, std::vector<std::string>>({
      {"on change, least-loaded", {kOnChange}},
      {"on change, no rate limit", {kOnChange, "scheduler.report_period_s=0"}},
      {"on change, 3 neighbours, none sampled", {kOnChange, "scheduler.neighbours=3", "scheduler.sampled=0"}},
      {"on change, 1 neighbour", {kOnChange, "scheduler.neighbours=1"}},
      {"on change, decentralized-ac", {kOnChange, "scheduler.policy=decentralized-ac"}},
      {"on change, latency 3 ms, random", {kOnChange, "cluster.network_latency_s=0.003", "scheduler.policy=random"}},
      // Periodic: the repeats of the last posted report (not posted) are found by the reader.
      {"periodic, least-loaded", {}},
      {"periodic 0.5 s, 3 neighbours, decentralized-ac",
       {"scheduler.report_period_s=0.5", "scheduler.neighbours=3", "scheduler.policy=decentralized-ac"}},
      {"periodic, every report an event", {"scheduler.elide_unchanged_reports=false"}},
      {"every change reported (report_period_s = 0)", {"scheduler.report_period_s=0"}},
      {"periodic, latency 3 ms, random", {"cluster.network_latency_s=0.003", "scheduler.policy=random"}},
      // Where the board does not apply (reports_on_board), both runs send every report.
      {"observation loss", {kOnChange, "agents.observation_loss=0.3"}},
      {"failures",
       {kOnChange, "cluster.failures.distribution=exponential", "cluster.failures.mtbf_s=200",
        "cluster.failures.mttr_s=20"}},
      {"decision cycles", {kOnChange, "agents.decision_period_s=0.5"}},
      {"global sharing", {"scheduler.sharing=global"}},
  }));
  INFO(name);
  const EpisodeResult events = run_with(overrides, false), board = run_with(overrides, true);
  require_same_model(events, board);
  REQUIRE(board.metrics.events == events.metrics.events);
  REQUIRE(events.kernel_events == events.metrics.events);
  const bool applies = name.rfind("on change", 0) == 0 || name.rfind("periodic", 0) == 0 || name.rfind("every", 0) == 0;
  if (applies) REQUIRE(board.kernel_events < events.kernel_events);
  else REQUIRE(board.kernel_events == events.kernel_events);
}

TEST_CASE("report board: the same results when every time is a whole second", "[cluster][board]") {
  // Speed-1 nodes, tasks arriving and running whole seconds, 1 s latencies: reports on change
  // arrive at the very times of decisions, and only the events' orders tell which came first;
  // cut short, reports are still in flight at the stop.
  const auto [name, overrides] = GENERATE(table<std::string, std::vector<std::string>>({
      {"on change", {kOnChange}},
      {"on change, cut at 40 s", {kOnChange, "run.max_time_s=40"}},
      {"periodic, cut at 40.5 s", {"run.max_time_s=40.5"}},
  }));
  INFO(name);
  std::vector<NodeSpec> nodes;
  for (int i = 0; i < 16; ++i) nodes.push_back(make_node(4 + i % 5, 64));
  const ClusterSpec cluster = make_cluster(nodes);
  std::vector<TaskSpec> tasks;
  std::mt19937_64 rng(11);
  for (std::uint64_t t = 0; t < 400; ++t)
    tasks.push_back(make_task(t, static_cast<double>(t / 6), 1 + static_cast<double>(rng() % 4),
                              1 + static_cast<double>(rng() % 30)));
  const std::vector<std::string> base = overrides;  // (a structured binding cannot be captured)
  auto run_board = [&](bool board) {
    std::vector<std::string> o = base;
    o.insert(o.end(), {"cluster.network_latency_s=1", "scheduler.decision_latency_s=1",
                       std::string("scheduler.report_board=") + (board ? "true" : "false")});
    return run(decentralized_scenario(o), cluster, tasks);
  };
  const EpisodeResult events = run_board(false), board = run_board(true);
  require_same_model(events, board);
  REQUIRE(board.metrics.events == events.metrics.events);
  REQUIRE(board.kernel_events < events.kernel_events);
  REQUIRE(events.metrics.completed > 30);
}

TEST_CASE("report board: used only where filing the latest report is exact", "[cluster][board]") {
  ModelSetup s = limited_sharing_setup();
  REQUIRE(reports_on_board(s, false));
  REQUIRE_FALSE(reports_on_board(s, true));  // decisions at window ends or cycle boundaries
  s.observation_loss = 0.1;
  REQUIRE_FALSE(reports_on_board(s, false));
  s = limited_sharing_setup();
  s.failures.distribution = LifetimeDistribution::Exponential;
  REQUIRE_FALSE(reports_on_board(s, false));
  s = limited_sharing_setup();
  s.scheduler.sharing = Sharing::Global;
  REQUIRE_FALSE(reports_on_board(s, false));
  s = limited_sharing_setup();
  s.scheduler.report = ReportMode::OnChange;
  REQUIRE(reports_on_board(s, false));
  s.scheduler.sharing = Sharing::None;  // no reports at all
  REQUIRE_FALSE(reports_on_board(s, false));
  s = limited_sharing_setup();
  s.scheduler.report_board = false;
  REQUIRE_FALSE(reports_on_board(s, false));
}

TEST_CASE("report board: the latest report before an event, as if every report were kept", "[cluster][board]") {
  // Events in the kernel's order on small integer times, so that reports arrive at the very
  // time of the events that read them and only the orders tell which comes first. Each event
  // either posts a report of its LP (copies to up to 4 receivers) or reads one copy of another
  // LP's reports; the reference keeps every report and takes the last one before the event.
  constexpr SimTime kReportLatency = 3;
  constexpr NodeId kNodes = 6;
  for (std::uint32_t seed = 1; seed <= 200; ++seed) {
    std::mt19937_64 rng(seed);
    ReportBoard board(kNodes);
    std::vector<std::vector<PostedReport>> every(kNodes);
    std::vector<std::uint64_t> seq(kNodes, 0);
    SimTime now = 0;
    std::uint64_t reads = 0, found = 0;
    for (int step = 0; step < 400; ++step) {
      now += static_cast<SimTime>(rng() % 3);  // often the same time
      const auto lp = static_cast<NodeId>(rng() % kNodes);
      // The event's order, drawn freely: the board keeps every report that may precede an
      // event at `now` or later, whatever its order.
      const std::uint64_t order = make_order(static_cast<LpId>(rng() % (kNodes + 2)), rng() % 64);
      if (rng() % 2 == 0) {
        PostedReport r;
        r.arrival = now + kReportLatency;
        r.copies = 1 + static_cast<std::uint32_t>(rng() % 4);
        seq[lp] += rng() % 3;  // other sends in between
        r.first_order = make_order(lp, seq[lp]);
        seq[lp] += r.copies;
        r.view.free_cores = static_cast<double>(step);
        r.view.as_of = now;
        board.post(lp, now, r);
        every[lp].push_back(r);
      } else {
        const auto from = static_cast<NodeId>(rng() % kNodes);
        const auto copy = static_cast<std::uint32_t>(rng() % 4);
        const PostedReport* want = nullptr;
        for (const PostedReport& r : every[from])
          if (key_before({r.arrival, r.first_order + copy, 0, 0}, {now, order, 0, 0})) want = &r;
        const ReportBoard::Found got = board.latest_before(from, copy, now, order);
        INFO("seed " << seed << ", step " << step);
        REQUIRE((got.report == nullptr) == (want == nullptr));
        ++reads;
        if (want == nullptr) continue;
        ++found;
        REQUIRE(got.report->view.free_cores == want->view.free_cores);  // the same report
        REQUIRE(got.order == want->first_order + copy);
      }
    }
    REQUIRE(found > 0);
    REQUIRE(found < reads);  // some reads came before any report had arrived, or at its arrival
    // The copies whose events would have run before a stop at or after the last event.
    const SimTime stop = now + static_cast<SimTime>(rng() % (kReportLatency + 2));
    std::uint64_t before_stop = 0;
    for (const auto& reports : every)
      for (const PostedReport& r : reports) before_stop += r.arrival < stop ? r.copies : 0;
    REQUIRE(board.copies_arrived_before(stop) == before_stop);
  }
}

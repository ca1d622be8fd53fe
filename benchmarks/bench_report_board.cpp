// The report board (engine/cluster/report_board.hpp) at scale: what a decentralized agent pays
// per decision to read its 4 ring neighbours' latest reports, and a sender per report to post
// one, at 1,000 / 10,000 / 100,000 nodes, where the slots outgrow the caches as the agents do.
// The pattern of the seed study on change: between two decisions, a few reports are posted by
// random nodes; a decision at a random node reads its neighbours id+1, id-1, id+2, id-2.
// Times advance by 0.1 ms per step, reports arrive 1 ms after they are posted.
//
// Time per iteration: one decision's read of 4 slots and the 2 posts before it. Counter:
// found, the share of reads that found a report that had arrived.
//
//   build/bin/bench_report_board [--benchmark_repetitions=3 --benchmark_report_aggregates_only=true]
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>

#include "engine/cluster/report_board.hpp"

namespace {

using namespace marlsim;

constexpr SimTime kLatency = 1'000'000;  // ns
constexpr SimTime kStep = 100'000;       // ns between steps
constexpr int kPostsPerDecision = 2;     // on change, ~1.5-2.5 reports per decision

void BM_report_board(benchmark::State& state) {
  const auto nodes = static_cast<NodeId>(state.range(0));
  ReportBoard board(nodes);
  std::mt19937_64 rng(7);
  SimTime now = 0;
  std::uint64_t seq = 0;
  auto post = [&] {
    const auto from = static_cast<NodeId>(rng() % nodes);
    PostedReport r;
    r.arrival = now + kLatency;
    r.first_order = make_order(from, seq);
    r.copies = 4;
    seq += 4;
    r.view.free_cores = static_cast<double>(seq);
    r.view.as_of = now;
    board.post(from, now, r);
  };
  for (NodeId n = 0; n < nodes; ++n) post();  // every slot written once: the steady state's size
  std::uint64_t found = 0;
  for (auto _ : state) {
    now += kStep;
    for (int i = 0; i < kPostsPerDecision; ++i) post();
    const auto reader = static_cast<NodeId>(rng() % nodes);
    const std::uint64_t order = make_order(nodes, seq);  // from the source LP, after every node
    for (const std::int64_t step : {1, -1, 2, -2}) {
      const auto from = static_cast<NodeId>((reader + static_cast<std::int64_t>(nodes) + step) % nodes);
      const ReportBoard::Found r = board.latest_before(from, 1, now, order);
      found += r.report != nullptr ? 1 : 0;
      benchmark::DoNotOptimize(r.report);
    }
  }
  state.counters["found"] = static_cast<double>(found) / (4.0 * static_cast<double>(state.iterations()));
}

BENCHMARK(BM_report_board)->ArgName("nodes")->Arg(1'000)->Arg(10'000)->Arg(100'000);

}  // namespace

BENCHMARK_MAIN();

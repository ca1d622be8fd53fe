#include <catch2/catch.hpp>

#include <csignal>
#include <vector>

#include "engine/kernel/simulator.hpp"
#include "engine/phold/phold.hpp"
#include "engine/support/stop_signal.hpp"

using namespace marlsim;

namespace {

// An LP that records the times of what it handles and forwards a token around a ring.
struct RingLp final : LogicalProcess {
  RingLp(LpId id_, LpId n_, SimTime delay_) : id(id_), n(n_), delay(delay_) {}
  void init(LpContext& ctx) override {
    if (id == 0) ctx.send(ctx.self(), 0, 1);
  }
  void handle(const Event& ev, LpContext& ctx) override {
    seen.push_back(ev.time);
    ctx.send((id + 1) % n, delay, 1);
  }
  LpId id, n;
  SimTime delay;
  std::vector<SimTime> seen;
};

// A token ring where LP 0 raises the done flag when it sees the token at or after `done_at`.
struct FinishingRingLp final : LogicalProcess {
  FinishingRingLp(LpId id_, LpId n_, SimTime delay_, SimTime done_at_)
      : id(id_), n(n_), delay(delay_), done_at(done_at_) {}
  void init(LpContext& ctx) override {
    if (id == 0) ctx.send(ctx.self(), 0, 1);
  }
  void handle(const Event& ev, LpContext& ctx) override {
    seen.push_back(ev.time);
    if (id == 0 && ev.time >= done_at) ctx.raise_window_flag(kWindowDone);
    ctx.send((id + 1) % n, delay, 1);
  }
  LpId id, n;
  SimTime delay, done_at;
  std::vector<SimTime> seen;
};

struct BadLp final : LogicalProcess {
  explicit BadLp(SimTime delay_) : delay(delay_) {}
  void init(LpContext& ctx) override {
    if (ctx.self() == 0) ctx.send(1, delay, 1);
  }
  void handle(const Event&, LpContext&) override {}
  SimTime delay;
};

}  // namespace

TEST_CASE("simulator: a token ring visits LPs in time order and stops at the end time", "[engine][simulator]") {
  Communicator self(MPI_COMM_SELF);
  const SimTime delay = 10;
  Simulator sim(self, 4, delay, PartitionKind::Block, [&](LpId id) { return std::make_unique<RingLp>(id, 4, delay); });
  const RunStats stats = sim.run(95);
  REQUIRE(stats.events == 10);  // times 0, 10, ..., 90
  auto& lp0 = dynamic_cast<RingLp&>(sim.lp(0));
  REQUIRE(lp0.seen == std::vector<SimTime>{0, 40, 80});
  // Going on from where it stopped.
  const RunStats more = sim.run(200);
  REQUIRE(more.events == 10);
  REQUIRE(dynamic_cast<RingLp&>(sim.lp(0)).seen.back() == 160);
}

TEST_CASE("simulator: a send to another LP below the lookahead is refused", "[engine][simulator]") {
  Communicator self(MPI_COMM_SELF);
  Simulator sim(self, 2, 10, PartitionKind::Block, [](LpId) { return std::make_unique<BadLp>(5); });
  REQUIRE_THROWS_WITH(sim.run(100), Catch::Contains("below the lookahead"));
}

TEST_CASE("simulator: windows and window hooks do not change results", "[engine][simulator]") {
  Communicator self(MPI_COMM_SELF);
  PholdConfig config;
  config.lps = 64;
  config.end_time_s = 200;
  const PholdResult plain = run_phold(self, config);

  // The same model with a hook forces the windowed path on one rank.
  Simulator sim(self, config.lps, from_seconds(config.lookahead_s), config.partition, [&](LpId id) {
    return std::make_unique<RingLp>(id, static_cast<LpId>(config.lps), from_seconds(config.lookahead_s));
  });
  Simulator sim_hooked(self, config.lps, from_seconds(config.lookahead_s), config.partition, [&](LpId id) {
    return std::make_unique<RingLp>(id, static_cast<LpId>(config.lps), from_seconds(config.lookahead_s));
  });
  std::uint64_t hook_calls = 0;
  SimTime last_end = 0;
  sim_hooked.add_window_hook([&](SimTime window_end) {
    REQUIRE(window_end > last_end);
    last_end = window_end;
    ++hook_calls;
  });
  const RunStats a = sim.run(from_seconds(50));
  const RunStats b = sim_hooked.run(from_seconds(50));
  REQUIRE(a.events == b.events);
  REQUIRE(a.windows == 1);
  REQUIRE(b.windows == hook_calls);
  REQUIRE(b.windows > 100);
  for (LpId lp = 0; lp < config.lps; ++lp)
    REQUIRE(dynamic_cast<RingLp&>(sim.lp(lp)).seen == dynamic_cast<RingLp&>(sim_hooked.lp(lp)).seen);
  REQUIRE(plain.stats.events > 0);
}

TEST_CASE("phold: the same seed gives the same checksum, another seed another", "[engine][phold]") {
  Communicator self(MPI_COMM_SELF);
  PholdConfig config;
  config.lps = 128;
  config.end_time_s = 100;
  const auto a = run_phold(self, config);
  const auto b = run_phold(self, config);
  config.seed = 2;
  const auto c = run_phold(self, config);
  REQUIRE(a.checksum == b.checksum);
  REQUIRE(a.stats.events == b.stats.events);
  REQUIRE(a.checksum != c.checksum);
  // Each LP holds one event and each hop takes 1 s on average: about lps x end events.
  REQUIRE(static_cast<double>(a.stats.events) == Approx(128.0 * 100.0).epsilon(0.05));
}

TEST_CASE("phold: invalid configurations name the option", "[engine][phold]") {
  Communicator self(MPI_COMM_SELF);
  PholdConfig config;
  config.lookahead_s = 2.0;
  REQUIRE_THROWS_WITH(run_phold(self, config), Catch::Contains("--lookahead") && Catch::Contains("mean delay"));
  config = PholdConfig{};
  config.remote_fraction = 1.5;
  REQUIRE_THROWS_WITH(run_phold(self, config), Catch::Contains("--remote"));
}

TEST_CASE("simulator: a done flag raised in a window ends run() at that window", "[engine][simulator]") {
  Communicator self(MPI_COMM_SELF);
  Simulator sim(self, 4, 10, PartitionKind::Block, [](LpId id) { return std::make_unique<RingLp>(id, 4, 10); });
  sim.add_window_hook([&](SimTime window_end) {
    if (window_end >= 50) sim.raise_window_flag(kWindowDone);
  });
  const RunStats stats = sim.run(1000);
  CHECK((sim.window_flags() & kWindowDone) != 0);
  CHECK(stats.events == 5);  // times 0..40; the window [40, 50) raised the flag
}

TEST_CASE("simulator: a stop request ends run() with RunStopped, windowed or not", "[engine][simulator]") {
  Communicator self(MPI_COMM_SELF);
  for (const bool windowed : {false, true}) {
    Simulator sim(self, 4, 10, PartitionKind::Block, [](LpId id) { return std::make_unique<RingLp>(id, 4, 10); });
    if (windowed) sim.add_window_hook([](SimTime) {});
    sim.run(100);
    request_stop(SIGTERM);
    try {
      sim.run(kTimeInfinity / 2);  // would never end without the stop
      FAIL("run() returned");
    } catch (const RunStopped& e) {
      CHECK(e.signal() == SIGTERM);
      CHECK(e.exit_code() == 143);
    }
    request_stop(0);
  }
}

TEST_CASE("simulator: with a stop grid, done ends the run at the grid point after it, windowed or not",
          "[engine][simulator]") {
  // Token every 3 ns around 4 LPs, lookahead 3; LP 0 raises done at t = 36; grid 50: every
  // event below 50 runs, none at or after it, in a single window and in 3 ns windows alike.
  Communicator self(MPI_COMM_SELF);
  for (const bool windowed : {false, true}) {
    Simulator sim(self, 4, 3, PartitionKind::Block,
                  [&](LpId id) { return std::make_unique<FinishingRingLp>(id, 4, 3, 36); });
    sim.set_stop_grid(50);
    if (windowed) sim.add_window_hook([](SimTime) {});
    const RunStats stats = sim.run(1000);
    CAPTURE(windowed);
    REQUIRE((sim.window_flags() & kWindowDone) != 0);
    REQUIRE(stats.events == 17);                                          // times 0, 3, ..., 48
    REQUIRE(dynamic_cast<FinishingRingLp&>(sim.lp(0)).seen.size() == 5);  // 0, 12, 24, 36, 48
    REQUIRE(sim.next_time() == 51);
  }
}

TEST_CASE("simulator: episodes side by side run as each runs alone, and stop at their own points",
          "[engine][simulator][batched]") {
  // Two token rings of 4 LPs: episode 0 raises done at 36, episode 1 at 60; grid 50. Each
  // addresses LPs 0..3 of its own episode, and stops at its grid point after its done.
  Communicator self(MPI_COMM_SELF);
  const SimTime done_at[2] = {36, 60};
  for (const bool windowed : {false, true}) {
    CAPTURE(windowed);
    Simulator both(self, 2, 4, 3, PartitionKind::Block,
                   [&](LpId id) { return std::make_unique<FinishingRingLp>(id % 4, 4, 3, done_at[id / 4]); });
    both.set_stop_grid(50);
    if (windowed) both.add_window_hook([](SimTime) {});
    both.run(1000);
    for (std::uint64_t e = 0; e < 2; ++e) {
      Simulator alone(self, 4, 3, PartitionKind::Block,
                      [&](LpId id) { return std::make_unique<FinishingRingLp>(id, 4, 3, done_at[e]); });
      alone.set_stop_grid(50);
      if (windowed) alone.add_window_hook([](SimTime) {});
      alone.run(1000);
      CAPTURE(e);
      REQUIRE(both.episode_done(e));
      REQUIRE(both.episode_stop(e) == (e == 0 ? 50 : 100));
      REQUIRE(both.next_time(e) == alone.next_time());
      REQUIRE(both.episode_events()[e] == alone.episode_events()[0]);
      for (LpId id = 0; id < 4; ++id)
        REQUIRE(dynamic_cast<FinishingRingLp&>(both.lp(both.global_id(e, id))).seen ==
                dynamic_cast<FinishingRingLp&>(alone.lp(id)).seen);
    }
  }
}

TEST_CASE("simulator: with a hook grid, hooks run at each multiple before the events at it", "[engine][simulator]") {
  // Events at 0, 10, 20, ... (lookahead 3); grid 10: a window ends at every multiple, an
  // empty one where an event is due exactly then, and the hook sees none of that time's events.
  Communicator self(MPI_COMM_SELF);
  Simulator sim(self, 1, 10, PartitionKind::Block, [](LpId id) { return std::make_unique<RingLp>(id, 1, 10); });
  std::vector<std::pair<SimTime, std::size_t>> hooks;  // (window end, events seen by then)
  sim.add_window_hook([&](SimTime end) { hooks.emplace_back(end, dynamic_cast<RingLp&>(sim.lp(0)).seen.size()); });
  sim.set_hook_grid(10);
  sim.run(35);
  std::vector<std::pair<SimTime, std::size_t>> multiples;
  for (const auto& h : hooks)
    if (h.first % 10 == 0) multiples.push_back(h);
  REQUIRE(multiples == std::vector<std::pair<SimTime, std::size_t>>{{0, 0}, {10, 1}, {20, 2}, {30, 3}});
}

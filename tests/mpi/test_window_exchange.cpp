// The window exchange (mpi/communicator.hpp, WindowExchange): every rank receives exactly the
// events sent to it in that window, no more and no fewer, with one message per rank that has
// events for it and none from the others, while the reduction agrees on the window state.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <thread>
#include <tuple>
#include <vector>

#include "engine/support/rng.hpp"
#include "mpi/communicator.hpp"

using namespace marlsim;

namespace {
// How many events rank `src` sends to rank `dst` in window `round`: mostly none, sometimes
// one, now and then enough for a message above the shared-memory eager limit.
std::size_t events_between(std::uint64_t round, int src, int dst) {
  if (src == dst) return 0;
  const std::uint64_t h = mix64(
      hash_combine(hash_combine(round, static_cast<std::uint64_t>(src)), static_cast<std::uint64_t>(dst)));
  switch (h % 8) {
    case 0: return 1;
    case 1: return 1 + h / 8 % 5;
    case 2: return 100 + h / 8 % 200;  // ~10-30 KiB
    default: return 0;
  }
}

Event event_for(std::uint64_t round, int src, int dst, std::size_t index) {
  Event ev;
  ev.time = static_cast<SimTime>(round);
  ev.order = make_order(static_cast<LpId>(src), index);
  ev.dst = static_cast<LpId>(dst);
  ev.kind = static_cast<std::uint32_t>(index);
  return ev;
}

auto key(const Event& ev) { return std::make_tuple(ev.time, ev.order, ev.dst, ev.kind); }
}  // namespace

TEST_CASE("window exchange: exact delivery, one message per rank with events, agreed state", "[mpi][window]") {
  const Communicator world;
  const int P = world.size();
  const int me = world.rank();
  WindowExchange exchange(world);
  std::vector<std::vector<Event>> outgoing(static_cast<std::size_t>(P));
  std::vector<Event> incoming;
  std::uint64_t messages_expected = 0;
  for (std::uint64_t round = 0; round < 300; ++round) {
    for (int dst = 0; dst < P; ++dst) {
      const std::size_t n = events_between(round, me, dst);
      for (std::size_t i = 0; i < n; ++i)
        outgoing[static_cast<std::size_t>(dst)].push_back(event_for(round, me, dst, i));
      messages_expected += n > 0 ? 1 : 0;
    }
    // One rank late now and then, so the others run ahead into the next window's sends.
    if (static_cast<int>(round % 7) == me) std::this_thread::sleep_for(std::chrono::microseconds(300));
    WindowState local;
    local.next = static_cast<SimTime>(1000 + round + static_cast<std::uint64_t>(me));
    local.flags = me == P - 1 ? kWindowCheckpoint : 0u;
    local.stop_signal = me;
    local.done_episodes = std::uint64_t{1} << me;
    exchange.start(local, outgoing);
    const WindowState agreed = exchange.wait();
    exchange.receive(incoming);

    INFO("round " << round << ", rank " << me << " of " << P);
    REQUIRE(agreed.next == static_cast<SimTime>(1000 + round));
    REQUIRE(agreed.flags == kWindowCheckpoint);
    REQUIRE(agreed.stop_signal == P - 1);
    REQUIRE(agreed.done_episodes == (std::uint64_t{1} << P) - 1);
    std::vector<Event> expected;
    for (int src = 0; src < P; ++src)
      for (std::size_t i = 0; i < events_between(round, src, me); ++i) expected.push_back(event_for(round, src, me, i));
    auto by_key = [](const Event& a, const Event& b) { return key(a) < key(b); };
    std::sort(incoming.begin(), incoming.end(), by_key);
    std::sort(expected.begin(), expected.end(), by_key);
    REQUIRE(incoming.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) REQUIRE(key(incoming[i]) == key(expected[i]));
    for (const auto& batch : outgoing) REQUIRE(batch.empty());
  }
  // A message only where there were events: the old exchange sent P - 1 every window.
  REQUIRE(exchange.messages_sent() == (P > 1 ? messages_expected : 0));
}

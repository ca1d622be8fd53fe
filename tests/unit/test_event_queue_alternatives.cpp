// The alternative pending-event sets must pop exactly the (time, order) sequence of the
// default QuadHeap, whatever the interleaving of pushes and pops, with many equal times.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "engine/kernel/calendar_queue.hpp"
#include "engine/kernel/event.hpp"
#include "engine/kernel/quad_heap.hpp"
#include "engine/support/rng.hpp"

using namespace marlsim;

namespace {

// Random interleaved pushes and pops; every push is at or after the last popped time (as in
// a simulator) when `monotone`, anywhere in [0, span) otherwise. Times are drawn from
// `span` distinct values so equal times are common; orders are unique, so the sequence of
// (time, order) pairs is fully determined.
template <class Queue>
void check_same_sequence(std::uint64_t seed, SimTime span, bool monotone, std::size_t steps) {
  RngStream r(seed, 0);
  QuadHeap reference;
  Queue queue;
  std::uint64_t next_order = 0;
  SimTime now = 0;
  for (std::size_t step = 0; step < steps; ++step) {
    // Phases: grow, hold, shrink, so the queue resizes in both directions.
    const double phase = static_cast<double>(step) / static_cast<double>(steps);
    const double push_probability = phase < 0.4 ? 0.75 : phase < 0.7 ? 0.5 : 0.3;
    if (reference.empty() || r.uniform() < push_probability) {
      const SimTime t = (monotone ? now : 0) + static_cast<SimTime>(r.below(static_cast<std::uint64_t>(span)));
      const EventKey key{t, make_order(static_cast<LpId>(r.below(64)), next_order++), static_cast<std::uint32_t>(step)};
      reference.push(key);
      queue.push(key);
    } else {
      REQUIRE(!queue.empty());
      REQUIRE(queue.top().time == reference.top().time);
      REQUIRE(queue.top().order == reference.top().order);
      now = reference.top().time;
      reference.pop();
      queue.pop();
    }
    REQUIRE(queue.size() == reference.size());
  }
  while (!reference.empty()) {
    REQUIRE(queue.top().time == reference.top().time);
    REQUIRE(queue.top().order == reference.top().order);
    reference.pop();
    queue.pop();
  }
  REQUIRE(queue.empty());
}

}  // namespace

TEST_CASE("calendar queue: same pop sequence as the quad heap, many equal times", "[engine][queue]") {
  check_same_sequence<CalendarQueue>(11, 50, /*monotone=*/true, 40000);
  check_same_sequence<CalendarQueue>(12, 3, /*monotone=*/true, 20000);
}

TEST_CASE("calendar queue: same pop sequence with pushes before the last popped time", "[engine][queue]") {
  check_same_sequence<CalendarQueue>(13, 1000, /*monotone=*/false, 40000);
  check_same_sequence<CalendarQueue>(14, 1, /*monotone=*/false, 5000);
}

TEST_CASE("calendar queue: wide spread of times, sparse years and far-off keys", "[engine][queue]") {
  check_same_sequence<CalendarQueue>(15, SimTime{1} << 40, /*monotone=*/true, 40000);
  // A cluster of near keys with a few very late ones: the dequeue walk must fall back to a
  // direct search when a whole year of days is empty.
  RngStream r(16, 0);
  QuadHeap reference;
  CalendarQueue queue;
  for (std::uint32_t i = 0; i < 3000; ++i) {
    const SimTime t = i % 100 == 0 ? (SimTime{1} << 50) + static_cast<SimTime>(r.below(1000))
                                   : static_cast<SimTime>(r.below(5000));
    const EventKey key{t, i, i};
    reference.push(key);
    queue.push(key);
  }
  while (!reference.empty()) {
    REQUIRE(queue.top().time == reference.top().time);
    REQUIRE(queue.top().order == reference.top().order);
    reference.pop();
    queue.pop();
  }
  REQUIRE(queue.empty());
}

TEST_CASE("calendar queue: clear, reserve and negative times", "[engine][queue]") {
  CalendarQueue queue;
  queue.reserve(10000);
  QuadHeap reference;
  RngStream r(17, 0);
  for (std::uint32_t i = 0; i < 2000; ++i) {
    const EventKey key{static_cast<SimTime>(r.below(4000)) - 2000, i, i};
    queue.push(key);
    reference.push(key);
  }
  for (int i = 0; i < 2000; ++i) {
    REQUIRE(queue.top().time == reference.top().time);
    REQUIRE(queue.top().order == reference.top().order);
    queue.pop();
    reference.pop();
  }
  REQUIRE(queue.empty());
  queue.push({5, 1, 0});
  queue.push({3, 2, 1});
  queue.clear();
  REQUIRE(queue.empty());
  REQUIRE(queue.size() == 0);
  queue.push({7, 1, 0});
  REQUIRE(queue.top().time == 7);
}

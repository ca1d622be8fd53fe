#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "engine/kernel/event.hpp"
#include "engine/kernel/quad_heap.hpp"
#include "engine/support/rng.hpp"

using namespace marlsim;

TEST_CASE("quad heap: pops keys in (time, order) order, ties broken by order", "[engine][queue]") {
  RngStream r(5, 0);
  std::vector<EventKey> keys;
  for (std::uint32_t i = 0; i < 5000; ++i)
    keys.push_back({static_cast<SimTime>(r.below(200)), make_order(static_cast<LpId>(r.below(50)), r.below(1000)), i});
  QuadHeap heap;
  for (const auto& k : keys) heap.push(k);
  REQUIRE(heap.size() == keys.size());
  std::stable_sort(keys.begin(), keys.end(), key_before);
  for (const auto& k : keys) {
    REQUIRE(heap.top().time == k.time);
    REQUIRE(heap.top().order == k.order);
    heap.pop();
  }
  REQUIRE(heap.empty());
}

TEST_CASE("quad heap: interleaved hold operations keep the minimum on top", "[engine][queue]") {
  RngStream r(6, 0);
  QuadHeap heap;
  std::vector<EventKey> mirror;
  for (std::uint32_t i = 0; i < 1000; ++i) {
    EventKey k{static_cast<SimTime>(r.below(1000)), i, i};
    heap.push(k);
    mirror.push_back(k);
  }
  for (std::uint32_t step = 0; step < 20000; ++step) {
    auto it = std::min_element(mirror.begin(), mirror.end(), key_before);
    REQUIRE(heap.top().order == it->order);
    const SimTime t = heap.top().time;
    heap.pop();
    mirror.erase(it);
    EventKey k{t + static_cast<SimTime>(r.below(1000)), 1000 + step, step};
    heap.push(k);
    mirror.push_back(k);
  }
}

TEST_CASE("event: order packs source and sequence and sorts by source first", "[engine][queue]") {
  REQUIRE(order_source(make_order(12345, 99)) == 12345u);
  REQUIRE(make_order(1, 1000000) < make_order(2, 0));
  REQUIRE(make_order(3, 4) < make_order(3, 5));
}

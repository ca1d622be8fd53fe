#pragma once
// What the kernel needs of a pending-event queue, stated as a concept: keys (time, order)
// come out in strict (time, order) order whatever the interleaving of push and pop. Every
// implementation is checked against it where it is defined (static_assert), and the
// simulator's choice is one alias, so a new queue is one header plus one line.
// tests/unit/test_event_queue_alternatives.cpp checks the order against QuadHeap;
// benchmarks/bench_event_queue.cpp measures the hold rates.
#include <concepts>
#include <cstddef>

#include "engine/kernel/event.hpp"

namespace marlsim {

template <class Q>
concept EventQueueLike = std::default_initializable<Q> &&
    requires(Q q, const Q cq, const EventKey& key, std::size_t n) {
  { cq.empty() } -> std::same_as<bool>;
  { cq.size() } -> std::same_as<std::size_t>;
  { cq.top() } -> std::same_as<const EventKey&>;  // the least key; only when !empty()
  q.push(key);
  q.pop();  // removes top(); only when !empty()
  q.clear();
  q.reserve(n);  // a capacity hint
};

}  // namespace marlsim

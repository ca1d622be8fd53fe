#pragma once
// The default pending-event set: a 4-ary min-heap of 24-byte keys. A 4-ary heap halves the
// depth of a binary heap and keeps a node's children in one or two cache lines; the full
// events stay put in an EventPool, so sifting moves only keys.
// Any queue with this interface (push, top, pop, size, empty, clear) can stand in for it;
// benchmarks/bench_event_queue.cpp compares the alternatives.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/kernel/event.hpp"
#include "engine/kernel/event_queue.hpp"

namespace marlsim {

class QuadHeap {
 public:
  bool empty() const { return keys_.empty(); }
  std::size_t size() const { return keys_.size(); }
  const EventKey& top() const { return keys_.front(); }
  void clear() { keys_.clear(); }
  void reserve(std::size_t n) { keys_.reserve(n); }

  void push(const EventKey& key) {
    std::size_t i = keys_.size();
    keys_.push_back(key);
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!key_before(key, keys_[parent])) break;
      keys_[i] = keys_[parent];
      i = parent;
    }
    keys_[i] = key;
  }

  void pop() {
    const EventKey last = keys_.back();
    keys_.pop_back();
    const std::size_t n = keys_.size();
    if (n == 0) return;
    const Rank last_rank = rank(last);
    std::size_t i = 0;
    for (;;) {
      const std::size_t first = 4 * i + 1;
      if (first >= n) break;
      // The earliest child, chosen with branch-free selects on one 128-bit rank per key: which
      // child wins is data-dependent and mispredicts as a branch.
      std::size_t best = first;
      Rank best_rank = rank(keys_[first]);
      const std::size_t end = first + 4 < n ? first + 4 : n;
      for (std::size_t c = first + 1; c < end; ++c) {
        const Rank r = rank(keys_[c]);
        const bool earlier = r < best_rank;
        best = earlier ? c : best;
        best_rank = earlier ? r : best_rank;
      }
      if (!(best_rank < last_rank)) break;
      keys_[i] = keys_[best];
      i = best;
    }
    keys_[i] = last;
  }

 private:
  // (time, order) as one unsigned 128-bit number that sorts exactly as key_before does.
  using Rank = __uint128_t;
  static Rank rank(const EventKey& k) {
    const auto t = static_cast<std::uint64_t>(k.time) ^ (std::uint64_t{1} << 63);  // signed -> unsigned order
    return (static_cast<Rank>(t) << 64) | k.order;
  }

  std::vector<EventKey> keys_;
};

static_assert(EventQueueLike<QuadHeap>);

}  // namespace marlsim

#pragma once
// A calendar queue (R. Brown, CACM 31(10), 1988): an alternative pending-event set with the
// same interface as QuadHeap (push, top, pop, size, empty, clear, reserve) and expected O(1)
// hold operations when event times are spread evenly.
//
// Keys are hashed by time into a ring of `buckets` "days" of width 2^shift ns; a "year" is
// one turn of the ring. Each bucket is a small vector kept sorted with its earliest key at the
// back. The earliest key overall sits in the first bucket, walking the ring from the last
// removed time, whose earliest key falls in the current year. The ring doubles when it holds
// more than two keys per bucket and halves below one per four; each resize re-estimates the
// day width from the spacing of the earliest keys (Brown's rule: three times the mean gap).
// Powers of two make the day and bucket of a time a shift and a mask, with no division.
//
// Ties in time are ordered by EventKey::order exactly as in QuadHeap, so both pop the same
// (time, order) sequence; tests/unit/test_event_queue_alternatives.cpp checks this.
// It is weak when many keys share one time (one bucket grows long and inserts shift it);
// benchmarks/RESULTS.md has the measurements that decided the simulator's default.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/kernel/event.hpp"
#include "engine/kernel/event_queue.hpp"

namespace marlsim {

class CalendarQueue {
 public:
  CalendarQueue() { buckets_.resize(kMinBuckets); }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  const EventKey& top() const { return buckets_[min_bucket_].back(); }

  void clear() {
    for (auto& b : buckets_) b.clear();
    size_ = 0;
    min_bucket_ = 0;
  }
  // Sizes the ring for n keys now, so filling it does not rehash on the way.
  void reserve(std::size_t n) {
    const std::size_t want = ring_size_for(n);
    if (want > buckets_.size()) rebuild(want);
  }

  void push(const EventKey& key) {
    if (size_ + 1 > 2 * buckets_.size()) rebuild(buckets_.size() * 2);
    const std::size_t b = bucket_of(key.time);
    insert_sorted(buckets_[b], key);
    if (size_ == 0 || key_before(key, top())) min_bucket_ = b;
    ++size_;
  }

  void pop() {
    const EventKey removed = buckets_[min_bucket_].back();
    buckets_[min_bucket_].pop_back();
    --size_;
    if (size_ == 0) return;
    if (buckets_.size() > kMinBuckets && size_ < buckets_.size() / 4) {
      rebuild(buckets_.size() / 2);
      return;
    }
    find_min_from(removed.time);
  }

 private:
  static constexpr std::size_t kMinBuckets = 16;

  static std::size_t ring_size_for(std::size_t n) {
    return std::max(kMinBuckets, std::bit_ceil(std::max<std::size_t>(n / 2, 1)));
  }
  std::int64_t day_of(SimTime t) const { return t >> shift_; }  // floor division by the width
  std::size_t bucket_of(SimTime t) const { return static_cast<std::size_t>(day_of(t)) & (buckets_.size() - 1); }

  // Keeps a bucket sorted latest-first, so its earliest key is at the back. Equal keys go
  // behind the existing ones: which of two equal keys comes out first does not matter.
  static void insert_sorted(std::vector<EventKey>& bucket, const EventKey& key) {
    auto it = bucket.end();
    while (it != bucket.begin() && key_before(*(it - 1), key)) --it;
    bucket.insert(it, key);
  }

  // Every remaining key is at or after `from` (it was the minimum): walk the days from there.
  void find_min_from(SimTime from) {
    const std::size_t n = buckets_.size();
    std::int64_t day = day_of(from);
    for (std::size_t step = 0; step < n; ++step, ++day) {
      const std::size_t b = static_cast<std::size_t>(day) & (n - 1);
      if (!buckets_[b].empty() && day_of(buckets_[b].back().time) == day) {
        min_bucket_ = b;
        return;
      }
    }
    // A whole year without an event: the next one is far ahead. Search every bucket directly.
    bool found = false;
    for (std::size_t b = 0; b < n; ++b) {
      if (buckets_[b].empty()) continue;
      if (!found || key_before(buckets_[b].back(), top())) min_bucket_ = b;
      found = true;
    }
  }

  // Brown's width estimate from the earliest keys: three times their mean gap, leaving out
  // gaps above twice the first mean (a few far-off keys would otherwise dominate).
  int estimate_shift(std::vector<EventKey>& keys) const {
    const std::size_t m = std::min<std::size_t>(keys.size(), 64);
    if (m < 2) return shift_;
    auto by_time = [](const EventKey& a, const EventKey& b) { return a.time < b.time; };
    std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(m - 1), keys.end(), by_time);
    std::sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(m), by_time);
    const double mean = static_cast<double>(keys[m - 1].time - keys[0].time) / static_cast<double>(m - 1);
    if (mean <= 0) return shift_;
    double sum = 0;
    std::size_t count = 0;
    for (std::size_t i = 1; i < m; ++i) {
      const double gap = static_cast<double>(keys[i].time - keys[i - 1].time);
      if (gap <= 2 * mean) {
        sum += gap;
        ++count;
      }
    }
    const double width = count > 0 && sum > 0 ? 3 * sum / static_cast<double>(count) : 3 * mean;
    const auto w = static_cast<std::uint64_t>(std::min(width, 0x1.0p62));
    return std::max(0, static_cast<int>(std::bit_width(w)) - 1 + (std::has_single_bit(w) ? 0 : 1));
  }

  void rebuild(std::size_t new_buckets) {
    std::vector<EventKey> keys;
    keys.reserve(size_);
    for (auto& b : buckets_) keys.insert(keys.end(), b.begin(), b.end());
    shift_ = estimate_shift(keys);
    buckets_.assign(new_buckets, {});
    const std::size_t expected = size_ / new_buckets + 2;
    for (auto& b : buckets_) b.reserve(expected);
    bool first = true;
    for (const EventKey& k : keys) {
      const std::size_t b = bucket_of(k.time);
      insert_sorted(buckets_[b], k);
      if (first || key_before(k, top())) min_bucket_ = b;
      first = false;
    }
  }

  std::vector<std::vector<EventKey>> buckets_;
  std::size_t size_ = 0;
  std::size_t min_bucket_ = 0;
  int shift_ = 20;  // day width 2^20 ns (about 1 ms) until the first estimate
};

static_assert(EventQueueLike<CalendarQueue>);

}  // namespace marlsim

#pragma once
// An event: when, in which deterministic order, for which LP, which handler, and a small
// fixed-size payload. Events are plain bytes so they cross ranks with MPI_BYTE unchanged.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "engine/support/sim_time.hpp"

namespace marlsim {

using LpId = std::uint32_t;
inline constexpr LpId kNoLp = 0xFFFFFFFFu;

// Ties at equal time are broken by (source LP, per-source send sequence): both are fixed by
// the model alone, never by the partition, so every rank count processes events in one order.
inline constexpr int kOrderSourceBits = 24;  // up to 16.7 M LPs
inline constexpr int kOrderSeqBits = 64 - kOrderSourceBits;
inline constexpr std::uint64_t kMaxLps = std::uint64_t{1} << kOrderSourceBits;

inline constexpr std::uint64_t make_order(LpId source, std::uint64_t seq) {
  return (std::uint64_t{source} << kOrderSeqBits) | (seq & ((std::uint64_t{1} << kOrderSeqBits) - 1));
}
inline constexpr LpId order_source(std::uint64_t order) { return static_cast<LpId>(order >> kOrderSeqBits); }

inline constexpr std::size_t kEventPayloadBytes = 72;  // an Event is 96 bytes

struct Event {
  SimTime time = 0;
  std::uint64_t order = 0;  // make_order(source, seq)
  LpId dst = kNoLp;
  std::uint32_t kind = 0;  // which handler of the destination LP
  alignas(8) std::array<std::byte, kEventPayloadBytes> payload{};

  LpId source() const { return order_source(order); }

  // Typed view of the payload. Payload types are trivially copyable structs that fit.
  template <class T>
  T as() const {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= kEventPayloadBytes);
    T value;
    std::memcpy(&value, payload.data(), sizeof(T));
    return value;
  }
  template <class T>
  void set(const T& value) {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= kEventPayloadBytes);
    std::memcpy(payload.data(), &value, sizeof(T));
  }
};
static_assert(std::is_trivially_copyable_v<Event> && sizeof(Event) == 96);

// The ordering key the queues sort by: (time, order). `slot` locates the full event; `lp` is
// its destination's index among the rank's LPs (it fills the padding), so the kernel can
// prefetch that LP's state before the event is due (Simulator::prefetch).
struct EventKey {
  SimTime time;
  std::uint64_t order;
  std::uint32_t slot;
  std::uint32_t lp = 0;
};
static_assert(sizeof(EventKey) == 24);

inline constexpr bool key_before(const EventKey& a, const EventKey& b) {
  return a.time < b.time || (a.time == b.time && a.order < b.order);
}

}  // namespace marlsim

#pragma once
// Simulated time is an integer count of nanoseconds: exact, totally ordered, and the same
// bits on every rank. Models convert to and from seconds only at their edges.
#include <cmath>
#include <cstdint>
#include <limits>

namespace marlsim {

using SimTime = std::int64_t;  // nanoseconds

inline constexpr SimTime kNanosPerSecond = 1'000'000'000;
inline constexpr SimTime kTimeInfinity = std::numeric_limits<SimTime>::max();

// Rounds to the nearest nanosecond; values beyond ~292 years saturate to kTimeInfinity.
inline SimTime from_seconds(double seconds) {
  const double ns = std::nearbyint(seconds * 1e9);
  if (!(ns < 9.2e18)) return kTimeInfinity;
  if (ns < -9.2e18) return -kTimeInfinity;
  return static_cast<SimTime>(ns);
}

inline constexpr double to_seconds(SimTime t) { return static_cast<double>(t) * 1e-9; }

}  // namespace marlsim

#pragma once
// Maxima kept as floats in the index trees (ViewIndexes, LeastLoadTree) to keep their nodes
// small: rounded up, so a stored maximum stays an upper bound and never prunes a node that
// qualifies.
#include <cmath>
#include <limits>

namespace marlsim {

// The least float not below x (x itself if a float holds it).
inline float float_at_least(double x) {
  if (x > std::numeric_limits<float>::max()) return std::numeric_limits<float>::infinity();
  float f = static_cast<float>(x);
  if (static_cast<double>(f) < x) f = std::nextafter(f, std::numeric_limits<float>::infinity());
  return f;
}

}  // namespace marlsim

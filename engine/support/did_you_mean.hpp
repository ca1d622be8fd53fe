#pragma once
// "did you mean X?" hints for a misspelt key or name: the closest valid name by edit
// distance, if it is close enough to be a likely typo.
#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace marlsim {

// Levenshtein distance.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// " (did you mean X?)" or "" when nothing is close.
template <class Names>
std::string did_you_mean(std::string_view got, const Names& valid) {
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (const auto& v : valid) {
    const std::size_t d = edit_distance(got, v);
    if (d < best_d) best_d = d, best = std::string(v);
  }
  if (best.empty() || best_d > std::max<std::size_t>(2, (got.size() + 2) / 3)) return "";
  return " (did you mean " + best + "?)";
}

}  // namespace marlsim

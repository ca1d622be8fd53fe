#include "engine/experiment/rank_groups.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/support/input_error.hpp"

namespace marlsim {

int rank_group_count(const Scenario& scenario, int ranks) {
  const std::uint64_t asked = scenario.rank_groups;
  if (asked > static_cast<std::uint64_t>(ranks))
    throw InputError::at(
        scenario.path + ": run.rank_groups",
        fmt::format("{} groups need at least {} ranks; the run has {} (0: automatic)", asked, asked, ranks));
  if (asked > 0) return static_cast<int>(asked);
  const std::uint64_t pairs = scenario.scheduler.policies.size() * std::uint64_t{scenario.run.episodes};
  return static_cast<int>(std::clamp<std::uint64_t>(pairs, 1, static_cast<std::uint64_t>(ranks)));
}

int rank_group_of(int rank, int ranks, int groups) { return static_cast<int>(std::int64_t{rank} * groups / ranks); }

}  // namespace marlsim

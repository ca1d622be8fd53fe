#pragma once
// Parallel episodes: the ranks of a run form groups, each running whole (policy, episode)
// pairs with the episode's nodes partitioned over the group's ranks only (as ensemble runs do
// in large HPC codes). A group is a contiguous block of ranks, so group g's lowest rank comes
// before group g+1's. Pair j (policy-major: j = policy x episodes + episode) runs in group
// j mod G; an episode is bit-identical on any rank count, so its results do not depend on G.
#include <cstdint>

#include "engine/experiment/scenario.hpp"

namespace marlsim {

// The number of groups of a run on `ranks` ranks: run.rank_groups, or with 0 (automatic) one
// group per rank, at most one per (policy, episode) pair. One episode spread over ranks was
// measured slower than on one rank up to 10,000 nodes (issue 10: the 1 ms latency is the
// lookahead, so windows hold a handful of events), so whole episodes per rank is the faster
// use of ranks whenever there are episodes enough. Throws InputError (run.rank_groups) when
// more groups than ranks are asked for.
int rank_group_count(const Scenario& scenario, int ranks);

// The group of `rank` among `groups` contiguous blocks of `ranks` ranks (sizes differ by at
// most one).
int rank_group_of(int rank, int ranks, int groups);

}  // namespace marlsim

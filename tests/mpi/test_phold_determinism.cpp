// The kernel's main property: the same seed gives a bit-identical final state for any
// number of ranks and either partition. The reference runs on MPI_COMM_SELF (one rank,
// plain sequential mode), so at 1, 2 and 4 ranks this compares against the same digest.
#include <catch2/catch.hpp>

#include <algorithm>

#include "engine/phold/phold.hpp"

using namespace marlsim;

TEST_CASE("phold: the checksum is the same for every rank count and partition", "[engine][determinism]") {
  Communicator world;
  Communicator self(MPI_COMM_SELF);
  for (double remote : {0.0, 0.25, 1.0}) {
    for (auto partition : {PartitionKind::Block, PartitionKind::RoundRobin}) {
      PholdConfig config;
      config.lps = 203;  // not a multiple of the rank count
      config.population = 3;
      config.remote_fraction = remote;
      config.lookahead_s = 0.1;
      config.end_time_s = 60;
      config.seed = 11;
      config.partition = partition;
      const PholdResult parallel = run_phold(world, config);
      config.partition = PartitionKind::Block;
      const PholdResult reference = run_phold(self, config);
      INFO("remote " << remote << ", partition " << partition_kind_name(partition) << ", ranks " << world.size());
      REQUIRE(parallel.checksum == reference.checksum);
      REQUIRE(parallel.stats.events == reference.stats.events);
      if (world.size() > 1 && remote > 0) REQUIRE(parallel.stats.remote_events > 0);
      // Messages only between ranks that have events for each other in a window: none without
      // remote events, never more than one per ordered pair of ranks per window.
      const std::uint64_t pairs = static_cast<std::uint64_t>(world.size()) * (world.size() - 1);
      REQUIRE(parallel.stats.remote_messages <= std::min(parallel.stats.remote_events, parallel.stats.windows * pairs));
      if (remote == 0) REQUIRE(parallel.stats.remote_messages == 0);
    }
  }
}

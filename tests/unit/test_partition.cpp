#include <catch2/catch.hpp>

#include "engine/kernel/partition.hpp"
#include "engine/support/input_error.hpp"

using namespace marlsim;

TEST_CASE("partition: every LP has exactly one rank and ranks are balanced", "[engine][partition]") {
  for (auto kind : {PartitionKind::Block, PartitionKind::RoundRobin})
    for (int ranks : {1, 2, 3, 4, 7})
      for (std::uint64_t lps : {1ull, 5ull, 100ull, 1001ull}) {
        Partition p(lps, ranks, kind);
        std::uint64_t total = 0;
        std::size_t smallest = lps, largest = 0;
        for (int r = 0; r < ranks; ++r) {
          const auto mine = p.lps_of(r);
          for (LpId lp : mine) REQUIRE(p.rank_of(lp) == r);
          total += mine.size();
          smallest = std::min(smallest, mine.size());
          largest = std::max(largest, mine.size());
        }
        REQUIRE(total == lps);
        REQUIRE(largest - smallest <= 1);
      }
}

TEST_CASE("partition: block keeps neighbours together, round-robin deals them out", "[engine][partition]") {
  Partition block(8, 2, PartitionKind::Block), rr(8, 2, PartitionKind::RoundRobin);
  CHECK(block.rank_of(0) == 0);
  CHECK(block.rank_of(3) == 0);
  CHECK(block.rank_of(4) == 1);
  CHECK(rr.rank_of(0) == 0);
  CHECK(rr.rank_of(1) == 1);
  CHECK(rr.rank_of(2) == 0);
}

TEST_CASE("partition: bad names and sizes are refused", "[engine][partition]") {
  REQUIRE_THROWS_AS(parse_partition_kind("diagonal"), InputError);
  REQUIRE_THROWS_WITH(parse_partition_kind("diagonal"), Catch::Contains("block, round-robin"));
  REQUIRE_THROWS_AS(Partition(0, 1, PartitionKind::Block), InputError);
  REQUIRE_THROWS_AS(Partition(10, 0, PartitionKind::Block), InputError);
}

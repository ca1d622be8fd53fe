// Parallel episodes, the parts that need no second rank: how ranks form groups, an episode's
// tables as bytes (what a group root sends to rank 0) and joined across episodes, and a
// group's error on one rank.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/experiment/episode_tables.hpp"
#include "engine/experiment/group_failure.hpp"
#include "engine/experiment/rank_groups.hpp"
#include "engine/experiment/results_layout.hpp"
#include "engine/experiment/scenario.hpp"
#include "engine/support/input_error.hpp"
#include "mpi/communicator.hpp"

using namespace marlsim;
using Catch::Matchers::Contains;

namespace {

Scenario scenario(const std::vector<std::string>& overrides) {
  return parse_scenario(
      "name = \"groups\"\n[scheduler]\npolicy = [\"random\", \"least-loaded\"]\n[run]\nepisodes = 3\n", "groups.toml",
      overrides);
}

EpisodeTables sample_tables(std::int64_t episode, double value) {
  return {{{"/random/nodes/episode", std::vector<std::int64_t>{episode, episode}},
           {"/random/nodes/energy_j", std::vector<double>{value, value + 0.5}}},
          {{"/random/unschedulable/task", std::vector<std::int64_t>{}}}};
}

}  // namespace

TEST_CASE("rank groups: automatic is one group per rank (at most one per pair), and an asked-for count is kept",
          "[groups]") {
  const Scenario automatic = scenario({});  // 2 policies x 3 episodes = 6 pairs
  CHECK(rank_group_count(automatic, 1) == 1);
  CHECK(rank_group_count(automatic, 4) == 4);
  CHECK(rank_group_count(automatic, 8) == 6);
  CHECK(rank_group_count(scenario({"run.rank_groups=1"}), 4) == 1);
  CHECK(rank_group_count(scenario({"run.rank_groups=3"}), 4) == 3);
  CHECK_THROWS_WITH(rank_group_count(scenario({"run.rank_groups=3"}), 2),
                    "groups.toml: run.rank_groups: 3 groups need at least 3 ranks; the run has 2 (0: automatic)");
  CHECK_THROWS_WITH(scenario({"run.rank_groups=-2"}), Contains("run.rank_groups: expected an integer >= 0, got -2"));
}

TEST_CASE("rank groups: contiguous blocks of ranks, sizes within one", "[groups]") {
  std::vector<int> of;
  for (int r = 0; r < 4; ++r) of.push_back(rank_group_of(r, 4, 3));
  CHECK(of == std::vector<int>{0, 0, 1, 2});
  for (int r = 0; r < 4; ++r) CHECK(rank_group_of(r, 4, 4) == r);
  for (int r = 0; r < 4; ++r) CHECK(rank_group_of(r, 4, 1) == 0);
  for (int r = 0; r < 5; ++r) CHECK(rank_group_of(r, 5, 2) == (r < 3 ? 0 : 1));
}

TEST_CASE("episode tables: bytes round-trip, and a damaged message is refused", "[groups]") {
  const EpisodeTables tables = sample_tables(7, 1.25);
  const std::vector<char> bytes = to_bytes(tables);
  const EpisodeTables back = episode_tables_from_bytes(bytes);
  REQUIRE(back.size() == 2);
  CHECK(back[0][0].dataset == "/random/nodes/episode");
  CHECK(std::get<std::vector<std::int64_t>>(back[0][0].rows) == std::vector<std::int64_t>{7, 7});
  CHECK(std::get<std::vector<double>>(back[0][1].rows) == std::vector<double>{1.25, 1.75});
  CHECK(back[1][0].dataset == "/random/unschedulable/task");
  CHECK(std::get<std::vector<std::int64_t>>(back[1][0].rows).empty());
  CHECK(to_bytes(back) == bytes);

  for (const std::size_t cut : {std::size_t{0}, std::size_t{5}, bytes.size() / 2, bytes.size() - 1})
    CHECK_THROWS_WITH(episode_tables_from_bytes(std::span(bytes).first(cut)), Contains("truncated"));
  std::vector<char> longer = bytes;
  longer.push_back('x');
  CHECK_THROWS_WITH(episode_tables_from_bytes(longer), Contains("trailing bytes"));
}

TEST_CASE("episode tables: consecutive episodes join column by column", "[groups]") {
  EpisodeTables joined;
  append_rows(joined, sample_tables(0, 1.0));
  append_rows(joined, sample_tables(1, 2.0));
  CHECK(std::get<std::vector<std::int64_t>>(joined[0][0].rows) == std::vector<std::int64_t>{0, 0, 1, 1});
  CHECK(std::get<std::vector<double>>(joined[0][1].rows) == std::vector<double>{1.0, 1.5, 2.0, 2.5});
  // Another policy's tables do not join.
  EpisodeTables other = empty_episode_tables("least-loaded", false);
  EpisodeTables mine = empty_episode_tables("random", false);
  CHECK_THROWS_AS(append_rows(mine, std::move(other)), std::logic_error);
}

TEST_CASE("group failure: on one rank the caught exception itself is rethrown", "[groups]") {
  const Communicator self(MPI_COMM_SELF);
  GroupFailure none;
  CHECK_NOTHROW(none.agree(self));
  GroupFailure failed;
  try {
    throw InputError::at("x.toml: run.warmup_s", "too long");
  } catch (...) {
    failed.caught(std::current_exception());
  }
  CHECK_THROWS_AS(failed.agree(self), InputError);
}

// Batched episodes (run.batch_episodes, engine/cluster/episode.hpp: run_episodes) on one rank:
// a comparison gives the same per-episode figures batched or not, and what cannot be batched
// exactly is refused naming the key. The rank and thread counts: tests/mpi/test_cluster_determinism.cpp.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/experiment/comparison.hpp"
#include "engine/experiment/scenario.hpp"
#include "engine/support/input_error.hpp"
#include "mpi/communicator.hpp"

using namespace marlsim;

namespace {

Scenario small(const std::vector<std::string>& overrides) {
  return parse_scenario(R"(
name = "batched"
[cluster]
nodes = 12
[workload]
tasks = 60
target_utilization = 0.8
[scheduler]
topology = "decentralized"
policy = ["decentralized-ac", "least-loaded"]
[agents]
decision_period_s = 0.1
hidden_widths = [16, 32]
[run]
seed = 3
episodes = 5
)",
                        "batched.toml", overrides);
}

}  // namespace

TEST_CASE("batched episodes: a comparison gives every episode's own figures, in batches of any size",
          "[experiment][batched]") {
  const Communicator self(MPI_COMM_SELF);
  const ComparisonResult alone = run_comparison(self, small({}), nullptr);
  for (const std::string batch : {"2", "5"}) {
    const ComparisonResult batched = run_comparison(self, small({"run.batch_episodes=" + batch}), nullptr);
    REQUIRE(batched.policies.size() == alone.policies.size());
    for (std::size_t p = 0; p < alone.policies.size(); ++p) {
      REQUIRE(batched.policies[p].episodes.size() == 5);
      for (std::size_t e = 0; e < 5; ++e) {
        const EpisodeMetrics &a = alone.policies[p].episodes[e], &b = batched.policies[p].episodes[e];
        CAPTURE(batch, p, e);
        CHECK(b.batched_episodes == std::min<std::uint64_t>(std::stoul(batch), e < 4 || batch == "5" ? 5 : 1));
        CHECK(a.completed == b.completed);
        CHECK(a.mean_completion_s == b.mean_completion_s);
        CHECK(a.energy_j == b.energy_j);
        CHECK(a.decisions == b.decisions);
        CHECK(a.events == b.events);
        CHECK(a.messages_per_agent == b.messages_per_agent);
      }
    }
    // Decided in cycles, the episodes' requests share batches.
    CHECK(batched.policies[0].episodes[0].mean_decision_batch > alone.policies[0].episodes[0].mean_decision_batch);
  }
}

TEST_CASE("batched episodes: what cannot be batched exactly is refused, naming the key", "[experiment][batched]") {
  const Communicator self(MPI_COMM_SELF);
  REQUIRE_THROWS_WITH(
      run_comparison(self, small({"run.batch_episodes=2", "agents.decision_period_s=0", "scheduler.decide=window-end"}),
                     nullptr),
      Catch::Contains("run.batch_episodes") && Catch::Contains("decision_period_s"));
  REQUIRE_THROWS_WITH(run_comparison(self, small({"run.batch_episodes=2", "cluster.new_per_episode=true"}), nullptr),
                      Catch::Contains("run.batch_episodes") && Catch::Contains("new_per_episode"));
  REQUIRE_THROWS_AS(small({"run.batch_episodes=65"}), InputError);
  REQUIRE_THROWS_AS(small({"run.batch_episodes=0"}), InputError);
}

// Parallel episodes (issue 10 s.2): a comparison's results are the same for every grouping of
// the ranks into rank groups, and the same as on one rank alone (MPI_COMM_SELF): every
// per-episode metric but the wall-clock and partition-dependent ones, and every dataset of
// the results file. At 4 ranks: 1 group of 4, 2 of 2, 3 uneven groups (2, 1, 1) and 4 of 1.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/cluster/metric_fields.hpp"
#include "engine/experiment/comparison.hpp"
#include "engine/experiment/rank_groups.hpp"
#include "engine/experiment/results_layout.hpp"
#include "engine/experiment/scenario.hpp"
#include "engine/support/input_error.hpp"
#include "mpi/communicator.hpp"
#include "mpi/hdf5/results_file.hpp"
#include "mpi/hdf5/results_reader.hpp"
#include "tests/mpi/shared_temp_dir.hpp"

using namespace marlsim;
using Catch::Matchers::Contains;

namespace {

const char* const kToml = R"(
name = "parallel-episodes"
[cluster]
nodes = 24
network_latency_s = 0.005
[workload]
tasks = 200
target_utilization = 0.85
[scheduler]
topology = "centralized"
policy = ["random", "least-loaded", "best-fit"]
decision_latency_s = 0.01
report_period_s = 4
[run]
seed = 11
episodes = 5
warmup_s = 1
)";

// Both NaN counts as equal (an empty arrival window).
bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// The wall-clock metrics, and those that depend on how an episode is partitioned over ranks.
bool partition_dependent(std::string_view metric) {
  return metric == "wall_s" || metric == "decisions_per_s" || metric == "decision_latency_wall_us" ||
         metric == "remote_events" || metric == "windows";
}

void require_same_results(const ComparisonResult& a, const ComparisonResult& b) {
  REQUIRE(a.nodes == b.nodes);
  REQUIRE(a.tasks_first_episode == b.tasks_first_episode);
  REQUIRE(a.policies.size() == b.policies.size());
  for (std::size_t p = 0; p < a.policies.size(); ++p) {
    REQUIRE(a.policies[p].policy == b.policies[p].policy);
    REQUIRE(a.policies[p].episodes.size() == b.policies[p].episodes.size());
    for (std::size_t e = 0; e < a.policies[p].episodes.size(); ++e)
      for (const MetricField& f : episode_metric_fields()) {
        if (partition_dependent(f.name)) continue;
        INFO(a.policies[p].policy << " episode " << e << ": " << f.name);
        REQUIRE(same(f.get(a.policies[p].episodes[e]), f.get(b.policies[p].episodes[e])));
      }
  }
}

// Every dataset of the layout (names and types from empty_episode_tables), row for row.
void require_same_files(const Scenario& s, const std::string& a, const std::string& b) {
  const ResultsReader ra(a), rb(b);
  std::uint64_t compared = 0;
  for (const std::string& policy : s.scheduler.policies)
    for (const Table& table : empty_episode_tables(policy, s.output.per_task))
      for (const TableColumn& c : table) {
        const std::string metric = c.dataset.substr(c.dataset.rfind('/') + 1);
        if (c.dataset.find("/episodes/") != std::string::npos && partition_dependent(metric)) continue;
        INFO(c.dataset);
        REQUIRE(ra.has(c.dataset) == rb.has(c.dataset));
        if (!ra.has(c.dataset)) continue;  // no row ever (no unschedulable task)
        if (c.rows.index() == 0) {
          REQUIRE(ra.read<std::int64_t>(c.dataset) == rb.read<std::int64_t>(c.dataset));
        } else {
          const auto x = ra.read<double>(c.dataset), y = rb.read<double>(c.dataset);
          REQUIRE(std::equal(x.begin(), x.end(), y.begin(), y.end(), same));
        }
        ++compared;
      }
  REQUIRE(compared > 0);
}

void check_every_grouping(const std::vector<std::string>& overrides) {
  const Communicator world;
  const Communicator self(MPI_COMM_SELF);
  const test::SharedTempDir dir;
  const Scenario s = parse_scenario(kToml, "parallel-episodes.toml", overrides);

  // The reference: one rank alone (rank 0), and its file.
  ComparisonResult reference;
  const std::string reference_file = dir.file("reference.h5");
  if (world.is_root()) {
    ResultsFile file(reference_file, self);
    reference = run_comparison(self, s, &file);
    file.close();
    const std::uint64_t pairs = s.scheduler.policies.size() * std::uint64_t{s.run.episodes};
    REQUIRE(ResultsReader(reference_file).read<double>("/random/episodes/makespan_s").size() == s.run.episodes);
    REQUIRE(reference.policies.size() * reference.policies[0].episodes.size() == pairs);
  }

  for (int groups = 1; groups <= world.size(); ++groups) {
    Scenario grouped = s;
    grouped.rank_groups = static_cast<std::uint32_t>(groups);
    INFO(world.size() << " rank(s) in " << groups << " group(s)");
    const std::string out = dir.file("groups-" + std::to_string(groups) + ".h5");
    ComparisonResult result;
    {
      ResultsFile file(out, world);
      result = run_comparison(world, grouped, &file);
      file.close();
    }
    // Every rank gets every pair's metrics; rank 0 compares them and the files.
    if (world.is_root()) {
      require_same_results(result, reference);
      require_same_files(s, out, reference_file);
    }
  }
}

}  // namespace

TEST_CASE("parallel episodes: the results are the same for every grouping of the ranks", "[experiment][groups]") {
  check_every_grouping({});
}

TEST_CASE("parallel episodes: a new cluster per episode, and no per-task rows", "[experiment][groups]") {
  check_every_grouping({"cluster.new_per_episode=true", "output.per_task=false"});
}

TEST_CASE("parallel episodes: consecutive episodes past the append size are split into several row groups",
          "[experiment][groups]") {
  // ~33,000 rows per episode: the rows of episodes 0 and 1 pass the 65,536 rows rank 0
  // collects before an append, episode 2 ends the policy.
  check_every_grouping({"workload.tasks=33000", "cluster.nodes=20", "scheduler.policy=[\"random\", \"least-loaded\"]",
                        "run.episodes=3", "run.warmup_s=0", "cluster.network_latency_s=0.5",
                        "scheduler.decision_latency_s=0.5"});
}

TEST_CASE("parallel episodes: an error in one group's episode stops every group with its message",
          "[experiment][groups]") {
  const Communicator world;
  if (world.size() < 2) return;
  // With seed 1 and 20 tasks, episode 0's last task arrives at ~3.16 s, episode 1's at
  // ~2.00 s: a 2.5 s warm-up fails episode 1 alone, which group 1 runs.
  const Scenario s = parse_scenario(kToml, "parallel-episodes.toml",
                                    {"workload.tasks=20", "run.seed=1", "run.warmup_s=2.5", "run.episodes=2",
                                     "scheduler.policy=random", "run.rank_groups=2"});
  REQUIRE_THROWS_WITH(
      run_comparison(world, s, nullptr),
      Contains("run.warmup_s: the warm-up (2.5 s) outlasts the arrivals of episode 1 (last at 2.00202 s)"));
}

TEST_CASE("parallel episodes: more groups than ranks are refused naming the key", "[experiment][groups]") {
  const Communicator world;
  Scenario s = parse_scenario(kToml, "parallel-episodes.toml");
  s.rank_groups = static_cast<std::uint32_t>(world.size()) + 1;
  REQUIRE_THROWS_AS(run_comparison(world, s, nullptr), InputError);
  REQUIRE_THROWS_WITH(rank_group_count(s, world.size()),
                      Contains("parallel-episodes.toml: run.rank_groups: " + std::to_string(world.size() + 1) +
                               " groups need at least"));
}

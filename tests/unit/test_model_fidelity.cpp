// Model fidelity checks of issue 7: DAG deadlines that do not charge a child for waiting on
// its parents, and the two-level Alibaba 2017 scenarios of source study 3 in which the
// global scheduler is really used.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cluster_test_support.hpp"
#include "engine/cluster/episode.hpp"
#include "engine/experiment/comparison.hpp"
#include "engine/experiment/scenario.hpp"
#include "mpi/communicator.hpp"
#include "workload_test_support.hpp"
#include "workloads/sla_policy.hpp"

using namespace marlsim;

TEST_CASE("fidelity: a chain DAG on an idle cluster meets every deadline (critical-path deadlines)", "[cluster][sla]") {
  // Five production tasks (slack 1.5) of 10 s each, all arriving at 0 as a DAG job does, each
  // waiting for the one before: task k can end no earlier than 10 (k + 1) s. Deadlines from
  // arrival + 1.5 x its own run time (15 s) would fail every task from the second on.
  std::vector<TaskSpec> tasks;
  for (std::uint64_t k = 0; k < 5; ++k) {
    TaskSpec t;
    t.id = k;
    t.job = 0;
    t.cores = 1;
    t.work_core_s = 10;
    t.memory_gb = 1;
    t.priority = PriorityClass::Production;
    if (k > 0) t.parents = {k - 1};
    tasks.push_back(t);
  }
  apply_sla(tasks, SlaPolicy{});
  for (std::uint64_t k = 0; k < 5; ++k) CHECK(tasks[k].deadline_s == Approx(1.5 * 10.0 * static_cast<double>(k + 1)));

  const Scenario s = parse_scenario("[cluster]\nnodes = 2\n[run]\nepisodes = 1\n", "chain.toml");
  ClusterSpec cluster;
  cluster.tier_names = {"test"};
  for (int i = 0; i < 2; ++i) cluster.nodes.push_back(NodeSpec{8, 16, 1.0, 0, 0, 0});
  const EpisodeResult r = test::run(s, cluster, tasks);
  REQUIRE(r.metrics.completed == 5);
  CHECK(r.metrics.sla_pct == 100.0);

  // A task without parents keeps arrival + slack x run time.
  tasks[3].parents.clear();
  apply_sla(tasks, SlaPolicy{});
  CHECK(tasks[3].deadline_s == Approx(15.0));
  CHECK(tasks[4].deadline_s == Approx(30.0));  // its chain now starts at task 3
}

TEST_CASE("fidelity: cluster.new_per_episode draws a new cluster for every episode", "[cluster][scenario]") {
  const std::string toml = "[cluster]\nnodes = 20\n[run]\nseed = 3\nepisodes = 2\n";
  const Scenario fixed = parse_scenario(toml, "fixed.toml");
  const Scenario fresh = parse_scenario(toml, "fresh.toml", {"cluster.new_per_episode=true"});
  auto cores = [](const ClusterSpec& c) {
    std::vector<double> v;
    for (const NodeSpec& n : c.nodes) v.push_back(n.cores * 1000 + n.memory_gb);
    return v;
  };
  CHECK(cores(build_cluster(fixed, nullptr, 0)) == cores(build_cluster(fixed, nullptr, 1)));
  CHECK(cores(build_cluster(fresh, nullptr, 0)) != cores(build_cluster(fresh, nullptr, 1)));
  CHECK(cores(build_cluster(fresh, nullptr, 1)) == cores(build_cluster(fresh, nullptr, 1)));  // reproducible
  CHECK(build_cluster(fresh, nullptr, 1).nodes.size() == 20);

  // Every episode completes on its own cluster.
  const Communicator self(MPI_COMM_SELF);
  const ComparisonResult r = run_comparison(self, fresh, nullptr);
  REQUIRE(r.policies.size() == 1);
  for (const EpisodeMetrics& m : r.policies[0].episodes) CHECK(m.completed == m.tasks);

  CHECK_THROWS_WITH(
      parse_scenario("[cluster]\nsource = \"trace\"\nnew_per_episode = true\n[workload]\nkind = \"swf\"\n"
                     "[workload.trace]\npath = \"x\"\n",
                     "t.toml"),
      Catch::Contains("t.toml:3: cluster.new_per_episode: applies only to cluster.source = \"seed-study\""));
}

TEST_CASE("fidelity: source study 3's two-level scenarios spill, and the global policies differ", "[cluster][traces]") {
  MARLSIM_REQUIRE_TRACE("alibaba_v2017/batch_task.csv.gz");
  const std::string file = std::string(MARLSIM_SOURCE_DIR) + "/configs/hierrl-alibaba2017.toml";
  const Communicator self(MPI_COMM_SELF);
  for (const int nodes : {2, 3, 4, 5}) {
    for (const int tasks : {52, 171, 292}) {
      INFO(nodes << " nodes, " << tasks << " tasks");
      const Scenario s = load_scenario(file, {"cluster.nodes=" + std::to_string(nodes),
                                              "workload.trace.max_tasks=" + std::to_string(tasks), "run.episodes=3"});
      REQUIRE(s.scheduler.policies == std::vector<std::string>{"ray-hybrid", "random", "least-loaded"});
      const ComparisonResult r = run_comparison(self, s, nullptr);
      CHECK(r.tasks_first_episode == static_cast<std::uint64_t>(tasks));
      std::vector<double> completion;
      for (const PolicyEpisodes& p : r.policies) {
        double spills = 0, sum = 0;
        for (const EpisodeMetrics& m : p.episodes) {
          REQUIRE(m.completed == m.tasks);
          spills += static_cast<double>(m.spills);
          sum += m.mean_completion_s;
        }
        CHECK(spills > 0);  // local queues fill: the global scheduler is used
        completion.push_back(sum);
      }
      CHECK(completion[0] != completion[1]);
      CHECK(completion[0] != completion[2]);
      CHECK(completion[1] != completion[2]);
    }
  }
}

// The cluster model's main property: an episode gives the same results for any number of
// ranks and either partition. Each case runs on the world communicator and on MPI_COMM_SELF
// (the one-rank reference, plain sequential mode), and compares the checksum, every
// partition-independent metric and, on rank 0, every task and node record.
//
// Not compared with the reference: wall_s and decision_latency_wall_us (wall clock),
// remote_events (depends on the partition by definition) and windows (the one-rank run has
// no windows to agree on; it runs each chunk as one window). Windows are compared between
// the block and round-robin partitions of the same world run instead.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <omp.h>

#include "engine/cluster/episode.hpp"
#include "engine/experiment/comparison.hpp"
#include "engine/experiment/episode_inputs.hpp"
#include "engine/experiment/scenario.hpp"
#include "mpi/communicator.hpp"
#include "workloads/seed_study_workload.hpp"
#include "workloads/task_table.hpp"

using namespace marlsim;

namespace {

const char* const kToml = R"(
name = "cluster-determinism"
[cluster]
nodes = 24
network_latency_s = 0.005
[workload]
tasks = 240
target_utilization = 0.85
[scheduler]
topology = "centralized"
policy = "least-loaded"
queue = "fcfs"
decision_latency_s = 0.01
report_period_s = 4                  # decentralized: fewer report ticks, fewer windows
[run]
seed = 5
episodes = 1
)";

Scenario scenario_with(const std::vector<std::string>& overrides) {
  return parse_scenario(kToml, "cluster-determinism.toml", overrides);
}

// Every metric that must not depend on the partition; REQUIREd equal on every rank (the
// metrics are broadcast, so every rank passes or fails together).
void require_same_metrics(const EpisodeMetrics& a, const EpisodeMetrics& b) {
  REQUIRE(a.tasks == b.tasks);
  REQUIRE(a.completed == b.completed);
  REQUIRE(a.unschedulable == b.unschedulable);
  REQUIRE(a.blocked == b.blocked);
  REQUIRE(a.incomplete == b.incomplete);
  REQUIRE(a.mean_completion_s == b.mean_completion_s);
  REQUIRE(a.p50_completion_s == b.p50_completion_s);
  REQUIRE(a.p95_completion_s == b.p95_completion_s);
  REQUIRE(a.p99_completion_s == b.p99_completion_s);
  REQUIRE(a.mean_wait_s == b.mean_wait_s);
  REQUIRE(a.mean_slowdown == b.mean_slowdown);
  REQUIRE(a.makespan_s == b.makespan_s);
  REQUIRE(a.sla_pct == b.sla_pct);
  REQUIRE(a.energy_j == b.energy_j);
  REQUIRE(a.energy_kwh == b.energy_kwh);
  REQUIRE(a.utilization_pct == b.utilization_pct);
  // The steady-state measures (NaN only for an empty window or half-window: equal then too).
  const auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
  REQUIRE(a.measured_tasks == b.measured_tasks);
  REQUIRE(same(a.wait_drift_s, b.wait_drift_s));
  REQUIRE(a.speed_weighted_utilization_pct == b.speed_weighted_utilization_pct);
  REQUIRE(a.arrival_window_s == b.arrival_window_s);
  REQUIRE(same(a.arrival_window_utilization_pct, b.arrival_window_utilization_pct));
  REQUIRE(same(a.arrival_window_speed_weighted_utilization_pct, b.arrival_window_speed_weighted_utilization_pct));
  REQUIRE(a.throughput_per_s == b.throughput_per_s);
  REQUIRE(a.reschedules == b.reschedules);
  REQUIRE(a.failures == b.failures);
  REQUIRE(a.decisions == b.decisions);
  REQUIRE(a.decision_latency_sim_s == b.decision_latency_sim_s);
  REQUIRE(a.events == b.events);
  // Coordination: messages, what decisions saw, the reports agents lost.
  REQUIRE(a.messages_per_agent == b.messages_per_agent);
  REQUIRE(a.bytes_per_agent == b.bytes_per_agent);
  REQUIRE(same(a.mean_staleness_s, b.mean_staleness_s));
  REQUIRE(same(a.p95_staleness_s, b.p95_staleness_s));
  REQUIRE(same(a.unreported_candidates_pct, b.unreported_candidates_pct));
  REQUIRE(a.reports_lost == b.reports_lost);
}

// Rank 0 only holds records: CHECK (not REQUIRE) so that a mismatch never makes rank 0 skip
// a collective the other ranks enter.
void check_same_records(const EpisodeResult& a, const EpisodeResult& b) {
  CHECK(a.unschedulable == b.unschedulable);
  CHECK(a.blocked == b.blocked);
  CHECK(a.tasks.size() == b.tasks.size());
  CHECK(a.nodes.size() == b.nodes.size());
  std::size_t task_diffs = 0, node_diffs = 0;
  for (std::size_t i = 0; i < std::min(a.tasks.size(), b.tasks.size()); ++i) {
    const TaskRecord &x = a.tasks[i], &y = b.tasks[i];
    if (x.task != y.task || x.node != y.node || x.reschedules != y.reschedules || x.ready != y.ready ||
        x.start != y.start || x.end != y.end)
      ++task_diffs;
  }
  for (std::size_t i = 0; i < std::min(a.nodes.size(), b.nodes.size()); ++i) {
    const NodeRecord &x = a.nodes[i], &y = b.nodes[i];
    if (x.node != y.node || x.failures != y.failures || x.busy_core_s != y.busy_core_s ||
        x.window_busy_core_s != y.window_busy_core_s || x.energy_j != y.energy_j || x.tasks_run != y.tasks_run)
      ++node_diffs;
  }
  CHECK(task_diffs == 0);
  CHECK(node_diffs == 0);
}

struct Case {
  std::string name;
  std::vector<std::string> overrides;
  bool dag = false;
  bool instance_groups = false;  // a DAG between instance groups (make_instance_groups)
};

// Task i waits on task i - 1 - (i % 7) when i % 3 == 0 (i >= 8), and also on i / 2 when
// i % 10 == 0; task 17 asks for more cores than any node (unschedulable), so its child 25
// and grandchild 60 are blocked.
void make_dag(std::vector<TaskSpec>& tasks) {
  for (std::size_t i = 8; i < tasks.size(); ++i) {
    if (i % 3 == 0) tasks[i].parents.push_back(i - 1 - (i % 7));
    if (i % 10 == 0 && (tasks[i].parents.empty() || tasks[i].parents.front() != i / 2))
      tasks[i].parents.push_back(i / 2);
  }
  if (tasks.size() > 60) {
    tasks[17].cores = 1000;
    tasks[25].parents.push_back(17);
    tasks[60].parents.push_back(25);
  }
}

// Instance groups of consecutive tasks, sizes cycling 1, 2, 3, 4; from the fourth group on,
// each waits on the group two before it and every fifth also on the first group. Group 16
// asks for more cores than any node, so it and every even group after it never run.
void make_instance_groups(std::vector<TaskSpec>& tasks) {
  std::vector<std::uint64_t> first;
  for (std::uint64_t i = 0, size = 1; i < tasks.size(); i += size, size = size % 4 + 1) first.push_back(i);
  for (std::size_t g = 0; g < first.size(); ++g) {
    std::vector<std::uint64_t> parents;
    if (g >= 3 && g % 5 == 0) parents.push_back(first[0]);
    if (g >= 3) parents.push_back(first[g - 2]);
    const std::uint64_t end = g + 1 < first.size() ? first[g + 1] : tasks.size();
    for (std::uint64_t i = first[g]; i < end; ++i) {
      tasks[i].instance = static_cast<std::uint32_t>(i - first[g]);
      tasks[i].parents = parents;
      if (g == 16) tasks[i].cores = 1000;
    }
  }
}

void run_case(const Case& c) {
  const Communicator world;
  const Communicator self(MPI_COMM_SELF);
  const Scenario s = scenario_with(c.overrides);
  const ClusterSpec cluster = build_cluster(s, nullptr);
  std::vector<TaskSpec> tasks = build_tasks(s, cluster, nullptr, 0);
  if (c.dag) make_dag(tasks);
  if (c.instance_groups) make_instance_groups(tasks);
  const std::string& policy = s.scheduler.policies.front();

  const TaskTable table = TaskTable::view(tasks, cluster);
  const EpisodeResult parallel = run_episode(world, {&s, &cluster, &table, policy, 0});
  const EpisodeResult reference = run_episode(self, {&s, &cluster, &table, policy, 0});
  INFO(c.name << " at " << world.size() << " rank(s): " << parallel.metrics.completed << " of "
              << parallel.metrics.tasks << " completed, " << parallel.metrics.failures << " failures, "
              << parallel.metrics.remote_events << " remote events");
  // The case means something: the tasks ran (all of them, unless the DAG blocks some).
  REQUIRE(parallel.metrics.completed > 0);
  REQUIRE(parallel.metrics.incomplete == 0);
  if (!c.dag && !c.instance_groups) REQUIRE(parallel.metrics.completed == parallel.metrics.tasks);
  else REQUIRE(parallel.metrics.blocked > 0);
  if (world.size() > 1) REQUIRE(parallel.metrics.remote_events > 0);

  if (std::getenv("MARLSIM_TEST_VERBOSE") != nullptr && world.is_root())
    std::printf("%s: %llu windows, %llu events, %.2f s\n", c.name.c_str(),
                static_cast<unsigned long long>(parallel.metrics.windows),
                static_cast<unsigned long long>(parallel.metrics.events), parallel.metrics.wall_s);
  REQUIRE(parallel.checksum == reference.checksum);
  require_same_metrics(parallel.metrics, reference.metrics);
  if (world.is_root()) check_same_records(parallel, reference);
}

}  // namespace

TEST_CASE("cluster: every topology gives the same episode at any rank count", "[cluster][determinism]") {
  const std::vector<std::string> failures{"cluster.failures.distribution=exponential", "cluster.failures.mtbf_s=150",
                                          "cluster.failures.mttr_s=20"};
  std::vector<Case> cases{
      {"centralized", {"scheduler.topology=centralized"}},
      {"centralized, weighted-rr (its pass over every node)", {"scheduler.policy=weighted-rr"}},
      {"centralized, batched, K = 4",
       {"scheduler.batch_interval_s=0.5", "scheduler.candidates=4", "scheduler.policy=priority-minmin"}},
      {"two-level", {"scheduler.topology=two-level", "scheduler.policy=ray-hybrid"}},
      // More candidates than its 100 draws: the sample (drawn from the scheduler's stream) is used.
      {"two-level, ray-hybrid-sampled, 240 nodes",
       {"scheduler.topology=two-level", "scheduler.policy=ray-hybrid-sampled", "cluster.nodes=240",
        "workload.tasks=1200"}},
      {"decentralized limited", {"scheduler.topology=decentralized", "scheduler.sharing=limited"}},
      // An odd count: a node at a block's edge hears from the next rank but reports only to its
      // own, so its ticks run off the kernel beside reports that arrive as events (report_board.hpp).
      {"decentralized limited, 3 neighbours", {"scheduler.topology=decentralized", "scheduler.neighbours=3"}},
      {"decentralized global",
       {"scheduler.topology=decentralized", "scheduler.sharing=global", "scheduler.policy=best-fit"}},
      // Partial observability: each agent draws its losses from its own stream.
      {"decentralized limited, 3 neighbours, observation loss 0.5",
       {"scheduler.topology=decentralized", "scheduler.neighbours=3", "agents.observation_loss=0.5"}},
      {"decentralized limited, reports on change, observation loss 0.8",
       {"scheduler.topology=decentralized", "scheduler.report_period_s=0", "agents.observation_loss=0.8"}},
      {"decentralized global, observation loss 0.2",
       {"scheduler.topology=decentralized", "scheduler.sharing=global", "agents.observation_loss=0.2"}},
      // Reports on change, rate-limited, extrapolated by the receivers (report_extrapolation.hpp).
      {"decentralized limited, reports on change",
       {"scheduler.topology=decentralized", "scheduler.report=on-change", "scheduler.policy=best-fit"}},
      {"decentralized global, reports on change, observation loss 0.3",
       {"scheduler.topology=decentralized", "scheduler.sharing=global", "scheduler.report=on-change",
        "agents.observation_loss=0.3"}},
  };
  const std::size_t plain = cases.size();
  for (std::size_t i = 0; i < plain; ++i) {
    Case f = cases[i];
    f.name += ", failures";
    f.overrides.insert(f.overrides.end(), failures.begin(), failures.end());
    cases.push_back(f);
  }
  for (const Case& c : cases) run_case(c);
}

// The learned policies sample from each deciding LP's own stream and evaluate every decision's
// rows bit-identically whatever shares its batch (hrac: per role network, its attention over the
// decision's own candidates): the same episode at any rank count, and with 1 or 2 OpenMP threads
// (the one-rank reference runs on one thread).
TEST_CASE("cluster: the learned policies give the same episode at any rank and thread count",
          "[cluster][determinism]") {
  const Communicator world;
  const Communicator self(MPI_COMM_SELF);
  const std::vector<Case> cases{
      {"actor-critic, centralized, K = 8", {"scheduler.topology=centralized", "scheduler.candidates=8"}},
      {"actor-critic, centralized, batched, K = 4", {"scheduler.batch_interval_s=0.5", "scheduler.candidates=4"}},
      {"actor-critic, decentralized limited", {"scheduler.topology=decentralized", "scheduler.sharing=limited"}},
      {"actor-critic, decentralized, local only", {"scheduler.topology=decentralized", "scheduler.sharing=none"}},
      {"actor-critic, decentralized limited, observation loss 0.5",
       {"scheduler.topology=decentralized", "agents.observation_loss=0.5"}},
      {"actor-critic, decentralized limited, reports on change",
       {"scheduler.topology=decentralized", "scheduler.report=on-change"}},
  };
  const int threads_before = omp_get_max_threads();
  std::vector<std::pair<std::string, Case>> runs;
  for (const Case& c : cases)
    for (const std::string policy : {"decentralized-ac", "hrac"}) runs.emplace_back(policy, c);
  runs.emplace_back("hrac", Case{"two-level", {"scheduler.topology=two-level"}});
  runs.emplace_back("hrac",
                    Case{"decentralized, one role", {"scheduler.topology=decentralized", "agents.roles=single"}});
  // hierrl: the high level at the scheduler, the low level as every node's queue discipline.
  runs.emplace_back("hierrl", Case{"two-level", {"scheduler.topology=two-level"}});
  runs.emplace_back("hierrl", Case{"centralized, K = 4, failures",
                                   {"scheduler.topology=centralized", "scheduler.candidates=4",
                                    "cluster.failures.distribution=exponential", "cluster.failures.mtbf_s=150",
                                    "cluster.failures.mttr_s=20"}});
  for (const auto& [policy, c] : runs) {
    std::vector<std::string> overrides = c.overrides;
    overrides.push_back("scheduler.policy=" + policy);
    overrides.push_back("agents.hidden_widths=[48, 144]");
    const Scenario s = scenario_with(overrides);
    const ClusterSpec cluster = build_cluster(s, nullptr);
    const std::vector<TaskSpec> tasks = build_tasks(s, cluster, nullptr, 0);
    const TaskTable table = TaskTable::view(tasks, cluster);
    omp_set_num_threads(1);
    const EpisodeResult reference = run_episode(self, {&s, &cluster, &table, policy, 0});
    for (const int threads : {1, 2}) {
      omp_set_num_threads(threads);
      const EpisodeResult parallel = run_episode(world, {&s, &cluster, &table, policy, 0});
      INFO(policy << ", " << c.name << " at " << world.size() << " rank(s), " << threads << " thread(s)");
      REQUIRE(parallel.metrics.completed == parallel.metrics.tasks);
      REQUIRE(parallel.checksum == reference.checksum);
      require_same_metrics(parallel.metrics, reference.metrics);
      if (world.is_root()) check_same_records(parallel, reference);
    }
  }
  omp_set_num_threads(threads_before);
}

TEST_CASE("cluster: a DAG workload with an unschedulable task is partition-independent", "[cluster][determinism]") {
  for (const std::string topology : {"centralized", "two-level", "decentralized"})
    run_case({"DAG, " + topology, {"scheduler.topology=" + topology}, true});
  run_case({"DAG, decentralized global, failures",
            {"scheduler.topology=decentralized", "scheduler.sharing=global", "cluster.failures.distribution=weibull",
             "cluster.failures.weibull_shape=0.7", "cluster.failures.mtbf_s=150"},
            true});
}

TEST_CASE("cluster: a DAG between instance groups is partition-independent", "[cluster][determinism]") {
  for (const std::string topology : {"centralized", "two-level", "decentralized"})
    run_case({"instance groups, " + topology, {"scheduler.topology=" + topology}, false, true});
  run_case({"instance groups, centralized, failures",
            {"cluster.failures.distribution=exponential", "cluster.failures.mtbf_s=150", "cluster.failures.mttr_s=20"},
            false,
            true});
}

TEST_CASE("cluster: the round-robin partition gives the same episode and windows as block", "[cluster][determinism]") {
  const std::vector<std::string> base{"scheduler.topology=decentralized", "scheduler.sharing=limited",
                                      "cluster.failures.distribution=exponential", "cluster.failures.mtbf_s=150"};
  std::vector<std::string> rr = base;
  rr.push_back("run.partition=round-robin");
  run_case({"decentralized limited, failures, round-robin", rr});
  run_case({"centralized, round-robin", {"run.partition=round-robin"}});
  run_case({"centralized, round-robin, 2 s warm-up", {"run.partition=round-robin", "run.warmup_s=2"}});

  // Both world runs use windows when there is more than one rank: their counts agree.
  const Communicator world;
  const Scenario block_s = scenario_with(base);
  const Scenario rr_s = scenario_with(rr);
  const ClusterSpec cluster = build_cluster(block_s, nullptr);
  const std::vector<TaskSpec> tasks = build_tasks(block_s, cluster, nullptr, 0);
  const TaskTable table = TaskTable::view(tasks, cluster);
  const EpisodeResult a = run_episode(world, {&block_s, &cluster, &table, "least-loaded", 0});
  const EpisodeResult b = run_episode(world, {&rr_s, &cluster, &table, "least-loaded", 0});
  REQUIRE(a.checksum == b.checksum);
  REQUIRE(a.metrics.windows == b.metrics.windows);
  require_same_metrics(a.metrics, b.metrics);
}

TEST_CASE("cluster: decisions batched at the window end give the same episode at any rank count",
          "[cluster][determinism][batcher]") {
  // Every heuristic, each deciding topology; the batcher's window hook dispatches the
  // decisions, so it sends events (kAssign) from outside any handler.
  const std::vector<std::string> window{"scheduler.decide=window-end"};
  const std::vector<std::string> failures{"cluster.failures.distribution=exponential", "cluster.failures.mtbf_s=150",
                                          "cluster.failures.mttr_s=20"};
  std::vector<Case> cases;
  for (const std::string policy : {"random", "weighted-rr", "priority-minmin", "least-loaded", "best-fit"}) {
    cases.push_back({"window-end, centralized, " + policy, {"scheduler.policy=" + policy}});
    cases.push_back({"window-end, decentralized limited, " + policy,
                     {"scheduler.topology=decentralized", "scheduler.policy=" + policy}});
  }
  cases.push_back(
      {"window-end, decentralized, ray-hybrid", {"scheduler.topology=decentralized", "scheduler.policy=ray-hybrid"}});
  cases.push_back(
      {"window-end, two-level, ray-hybrid", {"scheduler.topology=two-level", "scheduler.policy=ray-hybrid"}});
  cases.push_back({"window-end, centralized, batched, K = 4, failures",
                   {"scheduler.batch_interval_s=0.5", "scheduler.candidates=4", "scheduler.policy=priority-minmin"}});
  cases.back().overrides.insert(cases.back().overrides.end(), failures.begin(), failures.end());
  cases.push_back({"window-end, decentralized global, failures",
                   {"scheduler.topology=decentralized", "scheduler.sharing=global", "scheduler.policy=least-loaded"}});
  cases.back().overrides.insert(cases.back().overrides.end(), failures.begin(), failures.end());
  cases.push_back({"window-end, decentralized limited, reports on change",
                   {"scheduler.topology=decentralized", "scheduler.report=on-change", "scheduler.policy=best-fit"}});
  for (Case& c : cases) {
    c.overrides.insert(c.overrides.end(), window.begin(), window.end());
    run_case(c);
  }
  // Decision cycles: every request of a rank's cycle in one batch.
  for (const std::string topology : {"centralized", "decentralized", "two-level"})
    for (const std::string policy : {"random", "weighted-rr", "least-loaded", "decentralized-ac", "hrac", "hierrl"}) {
      if (policy == "hierrl" && topology == "decentralized") continue;  // refused there (no global scheduler)
      run_case({"cycles of 0.5 s, " + topology + ", " + policy,
                {"agents.decision_period_s=0.5", "scheduler.topology=" + topology, "scheduler.policy=" + policy}});
    }
  run_case({"cycles of 0.5 s, decentralized, reports on change, decentralized-ac",
            {"agents.decision_period_s=0.5", "scheduler.topology=decentralized", "scheduler.report=on-change",
             "scheduler.policy=decentralized-ac"}});
}

// Batched episodes (engine/cluster/episode.hpp: run_episodes): episodes side by side in one
// kernel, their decisions sharing the policy's batches. Each must give exactly what it gives
// alone on one rank and one thread, whatever company it keeps, at any rank and thread count.
TEST_CASE("cluster: a batched episode gives what it gives alone, beside any others, at any rank and thread count",
          "[cluster][determinism][batched]") {
  const Communicator world;
  const Communicator self(MPI_COMM_SELF);
  const std::vector<std::string> failures{"cluster.failures.distribution=exponential", "cluster.failures.mtbf_s=150",
                                          "cluster.failures.mttr_s=20"};
  std::vector<Case> cases{
      {"decentralized-ac, decentralized limited, cycles of 0.1 s",
       {"scheduler.topology=decentralized", "scheduler.policy=decentralized-ac", "agents.decision_period_s=0.1",
        "agents.hidden_widths=[48, 144]"}},
      {"hrac, centralized, cycles of 0.1 s",
       {"scheduler.policy=hrac", "agents.decision_period_s=0.1", "agents.hidden_widths=[48, 144]"}},
      {"least-loaded, two-level, cycles of 0.5 s, failures",
       {"scheduler.topology=two-level", "agents.decision_period_s=0.5"}},
      {"random, decentralized global, at once, failures",
       {"scheduler.topology=decentralized", "scheduler.sharing=global", "scheduler.policy=random"}},
  };
  for (std::size_t i = 2; i < cases.size(); ++i)
    cases[i].overrides.insert(cases[i].overrides.end(), failures.begin(), failures.end());
  const int threads_before = omp_get_max_threads();
  for (const Case& c : cases) {
    const Scenario s = scenario_with(c.overrides);
    const ClusterSpec cluster = build_cluster(s, nullptr);
    const std::string& policy = s.scheduler.policies.front();
    std::vector<std::vector<TaskSpec>> tasks;
    std::vector<TaskTable> tables;
    std::vector<EpisodeInput> inputs;
    for (std::uint64_t e = 0; e < 3; ++e) tasks.push_back(build_tasks(s, cluster, nullptr, e));
    for (std::uint64_t e = 0; e < 3; ++e) tables.push_back(TaskTable::view(tasks[e], cluster));
    for (std::uint64_t e = 0; e < 3; ++e) inputs.push_back({&s, &cluster, &tables[e], policy, e});
    omp_set_num_threads(1);
    std::vector<EpisodeResult> alone;
    for (const EpisodeInput& in : inputs) alone.push_back(run_episode(self, in));
    // Every episode in one kernel, and two of them in the other order.
    const std::vector<std::vector<std::size_t>> companies{{0, 1, 2}, {2, 0}};
    for (const int threads : {1, 2}) {
      omp_set_num_threads(threads);
      for (const auto& company : companies) {
        std::vector<EpisodeInput> batch;
        for (std::size_t e : company) batch.push_back(inputs[e]);
        const std::vector<EpisodeResult> batched = run_episodes(world, batch);
        for (std::size_t k = 0; k < company.size(); ++k) {
          const EpisodeResult& a = batched[k];
          const EpisodeResult& b = alone[company[k]];
          INFO(c.name << ": episode " << company[k] << " of " << company.size() << " at " << world.size()
                      << " rank(s), " << threads << " thread(s)");
          REQUIRE(a.metrics.completed > 0);
          REQUIRE(a.metrics.batched_episodes == company.size());
          REQUIRE(a.checksum == b.checksum);
          require_same_metrics(a.metrics, b.metrics);
          if (world.is_root()) check_same_records(a, b);
        }
      }
    }
    // The batches are shared: the three episodes' decisions make fewer, larger batches.
    if (s.agents.decision_period_s > 0) {
      omp_set_num_threads(1);
      const EpisodeMetrics together = run_episodes(self, inputs).front().metrics;
      INFO(c.name << ": " << together.mean_decision_batch << " per batch together, "
                  << alone[0].metrics.mean_decision_batch << " alone");
      REQUIRE(together.mean_decision_batch > alone[0].metrics.mean_decision_batch);
    }
  }
  omp_set_num_threads(threads_before);
}

// A generated stream replayed in chunks (workloads/task_table.hpp): a rank that holds one chunk
// of 7 tasks makes chunks again and again (every request waiting for a window end, every
// dispatch still in flight, every queued task in another chunk), yet the episode is the same as
// with a cache that holds every chunk and as with the whole stream, at any rank count.
TEST_CASE("cluster: a replayed task stream gives the same episode whatever its cache size",
          "[cluster][determinism][task_table]") {
  const Communicator world;
  const Communicator self(MPI_COMM_SELF);
  const std::vector<std::string> failures{"cluster.failures.distribution=exponential", "cluster.failures.mtbf_s=150",
                                          "cluster.failures.mttr_s=20"};
  const std::vector<Case> cases{
      {"centralized", {"scheduler.topology=centralized"}},
      {"centralized, window-end, failures", {"scheduler.decide=window-end", failures[0], failures[1], failures[2]}},
      {"centralized, batched, K = 4",
       {"scheduler.batch_interval_s=0.5", "scheduler.candidates=4", "scheduler.policy=priority-minmin"}},
      {"two-level", {"scheduler.topology=two-level", "scheduler.policy=ray-hybrid"}},
      {"decentralized limited, window-end, failures",
       {"scheduler.topology=decentralized", "scheduler.decide=window-end", failures[0], failures[1], failures[2]}},
      {"decentralized global, reports on change",
       {"scheduler.topology=decentralized", "scheduler.sharing=global", "scheduler.report=on-change"}},
      {"actor-critic, decentralized, decision cycles",
       {"scheduler.topology=decentralized", "scheduler.policy=decentralized-ac", "agents.decision_period_s=0.5"}},
  };
  for (const Case& c : cases) {
    const Scenario s = scenario_with(c.overrides);
    const ClusterSpec cluster = build_cluster(s, nullptr);
    const std::string& policy = s.scheduler.policies.front();
    const std::vector<TaskSpec> tasks = build_tasks(s, cluster, nullptr, 0);
    const TaskTable whole = TaskTable::view(tasks, cluster);
    const auto replayed = [&](std::uint64_t cache_chunks) {
      return seed_study_task_table(s.workload.synthetic, cluster, s.run.seed, 0, {7, cache_chunks});
    };
    const TaskTable tiny = replayed(1), huge = replayed(1000);
    const EpisodeResult reference = run_episode(self, {&s, &cluster, &whole, policy, 0});
    const EpisodeResult with_tiny = run_episode(world, {&s, &cluster, &tiny, policy, 0});
    const EpisodeResult with_huge = run_episode(world, {&s, &cluster, &huge, policy, 0});
    INFO(c.name << " at " << world.size() << " rank(s): " << tiny.chunks_made() << " chunks made with one held, "
                << huge.chunks_made() << " with all held");
    REQUIRE(with_tiny.metrics.completed == with_tiny.metrics.tasks);
    REQUIRE(with_tiny.checksum == reference.checksum);
    REQUIRE(with_huge.checksum == reference.checksum);
    require_same_metrics(with_tiny.metrics, reference.metrics);
    require_same_metrics(with_huge.metrics, reference.metrics);
    if (world.is_root()) {
      check_same_records(with_tiny, reference);
      check_same_records(with_huge, reference);
      // The case means something: one chunk held, so chunks were made again (rank 0 reads
      // every completed task's spec in id order for the metrics, and its LPs' tasks before).
      const std::uint64_t chunks = (tasks.size() + 6) / 7;
      CHECK(huge.chunks_made() <= chunks);
      CHECK(tiny.chunks_made() > chunks);
    }
  }
}

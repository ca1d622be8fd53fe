// The cluster model through run_episode, on small hand-built clusters and task lists whose
// right answers are worked out by hand in the comments. Latencies are 1 ms everywhere, so in
// the centralized topology a task reaches its node 2 ms after it is submitted (source ->
// scheduler: network 1 ms; scheduler -> node: decision 1 ms).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cluster_test_support.hpp"
#include "engine/cluster/episode.hpp"
#include "engine/experiment/comparison.hpp"
#include "engine/experiment/episode_inputs.hpp"
#include "engine/experiment/scenario.hpp"
#include "engine/support/input_error.hpp"
#include "mpi/communicator.hpp"
#include "mpi/hdf5/results_file.hpp"
#include "mpi/hdf5/results_reader.hpp"
#include "workload_test_support.hpp"

using namespace marlsim;
using namespace marlsim::test;
using Catch::Matchers::Contains;

namespace {

constexpr double kMs = 0.001;

const char* const kBaseToml = R"(
name = "cluster-model-test"
[cluster]
nodes = 4
network_latency_s = 0.001
[scheduler]
topology = "centralized"
policy = "random"
queue = "fcfs"
decision_latency_s = 0.001
[run]
seed = 7
episodes = 1
)";

// The base scenario with `--set`-style overrides ("scheduler.topology=two-level").
Scenario scenario_with(const std::vector<std::string>& overrides = {}) {
  return parse_scenario(kBaseToml, "cluster-model-test.toml", overrides);
}

// Many small tasks on a few nodes of different sizes and speeds, under contention.
std::vector<TaskSpec> busy_stream(std::size_t n, double max_cores) {
  std::vector<TaskSpec> tasks;
  for (std::size_t i = 0; i < n; ++i) {
    const double cores = 1 + static_cast<double>(i % static_cast<std::size_t>(max_cores));
    const double runtime = 5 + static_cast<double>((i * 7) % 23);
    tasks.push_back(make_task(i, 0.5 * static_cast<double>(i), cores, runtime, 1 + static_cast<double>(i % 5)));
  }
  return tasks;
}

ClusterSpec mixed_cluster(std::size_t n) {
  std::vector<NodeSpec> nodes;
  for (std::size_t i = 0; i < n; ++i)
    nodes.push_back(make_node(4 + 4 * static_cast<double>(i % 3), 32, 0.8 + 0.2 * static_cast<double>(i % 3), 50, 100));
  return make_cluster(nodes);
}

}  // namespace

TEST_CASE("cluster: one task on one node: run time, energy in J and kWh, utilization, SLA, wait", "[cluster]") {
  const Scenario s = scenario_with();
  // 4 cores at speed 2, idle 100 W, dynamic 200 W at full use.
  const ClusterSpec fast = make_cluster({make_node(4, 16, 2.0, 100, 200)});
  // 2 cores, 20 s at speed 1 (work 40 core-s): 40 / (2 x 2) = 10 s at speed 2. Arrives at
  // 0, reaches the node at 2 ms, so start 0.002 s, end 10.002 s. Deadlines: 11 s (met) and
  // 10.001 s (missed by 1 ms).
  std::vector<TaskSpec> tasks{make_task(0, 0.0, 2, 20.0, 4, {}, 11.0)};

  const EpisodeResult r = run(s, fast, tasks);
  require_accounted(r, 1, 1);
  REQUIRE(r.metrics.completed == 1);
  const TaskRecord& t = r.tasks[0];
  CHECK(t.node == 0);
  CHECK(t.ready == 0);
  CHECK(t.start == from_seconds(2 * kMs));
  CHECK(t.end - t.start == from_seconds(10.0));  // work / (cores x speed)

  const double makespan = 10.002;
  CHECK(r.metrics.makespan_s == Approx(makespan).epsilon(1e-12));
  CHECK(r.metrics.mean_wait_s == Approx(0.002).epsilon(1e-9));
  CHECK(r.metrics.mean_completion_s == Approx(10.002).epsilon(1e-12));  // end - arrival
  CHECK(r.metrics.sla_pct == Approx(100.0));
  // Energy: idle x makespan + dynamic x (2 of 4 cores) x 10 s = 100 x 10.002 + 200 x 0.5 x 10
  // = 1000.2 + 1000 = 2000.2 J = 2000.2 / 3.6e6 kWh.
  CHECK(r.metrics.energy_j == Approx(2000.2).epsilon(1e-9));
  CHECK(r.metrics.energy_kwh == Approx(2000.2 / 3.6e6).epsilon(1e-9));
  REQUIRE(r.nodes.size() == 1);
  CHECK(r.nodes[0].energy_j == Approx(2000.2).epsilon(1e-9));
  CHECK(r.nodes[0].busy_core_s == Approx(20.0).epsilon(1e-9));  // 2 cores x 10 s
  CHECK(r.nodes[0].tasks_run == 1);
  // Utilization: 20 busy core-s over 4 cores x 10.002 s = 49.990 %.
  CHECK(r.metrics.utilization_pct == Approx(100.0 * 20.0 / (4 * makespan)).epsilon(1e-9));
  CHECK(r.metrics.throughput_per_s == Approx(1 / makespan).epsilon(1e-9));

  SECTION("a missed deadline") {
    tasks[0].deadline_s = 10.001;
    const EpisodeResult late = run(s, fast, tasks);
    CHECK(late.metrics.sla_pct == Approx(0.0));
    CHECK(late.tasks.at(0).end == t.end);
  }
  SECTION("the same task on a speed-1 node takes twice as long") {
    const ClusterSpec slow = make_cluster({make_node(4, 16, 1.0, 100, 200)});
    const EpisodeResult r1 = run(s, slow, tasks);
    REQUIRE(r1.tasks.size() == 1);
    CHECK(r1.tasks[0].end - r1.tasks[0].start == from_seconds(20.0));
    // 100 x 20.002 + 200 x 0.5 x 20 = 4000.2 J
    CHECK(r1.metrics.energy_j == Approx(4000.2).epsilon(1e-9));
    CHECK(r1.metrics.sla_pct == Approx(0.0));  // ends at 20.002 s, after the 11 s deadline
  }
  SECTION("a task arriving later waits from its arrival, not from 0") {
    tasks[0].arrival_s = 5.0;
    tasks[0].deadline_s = 1e9;
    const EpisodeResult later = run(s, fast, tasks);
    REQUIRE(later.tasks.size() == 1);
    CHECK(later.tasks[0].ready == from_seconds(5.0));
    CHECK(later.tasks[0].start == from_seconds(5.002));
    CHECK(later.metrics.mean_wait_s == Approx(0.002).epsilon(1e-6));
    CHECK(later.metrics.mean_completion_s == Approx(10.002).epsilon(1e-9));
    CHECK(later.metrics.makespan_s == Approx(15.002).epsilon(1e-12));
    // The node idles 15.002 s and runs 2 cores of 4 for 10 s: 100 x 15.002 + 100 x 10 = 2500.2 J
    CHECK(later.metrics.energy_j == Approx(2500.2).epsilon(1e-9));
  }
}

TEST_CASE("cluster: FCFS head-of-line blocking on one node, and SJF letting the short task through", "[cluster]") {
  // One node of 4 cores. T0 (2 cores, 100 s) runs from 0.002 to 100.002. T1 (4 cores, 10 s)
  // reaches the node at 1.002 and cannot start while T0 runs. T2 (1 core, 5 s) reaches it at
  // 2.002 and would fit in the 2 free cores.
  const ClusterSpec one = make_cluster({make_node(4, 16)});
  const std::vector<TaskSpec> tasks{make_task(0, 0.0, 2, 100), make_task(1, 1.0, 4, 10), make_task(2, 2.0, 1, 5)};

  SECTION("fcfs: T2 waits behind T1, which waits for T0") {
    const EpisodeResult r = run(scenario_with({"scheduler.queue=fcfs"}), one, tasks);
    require_accounted(r, 3, 1);
    REQUIRE(r.metrics.completed == 3);
    CHECK(record_of(r, 0).end == from_seconds(100.002));
    CHECK(record_of(r, 1).start == from_seconds(100.002));
    CHECK(record_of(r, 1).end == from_seconds(110.002));
    CHECK(record_of(r, 2).start == from_seconds(110.002));
    CHECK(record_of(r, 2).end == from_seconds(115.002));
    // waits 0.002, 99.002, 108.002; completions 100.002, 109.002, 113.002
    CHECK(r.metrics.mean_wait_s == Approx((0.002 + 99.002 + 108.002) / 3).epsilon(1e-9));
    CHECK(r.metrics.mean_completion_s == Approx((100.002 + 109.002 + 113.002) / 3).epsilon(1e-9));
    CHECK(r.metrics.makespan_s == Approx(115.002).epsilon(1e-12));
  }
  SECTION("sjf: T2 (5 s) goes before T1 (10 s) and starts at once") {
    const EpisodeResult r = run(scenario_with({"scheduler.queue=sjf"}), one, tasks);
    require_accounted(r, 3, 1);
    REQUIRE(r.metrics.completed == 3);
    CHECK(record_of(r, 2).start == from_seconds(2.002));
    CHECK(record_of(r, 2).end == from_seconds(7.002));
    CHECK(record_of(r, 1).start == from_seconds(100.002));
    CHECK(record_of(r, 1).end == from_seconds(110.002));
    // waits 0.002, 99.002, 0.002; completions 100.002, 109.002, 5.002
    CHECK(r.metrics.mean_wait_s == Approx((0.002 + 99.002 + 0.002) / 3).epsilon(1e-9));
    CHECK(r.metrics.mean_completion_s == Approx((100.002 + 109.002 + 5.002) / 3).epsilon(1e-9));
    CHECK(r.metrics.makespan_s == Approx(110.002).epsilon(1e-12));
  }
}

TEST_CASE("cluster: a DAG child starts only after all its parents end, plus the messages", "[cluster]") {
  const ClusterSpec two = make_cluster({make_node(4, 16), make_node(4, 16)});
  // P0 10 s and P1 20 s at 0; C (parents P0, P1) and G (parent C) also arrive at 0; L (parent
  // P0) arrives at 50 s, long after P0 is done.
  const std::vector<TaskSpec> tasks{make_task(0, 0, 1, 10), make_task(1, 0, 1, 20), make_task(2, 0, 1, 5, 1, {0, 1}),
                                    make_task(3, 0, 1, 5, 1, {2}), make_task(4, 50, 1, 5, 1, {0})};

  SECTION("centralized: exact times") {
    const EpisodeResult r = run(scenario_with(), two, tasks);
    require_accounted(r, 5, 2);
    REQUIRE(r.metrics.completed == 5);
    CHECK(record_of(r, 1).end == from_seconds(20.002));
    // P1's done message reaches the source at 20.003 (C is ready then), the scheduler at
    // 20.004, C's node at 20.005.
    CHECK(record_of(r, 2).ready == from_seconds(20.003));
    CHECK(record_of(r, 2).start == from_seconds(20.005));
    // C ends at 25.005; G is ready at 25.006 and starts at 25.008.
    CHECK(record_of(r, 2).end == from_seconds(25.005));
    CHECK(record_of(r, 3).ready == from_seconds(25.006));
    CHECK(record_of(r, 3).start == from_seconds(25.008));
    CHECK(record_of(r, 4).ready == from_seconds(50.0));
    CHECK(record_of(r, 4).start == from_seconds(50.002));
    // C's wait counts from ready (20.003), its completion from arrival (0).
    CHECK(r.metrics.mean_wait_s == Approx(0.002).epsilon(1e-6));
  }

  SECTION("every topology: start >= the latest parent end + 2 ms on a busy DAG") {
    // 120 tasks, each with one or two earlier parents, on three nodes under load.
    std::vector<TaskSpec> dag = busy_stream(120, 4);
    for (std::size_t i = 3; i < dag.size(); ++i) {
      dag[i].parents.push_back(i - 3);
      if (i % 4 == 0) dag[i].parents.push_back(i / 2);
    }
    const ClusterSpec c = mixed_cluster(3);
    for (const std::string topology : {"centralized", "two-level", "decentralized"}) {
      INFO("topology " << topology);
      const EpisodeResult r = run(scenario_with({"scheduler.topology=" + topology}), c, dag);
      require_accounted(r, dag.size(), 3);
      REQUIRE(r.metrics.completed == dag.size());
      for (const TaskSpec& t : dag) {
        const TaskRecord& child = record_of(r, t.id);
        for (auto p : t.parents) {
          INFO("task " << t.id << " parent " << p);
          CHECK(child.ready >= record_of(r, p).end + from_seconds(kMs));
          CHECK(child.start >= record_of(r, p).end + from_seconds(2 * kMs));
        }
      }
    }
  }
}

TEST_CASE("cluster: tasks that fit no node are listed, their descendants blocked, the rest completes", "[cluster]") {
  // Node 0: 8 cores, 32 GB; node 1: 4 cores, 64 GB.
  const ClusterSpec c = make_cluster({make_node(8, 32), make_node(4, 64)});
  const std::vector<TaskSpec> tasks{
      make_task(0, 0, 2, 10, 10),     make_task(1, 1, 16, 10, 1),  // 16 cores: more than any node
      make_task(2, 2, 1, 10, 1, {1}),                              // waits on 1
      make_task(3, 3, 1, 10, 1, {2}),                              // waits on 2
      make_task(4, 4, 8, 10, 64),  // 8 cores and 64 GB: each alone fits a node, together none
      make_task(5, 5, 1, 10, 1),      make_task(6, 6, 4, 10, 40),  // only node 1 has 40 GB
  };
  for (const std::string topology : {"centralized", "two-level", "decentralized"}) {
    INFO("topology " << topology);
    const EpisodeResult r = run(scenario_with({"scheduler.topology=" + topology}), c, tasks);
    require_accounted(r, tasks.size(), 2);
    CHECK(r.unschedulable == std::vector<std::uint64_t>{1, 4});
    CHECK(r.blocked == std::vector<std::uint64_t>{2, 3});
    CHECK(r.metrics.completed == 3);
    CHECK(r.metrics.incomplete == 0);
    CHECK(record_of(r, 6).node == 1);
    CHECK(r.tasks.size() == 3);
  }
}

TEST_CASE("cluster: an unschedulable task is never submitted, even when its parents finish", "[cluster]") {
  // Task 1 (16 cores) fits no node and waits on task 0, which runs. The source's contract:
  // a task that fits no node is never submitted. If it were submitted when task 0 is done,
  // the central scheduler would get one more event (and park the task forever).
  const ClusterSpec c = make_cluster({make_node(8, 32)});
  const std::vector<TaskSpec> with_edge{make_task(0, 0, 1, 10), make_task(1, 1, 16, 10, 1, {0})};
  const std::vector<TaskSpec> without_edge{make_task(0, 0, 1, 10), make_task(1, 1, 16, 10, 1)};
  const Scenario s = scenario_with();
  const EpisodeResult a = run(s, c, with_edge);
  const EpisodeResult b = run(s, c, without_edge);
  require_accounted(a, 2, 1);
  CHECK(a.unschedulable == std::vector<std::uint64_t>{1});
  CHECK(a.blocked.empty());
  CHECK(a.metrics.completed == 1);
  CHECK(a.metrics.events == b.metrics.events);
}

TEST_CASE("cluster: an unschedulable child listed before its unschedulable parent is counted once", "[cluster]") {
  // Task 0 arrives first and waits on task 1, which arrives later; neither fits the node.
  // Each must be counted once (unschedulable or blocked), never twice.
  const ClusterSpec c = make_cluster({make_node(8, 32)});
  const std::vector<TaskSpec> tasks{make_task(0, 0, 16, 10, 1, {1}), make_task(1, 5, 16, 10, 1),
                                    make_task(2, 6, 1, 10)};
  const EpisodeResult r = run(scenario_with(), c, tasks);
  require_accounted(r, 3, 1);
  CHECK(r.metrics.completed == 1);
  CHECK(r.metrics.incomplete == 0);
  CHECK(r.metrics.unschedulable + r.metrics.blocked == 2);
}

TEST_CASE("cluster: with short MTBF every task completes, tasks are rescheduled, down nodes draw no power",
          "[cluster]") {
  // Idle 10 W, dynamic 20 W per node. A node's energy is idle x (time up before the makespan)
  // + dynamic x busy_core_s / cores. Without failures the up time is the makespan, so energy
  // equals idle x makespan + dynamic x busy / cores exactly; with failures the down time draws
  // nothing and the energy is strictly below that.
  std::vector<NodeSpec> nodes;
  for (int i = 0; i < 4; ++i) nodes.push_back(make_node(8, 32, 1.0, 10, 20));
  const ClusterSpec c = make_cluster(nodes);
  const std::vector<TaskSpec> tasks = busy_stream(80, 4);
  auto idle_plus_dynamic = [&](const EpisodeResult& r) {
    double e = 0;
    for (const NodeRecord& n : r.nodes) e += 10 * r.metrics.makespan_s + 20 * n.busy_core_s / 8;
    return e;
  };

  for (const std::string topology : {"centralized", "two-level", "decentralized"}) {
    INFO("topology " << topology);
    const EpisodeResult healthy = run(scenario_with({"scheduler.topology=" + topology}), c, tasks);
    require_accounted(healthy, tasks.size(), 4);
    REQUIRE(healthy.metrics.completed == tasks.size());
    CHECK(healthy.metrics.failures == 0);
    CHECK(healthy.metrics.reschedules == 0);
    CHECK(healthy.metrics.energy_j == Approx(idle_plus_dynamic(healthy)).epsilon(1e-9));

    const EpisodeResult r = run(
        scenario_with({"scheduler.topology=" + topology, "cluster.failures.distribution=exponential",
                       "cluster.failures.mtbf_s=30", "cluster.failures.mttr_s=5"}),
        c, tasks);
    require_accounted(r, tasks.size(), 4);
    REQUIRE(r.metrics.completed == tasks.size());
    CHECK(r.metrics.incomplete == 0);
    CHECK(r.metrics.reschedules > 0);
    CHECK(r.metrics.failures > 0);
    std::uint64_t node_failures = 0, runs = 0;
    for (const NodeRecord& n : r.nodes) {
      node_failures += n.failures;
      runs += n.tasks_run;
      // Never more than idle + dynamic at the busy cores while up.
      CHECK(n.energy_j <= 10 * r.metrics.makespan_s + 20 * n.busy_core_s / 8 + 1e-6);
      CHECK(n.busy_core_s <= 8 * r.metrics.makespan_s);
    }
    CHECK(node_failures == r.metrics.failures);
    CHECK(runs == tasks.size());  // killed attempts are not records
    std::uint64_t resched = 0;
    for (const TaskRecord& t : r.tasks) resched += t.reschedules;
    CHECK(resched == r.metrics.reschedules);
    // Mean time down 5 s over a makespan of minutes: the missing idle energy is > 0.
    CHECK(r.metrics.energy_j < idle_plus_dynamic(r) - 10 * 1.0);
  }
}

TEST_CASE("cluster: a node draws no power while it is down (nearly deterministic failures)", "[cluster]") {
  // Weibull lifetimes and repairs with shape 200 are nearly constant (coefficient of
  // variation ~0.6 %): each node fails at ~20 s and is back at ~24 s (next failure ~44 s).
  // Task 0 runs 0.002-5.002 s, task 1 arrives at 30 s and runs 30.002-35.002 s, so the
  // makespan is 35.002 s and each node was down ~4 s of it. At idle 100 W and no dynamic
  // power: 100 x (35.002 - 4) = 3100.2 J per node (3500.2 J if down nodes drew idle power).
  const ClusterSpec c = make_cluster({make_node(4, 16, 1.0, 100, 0), make_node(4, 16, 1.0, 100, 0)});
  const std::vector<TaskSpec> tasks{make_task(0, 0, 1, 5), make_task(1, 30, 1, 5)};
  const EpisodeResult r = run(scenario_with({"cluster.failures.distribution=weibull", "cluster.failures.mtbf_s=20",
                                             "cluster.failures.repair_distribution=weibull",
                                             "cluster.failures.weibull_shape=200", "cluster.failures.mttr_s=4"}),
                              c, tasks);
  require_accounted(r, 2, 2);
  REQUIRE(r.metrics.completed == 2);
  CHECK(r.metrics.makespan_s == Approx(35.002).epsilon(1e-12));
  CHECK(r.metrics.failures == 2);
  CHECK(r.metrics.reschedules == 0);  // nothing was running or queued at ~20 s
  for (const NodeRecord& n : r.nodes) {
    INFO("node " << n.node);
    CHECK(n.failures == 1);
    CHECK(n.energy_j == Approx(3100.2).margin(20.0));  // +-0.2 s of down time
  }
}

TEST_CASE("cluster: every topology and sharing mode completes every task", "[cluster]") {
  const ClusterSpec c = mixed_cluster(6);
  const std::vector<TaskSpec> tasks = busy_stream(150, 6);
  const std::vector<std::vector<std::string>> setups{
      {"scheduler.topology=centralized"},
      {"scheduler.topology=centralized", "scheduler.policy=least-loaded"},
      {"scheduler.topology=two-level", "scheduler.policy=ray-hybrid"},
      {"scheduler.topology=two-level", "scheduler.spill_queue_length=0"},
      {"scheduler.topology=decentralized", "scheduler.sharing=none"},
      {"scheduler.topology=decentralized", "scheduler.sharing=limited", "scheduler.policy=least-loaded"},
      {"scheduler.topology=decentralized", "scheduler.sharing=limited", "scheduler.report_period_s=0"},
      {"scheduler.topology=decentralized", "scheduler.sharing=global", "scheduler.policy=best-fit"},
      // Every node of mixed_cluster(6) has a 12-core ring neighbour, so no task is stranded.
      {"scheduler.topology=decentralized", "scheduler.sharing=global", "scheduler.neighbours=2", "scheduler.sampled=0"},
  };
  for (const auto& setup : setups) {
    std::string name;
    for (const auto& o : setup) name += o + " ";
    INFO(name);
    const EpisodeResult r = run(scenario_with(setup), c, tasks);
    require_accounted(r, tasks.size(), c.nodes.size());
    CHECK(r.metrics.completed == tasks.size());
    CHECK(r.metrics.decisions >= tasks.size());
    CHECK(r.metrics.decision_latency_sim_s >= 0);
    for (const TaskRecord& t : r.tasks) CHECK(c.nodes[t.node].cores >= tasks[t.task].cores);
  }
}

TEST_CASE("cluster: decentralized, a node alone (no neighbours, no samples) still completes", "[cluster]") {
  // Every node fits every task: each node keeps what it is given.
  const ClusterSpec c = make_cluster({make_node(8, 32), make_node(8, 32), make_node(8, 32)});
  const std::vector<TaskSpec> tasks = busy_stream(60, 4);
  for (const std::string sharing : {"none", "limited", "global"}) {
    INFO("sharing " << sharing);
    const EpisodeResult r = run(scenario_with({"scheduler.topology=decentralized", "scheduler.sharing=" + sharing,
                                               "scheduler.neighbours=0", "scheduler.sampled=0"}),
                                c, tasks);
    require_accounted(r, tasks.size(), 3);
    CHECK(r.metrics.completed == tasks.size());
  }
}

// A decentralized node none of whose candidates (itself, its ring neighbours, its samples)
// can ever hold a task adds the nearest node down the ring that can, so nothing is stranded
// (before, it parked such tasks for ever; max_time_s bounds the run should that come back).
TEST_CASE("cluster: decentralized without samples still places a task only a far node can hold", "[cluster]") {
  // Nodes 0-2 have 4 cores, node 3 has 8; each node is alone (no neighbours, no samples).
  // The 6-core tasks enter at random nodes; those entering at nodes 0-2 can never run.
  const ClusterSpec c = make_cluster({make_node(4, 32), make_node(4, 32), make_node(4, 32), make_node(8, 32)});
  std::vector<TaskSpec> tasks;
  for (std::uint64_t i = 0; i < 8; ++i) tasks.push_back(make_task(i, static_cast<double>(i), 6, 5));
  const EpisodeResult r = run(scenario_with({"scheduler.topology=decentralized", "scheduler.neighbours=0",
                                             "scheduler.sampled=0", "run.max_time_s=200"}),
                              c, tasks);
  require_accounted(r, tasks.size(), 4);
  CHECK(r.metrics.completed == tasks.size());
  for (const TaskRecord& t : r.tasks) CHECK(t.node == 3);
}

TEST_CASE("cluster: policies a topology cannot serve are refused with the reason", "[cluster]") {
  const ClusterSpec c = mixed_cluster(2);
  const std::vector<TaskSpec> tasks = busy_stream(4, 2);
  const Scenario central = scenario_with({"scheduler.topology=centralized"});
  CHECK_THROWS_MATCHES(
      run(central, c, tasks, "ray-hybrid"), InputError, Catch::Matchers::Predicate<InputError>([](const InputError& e) {
        const std::string m = e.what();
        return m.find("ray-hybrid") != std::string::npos && m.find("centralized") != std::string::npos &&
               m.find("central scheduler has none") != std::string::npos;
      }));
  const Scenario lonely = scenario_with({"scheduler.topology=decentralized", "scheduler.sharing=none"});
  CHECK_THROWS_WITH(run(lonely, c, tasks, "least-loaded"), Contains("least-loaded") && Contains("sharing"));
  CHECK_THROWS_AS(check_policy_fits_topology("least-loaded", lonely.scheduler), InputError);
  CHECK_NOTHROW(check_policy_fits_topology("random", lonely.scheduler));
  CHECK_NOTHROW(check_policy_fits_topology("ray-hybrid", scenario_with({"scheduler.topology=two-level"}).scheduler));
  // run_comparison refuses before running anything.
  const Scenario listed = scenario_with({"scheduler.policy=[\"random\", \"ray-hybrid\"]"});
  CHECK_THROWS_WITH(run_comparison(Communicator(MPI_COMM_SELF), listed, nullptr), Contains("ray-hybrid"));
}

TEST_CASE("cluster: common random numbers: every policy sees episode e's task stream", "[cluster]") {
  const Scenario s = scenario_with({"cluster.nodes=8", "workload.tasks=60", "workload.target_utilization=0.8",
                                    "scheduler.policy=[\"random\", \"least-loaded\"]", "run.episodes=2"});
  const ClusterSpec cluster = build_cluster(s, nullptr);
  REQUIRE(cluster.nodes.size() == 8);
  const std::vector<TaskSpec> e0 = build_tasks(s, cluster, nullptr, 0);
  const std::vector<TaskSpec> e0_again = build_tasks(s, cluster, nullptr, 0);
  const std::vector<TaskSpec> e1 = build_tasks(s, cluster, nullptr, 1);
  REQUIRE(e0.size() == 60);
  REQUIRE(e1.size() == 60);
  auto arrivals = [](const std::vector<TaskSpec>& t) {
    std::vector<double> a;
    for (const auto& x : t) a.push_back(x.arrival_s);
    return a;
  };
  auto works = [](const std::vector<TaskSpec>& t) {
    std::vector<double> a;
    for (const auto& x : t) a.push_back(x.work_core_s);
    return a;
  };
  CHECK(arrivals(e0) == arrivals(e0_again));
  CHECK(works(e0) == works(e0_again));
  CHECK(arrivals(e0) != arrivals(e1));
  CHECK(works(e0) != works(e1));

  // The model submits each task at its arrival whatever the policy.
  std::map<std::string, EpisodeResult> by_policy;
  for (const std::string policy : {"random", "least-loaded"}) {
    const EpisodeResult r = run(s, cluster, e0, policy, 0);
    REQUIRE(r.metrics.completed == e0.size());
    for (const TaskRecord& t : r.tasks) CHECK(t.ready == from_seconds(e0[t.task].arrival_s));
    by_policy[policy] = r;
  }
  CHECK(by_policy["random"].metrics.mean_completion_s != by_policy["least-loaded"].metrics.mean_completion_s);

  // A policy's results do not depend on which policies ran before it.
  const Communicator self(MPI_COMM_SELF);
  const ComparisonResult ab = run_comparison(self, s, nullptr);
  Scenario swapped = s;
  std::reverse(swapped.scheduler.policies.begin(), swapped.scheduler.policies.end());
  const ComparisonResult ba = run_comparison(self, swapped, nullptr);
  REQUIRE(ab.policies.size() == 2);
  REQUIRE(ba.policies.size() == 2);
  for (std::size_t e = 0; e < 2; ++e) {
    CHECK(ab.policies[0].episodes[e].mean_completion_s == ba.policies[1].episodes[e].mean_completion_s);
    CHECK(ab.policies[0].episodes[e].energy_j == ba.policies[1].episodes[e].energy_j);
    CHECK(ab.policies[1].episodes[e].mean_completion_s == ba.policies[0].episodes[e].mean_completion_s);
    CHECK(ab.policies[1].episodes[e].tasks == ab.policies[0].episodes[e].tasks);
  }
  // Episode 0 of the comparison is the run above.
  CHECK(ab.policies[0].episodes[0].mean_completion_s == by_policy["random"].metrics.mean_completion_s);
  CHECK(ab.policies[0].episodes[0].mean_completion_s != ab.policies[0].episodes[1].mean_completion_s);
}

TEST_CASE("cluster: K-candidate sampling and batched central decisions complete every task", "[cluster]") {
  const ClusterSpec c = mixed_cluster(8);
  const std::vector<TaskSpec> tasks = busy_stream(150, 6);
  const std::vector<std::vector<std::string>> setups{
      {"scheduler.candidates=2"},
      {"scheduler.candidates=2", "scheduler.policy=least-loaded"},
      {"scheduler.candidates=1", "scheduler.policy=best-fit"},
      {"scheduler.batch_interval_s=2", "scheduler.policy=priority-minmin"},
      {"scheduler.batch_interval_s=0.5", "scheduler.candidates=3", "scheduler.policy=weighted-rr"},
      {"scheduler.batch_interval_s=1", "cluster.failures.distribution=exponential", "cluster.failures.mtbf_s=60"},
  };
  for (const auto& setup : setups) {
    std::string name;
    for (const auto& o : setup) name += o + " ";
    INFO(name);
    const EpisodeResult r = run(scenario_with(setup), c, tasks);
    require_accounted(r, tasks.size(), c.nodes.size());
    CHECK(r.metrics.completed == tasks.size());
  }
  SECTION("a batch waits for its tick: one task alone starts batch_interval_s later") {
    const ClusterSpec one = make_cluster({make_node(4, 16)});
    const std::vector<TaskSpec> single{make_task(0, 0, 1, 10)};
    const EpisodeResult r = run(scenario_with({"scheduler.batch_interval_s=2"}), one, single);
    REQUIRE(r.tasks.size() == 1);
    // Scheduler gets it at 0.001, the tick fires at 2.001, the node gets it at 2.002.
    CHECK(r.tasks[0].start == from_seconds(2.002));
  }
}

TEST_CASE("cluster: without sharing, a node that bounced a task is tried again after a repair time", "[cluster]") {
  // Frequent failures, repairs of 5 s: agents learn of down nodes only by bounces; if that
  // belief never expired, ring neighbours would be shunned for good after their first failure.
  const ClusterSpec c = mixed_cluster(6);
  const std::vector<TaskSpec> tasks = busy_stream(120, 4);
  const Scenario s = scenario_with(
      {"scheduler.topology=decentralized", "scheduler.sharing=none", "scheduler.neighbours=2", "scheduler.sampled=1",
       "cluster.failures.distribution=exponential", "cluster.failures.mtbf_s=20", "cluster.failures.mttr_s=5"});
  const EpisodeResult r = run(s, c, tasks);
  require_accounted(r, tasks.size(), c.nodes.size());
  CHECK(r.metrics.completed == tasks.size());
  CHECK(r.metrics.failures > 0);
  // Work still spreads: every node ran something.
  for (const NodeRecord& n : r.nodes) CHECK(n.tasks_run > 0);
}

TEST_CASE("cluster: the default episode time limit is last arrival + 3 x serial run time + repairs + 1 h",
          "[cluster]") {
  const ClusterSpec c = make_cluster({make_node(4, 16, 2.0), make_node(4, 16, 0.5)});
  const std::vector<TaskSpec> tasks{make_task(0, 0, 2, 10), make_task(1, 100, 1, 20)};
  const TaskTable table = TaskTable::view(tasks, c);
  Scenario s = scenario_with();
  // Serial on the slowest node (speed 0.5): 10 / 0.5 + 20 / 0.5 = 60 s.
  CHECK(default_time_limit_s({&s, &c, &table, "random", 0}) == Approx(100 + 3 * 60 + 3600));
  // The serial time is the table's fact, recorded on its cluster: another cluster is refused.
  const ClusterSpec faster = make_cluster({make_node(4, 16, 2.0)});
  CHECK_THROWS_AS(default_time_limit_s({&s, &faster, &table, "random", 0}), std::logic_error);
  s = scenario_with(
      {"cluster.failures.distribution=exponential", "cluster.failures.mtbf_s=100", "cluster.failures.mttr_s=2"});
  CHECK(default_time_limit_s({&s, &c, &table, "random", 0}) == Approx(100 + 3 * 60 + 2000 + 3600));
  // An episode cut by run.max_time_s reports what did not finish.
  s = scenario_with({"run.max_time_s=50"});  // task 0 ends by 20 s on either node; task 1 arrives at 100 s
  const EpisodeResult r = run(s, c, tasks);
  require_accounted(r, tasks.size(), c.nodes.size());
  CHECK(r.metrics.completed == 1);
  CHECK(r.metrics.incomplete == 1);
}

TEST_CASE("cluster: a task stream that would run off the int64-nanosecond clock is refused", "[cluster]") {
  const Scenario s = scenario_with({"workload.target_utilization=1e-9", "workload.tasks=50"});
  const ClusterSpec c = build_cluster(s, nullptr);
  CHECK_THROWS_WITH(build_tasks(s, c, nullptr, 0),
                    Contains("cluster-model-test.toml: workload: task") && Contains("must stay below 1e9 s"));
  const Scenario ok = scenario_with({"workload.tasks=50"});
  CHECK(build_tasks(ok, c, nullptr, 0).size() == 50);
}

TEST_CASE("cluster: common random numbers hold for a sampled trace: every policy sees episode e's jobs", "[cluster]") {
  // A small SWF log, half of its jobs kept per episode (a different half each episode).
  test::TempDir dir;
  std::string swf;
  for (int job = 1; job <= 60; ++job) {
    const std::string submit = std::to_string(10 * job), run = std::to_string(5 + (job * 7) % 30);
    swf += std::to_string(job) + " " + submit + " 0 " + run + " 1 -1 -1 1 100 1048576 1 1 1 -1 1 -1 -1 -1\n";
  }
  const std::string trace = dir.write("log.swf", swf);
  const std::string out = (dir.path() / "crn.h5").string();
  const Scenario s = scenario_with({"workload.kind=swf", "workload.trace.path=" + trace,
                                    "workload.trace.sample_jobs=0.5", "scheduler.policy=[\"random\", \"least-loaded\"]",
                                    "run.episodes=3"});
  const Communicator self(MPI_COMM_SELF);
  ComparisonResult result;
  {
    ResultsFile file(out, self);
    result = run_comparison(self, s, &file);
    file.close();
  }
  REQUIRE(result.policies.size() == 2);
  ResultsReader in(out);
  // (episode, task id, arrival) of every task each policy ran, in a canonical order.
  auto rows = [&](const std::string& policy) {
    const auto ep = in.read<std::int64_t>("/" + policy + "/tasks/episode");
    const auto id = in.read<std::int64_t>("/" + policy + "/tasks/task");
    const auto arrival = in.read<double>("/" + policy + "/tasks/arrival_s");
    std::vector<std::tuple<std::int64_t, std::int64_t, double>> r;
    for (std::size_t i = 0; i < ep.size(); ++i) r.emplace_back(ep[i], id[i], arrival[i]);
    std::sort(r.begin(), r.end());
    return r;
  };
  const auto first = rows("random"), second = rows("least-loaded");
  CHECK(first == second);
  std::set<std::vector<double>> samples;
  for (std::uint64_t e = 0; e < 3; ++e) {
    INFO("episode " << e);
    CHECK(result.policies[0].episodes[e].tasks == result.policies[1].episodes[e].tasks);
    CHECK(result.policies[0].episodes[e].completed == result.policies[0].episodes[e].tasks);
    std::vector<double> arrivals;
    for (const auto& [ep, id, a] : first)
      if (ep == static_cast<std::int64_t>(e)) arrivals.push_back(a);
    samples.insert(arrivals);
  }
  CHECK(samples.size() == 3);  // the episodes are different samples
}

TEST_CASE("cluster: a trace's episodes share one task table, and a resampled trace gets its own", "[cluster]") {
  test::TempDir dir;
  std::string swf;
  for (int job = 1; job <= 60; ++job)
    swf += std::to_string(job) + " " + std::to_string(10 * job) + " 0 20 1 -1 -1 1 100 1048576 1 1 1 -1 1 -1 -1 -1\n";
  const std::string trace = dir.write("log.swf", swf);
  // The whole trace: every episode runs on the trace's own table, moved out of the Workload.
  const Scenario whole = scenario_with({"workload.kind=swf", "workload.trace.path=" + trace, "run.episodes=2"});
  EpisodeInputs inputs(whole);
  const EpisodeInputs::Episode e0 = inputs.episode(0), e1 = inputs.episode(1);
  CHECK(e0.tasks->size() == 60);
  CHECK(e0.tasks.get() == e1.tasks.get());  // one copy of the trace, not one per episode
  CHECK(inputs.trace_tasks() == 60);
  CHECK(inputs.trace()->tasks.empty());
  // Job sampling: each episode its own sample, the same as build_tasks on that sample.
  const Scenario sampled = scenario_with(
      {"workload.kind=swf", "workload.trace.path=" + trace, "workload.trace.sample_jobs=0.5", "run.episodes=2"});
  EpisodeInputs resampled(sampled);
  const auto s0 = resampled.episode(0).tasks;
  const auto s1 = resampled.episode(1).tasks;
  CHECK(s0.get() != s1.get());
  const std::unique_ptr<Workload> read1 = read_scenario_trace(sampled, 1);
  const std::vector<TaskSpec> expected = build_tasks(sampled, resampled.first_cluster(), read1.get(), 1);
  REQUIRE(s1->size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK((*s1)[i].arrival_s == expected[i].arrival_s);
}

// The long-trace case of the herding bug: the whole first shard of Google 2011 (38,051 tasks
// over 2,472 s after compress 2) on 620 generated nodes, ~80 % offered load over the arrival
// window. Before the fix, best-fit kept sending tasks to a node whose queue head was blocked
// (5,813 tasks on one node, a queue of 5,802, a 40-day makespan); after it, 113 and 44, 5,296 s.
TEST_CASE("cluster: Google 2011 shard at ~80 % load: best-fit grows no node's queue without bound",
          "[cluster][traces]") {
  MARLSIM_REQUIRE_TRACE("google2011_part0/task_events");
  const Scenario s = load_scenario(
      std::string(MARLSIM_SOURCE_DIR) + "/configs/trace-google2011.toml",
      {"workload.trace.window_end_s=inf", "cluster.nodes=620", "scheduler.policy=best-fit"});
  const std::unique_ptr<Workload> trace = read_scenario_trace(s, 0);
  const ClusterSpec cluster = build_cluster(s, trace.get());
  const std::vector<TaskSpec> tasks = build_tasks(s, cluster, trace.get(), 0);
  REQUIRE(tasks.size() > 30000);
  const EpisodeResult r = run(s, cluster, tasks);
  require_accounted(r, tasks.size(), cluster.nodes.size());
  REQUIRE(r.metrics.completed == tasks.size());
  // Longest queue any node had: tasks sent to it that had arrived and not yet started.
  std::map<NodeId, std::vector<std::pair<SimTime, int>>> changes;
  double last_arrival = 0, longest_run = 0, slowest = 1e300;
  for (const NodeSpec& n : cluster.nodes) slowest = std::min(slowest, n.speed);
  for (const TaskSpec& t : tasks) {
    last_arrival = std::max(last_arrival, t.arrival_s);
    longest_run = std::max(longest_run, t.work_core_s / (t.cores * slowest));
  }
  for (const TaskRecord& t : r.tasks) {
    changes[t.node].push_back({t.ready, +1});
    changes[t.node].push_back({t.start, -1});
  }
  int longest_queue = 0;
  for (auto& [node, c] : changes) {
    std::sort(c.begin(), c.end());  // at equal times a start (-1) comes before an arrival
    int q = 0;
    for (const auto& [t, d] : c) longest_queue = std::max(longest_queue, q += d);
  }
  INFO("longest queue " << longest_queue << ", makespan " << r.metrics.makespan_s << " s");
  CHECK(longest_queue <= 200);
  // The last task arrives at ~2,472 s; the longest one runs ~? s on the slowest node.
  CHECK(r.metrics.makespan_s <= last_arrival + longest_run + 3600);
}

TEST_CASE("cluster: every decision pays the decision latency, keeping a task locally too", "[cluster]") {
  // One node, one task; network 1 ms, decision 5 ms. Centralized: source -> scheduler 1 ms,
  // decision 5 ms. Two-level and decentralized: source -> node 1 ms, the node decides to keep
  // it, 5 ms. Every topology starts the task at 6 ms and records a 6 ms decision latency.
  const ClusterSpec c = make_cluster({make_node(8, 32)});
  const std::vector<TaskSpec> tasks{make_task(0, 0, 1, 10)};
  for (const std::string topology : {"centralized", "two-level", "decentralized"}) {
    INFO(topology);
    const EpisodeResult r = run(scenario_with({"scheduler.topology=" + topology, "scheduler.decision_latency_s=0.005",
                                               "scheduler.neighbours=0", "scheduler.sampled=0"}),
                                c, tasks);
    REQUIRE(r.tasks.size() == 1);
    CHECK(r.tasks[0].start == from_seconds(0.006));
    CHECK(r.metrics.decisions == 1);
    CHECK(r.metrics.decision_latency_sim_s == Approx(0.006));
  }
}

TEST_CASE("cluster: a two-level node counts the tasks it kept that are still in their decision latency", "[cluster]") {
  // Five 8-core tasks reach a lone 8-core node at 1 ms; decision 5 ms, spill at a queue of 1.
  // The node keeps the first (it will start) and the second (it will queue: a queue of 0 is
  // below 1), both 6 ms from submission, and spills the other three. Had it not counted the
  // kept tasks still in flight, its queue would look empty and it would keep all five. A
  // spilled task reaches the global scheduler at 2 ms and comes back: 7 ms.
  const ClusterSpec c = make_cluster({make_node(8, 32)});
  std::vector<TaskSpec> tasks;
  for (std::uint64_t i = 0; i < 5; ++i) tasks.push_back(make_task(i, 0, 8, 10));
  for (const auto& [spill, latency] : {std::pair{"1", (2 * 0.006 + 3 * 0.007) / 5}, std::pair{"5", 0.006}}) {
    INFO("spill_queue_length " << spill);
    const EpisodeResult r = run(scenario_with({"scheduler.topology=two-level", "scheduler.decision_latency_s=0.005",
                                               std::string("scheduler.spill_queue_length=") + spill}),
                                c, tasks);
    require_accounted(r, tasks.size(), 1);
    CHECK(r.metrics.decisions == 5);
    CHECK(r.metrics.decision_latency_sim_s == Approx(latency));
  }
}

// priority-minmin uses priority only when it schedules a batch (Min-Min by priority class):
// in seed-study-u80.toml (one decision per submission) priority changes nothing, in
// seed-study-u80-batched.toml it changes where tasks go.
TEST_CASE("cluster: priority changes priority-minmin's decisions in the batched seed study, not unbatched",
          "[cluster]") {
  for (const auto& [file, batched] :
       {std::pair{"seed-study-u80.toml", false}, std::pair{"seed-study-u80-batched.toml", true}}) {
    INFO(file);
    const Scenario s = load_scenario(std::string(MARLSIM_SOURCE_DIR) + "/configs/" + file, {"run.episodes=1"});
    const ClusterSpec cluster = build_cluster(s, nullptr);
    const std::vector<TaskSpec> tasks = build_tasks(s, cluster, nullptr, 0);
    std::vector<TaskSpec> one_class = tasks;
    for (TaskSpec& t : one_class) t.priority = PriorityClass::Batch;
    std::size_t production = 0;
    for (const TaskSpec& t : tasks) production += t.priority == PriorityClass::Production;
    REQUIRE(production > 100);
    auto placement = [&](const std::vector<TaskSpec>& stream) {
      const EpisodeResult r = run(s, cluster, stream, "priority-minmin");
      REQUIRE(r.metrics.completed == stream.size());
      std::vector<NodeId> node(stream.size());
      for (const TaskRecord& t : r.tasks) node[t.task] = t.node;
      return node;
    };
    const std::vector<NodeId> with = placement(tasks), without = placement(one_class);
    std::size_t moved = 0;
    for (std::size_t i = 0; i < tasks.size(); ++i) moved += with[i] != without[i];
    INFO(moved << " of " << tasks.size() << " tasks placed differently");
    CHECK((moved > 0) == batched);
  }
}

TEST_CASE("cluster: a warm-up leaves early tasks out of the task metrics, with window and speed-weighted utilization",
          "[cluster]") {
  // Node 0: 2 cores, 32 GB, speed 2. Node 1: 4 cores, 16 GB, speed 0.5. Placement is forced:
  // T0 (4 cores) fits only node 1; T1 and T2 (20 GB) fit only node 0. Each reaches its node
  // 2 ms after arriving.
  //   T0: arrives 0, work 40 core-s on node 1: 40 / (4 x 0.5) = 20 s, runs 0.002-20.002, deadline 1 s (missed)
  //   T1: arrives 10, work 20 core-s on node 0: 20 / (2 x 2) = 5 s, runs 10.002-15.002
  //   T2: arrives 30, work 8 core-s on node 0: 8 / (2 x 2) = 2 s, runs 30.002-32.002
  const ClusterSpec cluster = make_cluster({make_node(2, 32, 2.0), make_node(4, 16, 0.5)});
  const std::vector<TaskSpec> tasks{make_task(0, 0.0, 4, 10.0, 1, {}, 1.0), make_task(1, 10.0, 2, 10.0, 20),
                                    make_task(2, 30.0, 2, 4.0, 20)};
  const double makespan = 32.002;
  // Over the makespan: busy core-s 4 x 20 + 2 x 5 + 2 x 2 = 94 of 6 cores x 32.002 s; weighted
  // by speed 80 x 0.5 + 14 x 2 = 68 (the work done) of (2 x 2 + 4 x 0.5) x 32.002.
  auto check_makespan_utilization = [&](const EpisodeMetrics& m) {
    CHECK(m.makespan_s == Approx(makespan).epsilon(1e-12));
    CHECK(m.utilization_pct == Approx(100.0 * 94 / (6 * makespan)).epsilon(1e-9));
    CHECK(m.speed_weighted_utilization_pct == Approx(100.0 * 68 / (6 * makespan)).epsilon(1e-9));
  };

  SECTION("warm-up 5 s: T0 runs but is not measured; the window is [5, 30] s") {
    const EpisodeResult r = run(scenario_with({"run.warmup_s=5"}), cluster, tasks);
    require_accounted(r, 3, 2);
    const EpisodeMetrics& m = r.metrics;
    CHECK(m.completed == 3);
    CHECK(m.measured_tasks == 2);
    CHECK(m.mean_completion_s == Approx((5.002 + 2.002) / 2).epsilon(1e-9));
    CHECK(m.mean_wait_s == Approx(0.002).epsilon(1e-6));
    CHECK(m.sla_pct == Approx(100.0));  // T0's missed deadline is in the warm-up
    check_makespan_utilization(m);
    // Window [5, 30]: node 1 busy 4 cores x (20.002 - 5) s = 60.008 core-s, node 0 2 x 5 = 10
    // (T2 starts after 30). Weighted: 60.008 x 0.5 + 10 x 2 = 50.004. Both over 6 x 25 s.
    CHECK(m.arrival_window_s == Approx(25.0).epsilon(1e-12));
    CHECK(m.arrival_window_utilization_pct == Approx(100.0 * 70.008 / 150).epsilon(1e-9));
    CHECK(m.arrival_window_speed_weighted_utilization_pct == Approx(100.0 * 50.004 / 150).epsilon(1e-9));
    CHECK(r.nodes[0].window_busy_core_s == Approx(10.0).epsilon(1e-9));
    CHECK(r.nodes[1].window_busy_core_s == Approx(60.008).epsilon(1e-9));
  }
  SECTION("no warm-up: every task counts; the window is [0, 30] s") {
    const EpisodeResult r = run(scenario_with(), cluster, tasks);
    const EpisodeMetrics& m = r.metrics;
    CHECK(m.measured_tasks == 3);
    CHECK(m.mean_completion_s == Approx((20.002 + 5.002 + 2.002) / 3).epsilon(1e-9));
    CHECK(m.sla_pct == Approx(200.0 / 3).epsilon(1e-9));
    check_makespan_utilization(m);
    // Window [0, 30]: node 1 4 x 20 = 80, node 0 10; weighted 40 + 20 = 60; over 6 x 30 s.
    CHECK(m.arrival_window_s == Approx(30.0).epsilon(1e-12));
    CHECK(m.arrival_window_utilization_pct == Approx(100.0 * 90 / 180).epsilon(1e-9));
    CHECK(m.arrival_window_speed_weighted_utilization_pct == Approx(100.0 * 60 / 180).epsilon(1e-9));
  }
  SECTION("a warm-up that outlasts every arrival is refused by name") {
    Scenario s = scenario_with({"run.warmup_s=1e6", "workload.tasks=10"});
    const ClusterSpec generated = build_cluster(s, nullptr);
    CHECK_THROWS_WITH(build_tasks(s, generated, nullptr, 0),
                      Contains("run.warmup_s") && Contains("outlasts the arrivals of episode 0"));
  }
}

TEST_CASE("cluster: wait drift compares the arrival window's halves: a growing queue shows it", "[cluster]") {
  // One node of 2 cores; four 2-core 10 s tasks arrive at 0, 1, 2, 3 s and run one after
  // another from 0.002 s: starts 0.002, 10.002, 20.002, 30.002, waits 0.002, 9.002, 18.002,
  // 27.002 s. Window [0, 3], middle 1.5: first half (T0, T1) waits 4.502 s on average, second
  // half (T2, T3) 22.502 s: drift 18 s.
  const ClusterSpec one = make_cluster({make_node(2, 16)});
  std::vector<TaskSpec> tasks;
  for (std::uint64_t i = 0; i < 4; ++i) tasks.push_back(make_task(i, static_cast<double>(i), 2, 10.0));
  const EpisodeResult r = run(scenario_with(), one, tasks);
  require_accounted(r, 4, 1);
  CHECK(r.metrics.mean_wait_s == Approx((0.002 + 9.002 + 18.002 + 27.002) / 4).epsilon(1e-9));
  CHECK(r.metrics.wait_drift_s == Approx(18.0).epsilon(1e-9));
  // Spaced 10 s apart nothing waits: no drift. One task alone: no second half, undefined.
  for (std::uint64_t i = 0; i < 4; ++i) tasks[i].arrival_s = 10.0 * static_cast<double>(i);
  CHECK(run(scenario_with(), one, tasks).metrics.wait_drift_s == Approx(0.0).margin(1e-9));
  CHECK(std::isnan(run(scenario_with(), one, {tasks[0]}).metrics.wait_drift_s));
}

TEST_CASE("cluster: decisions at the window end: requests of one window are one batch, and the wait is latency",
          "[cluster][batcher]") {
  SECTION("one task: decided at the end of the window it arrived in, dispatched a decision latency later") {
    // Lookahead = min(network, decision latency) = 1 ms. The submission reaches the scheduler
    // at 1 ms (window [1 ms, 2 ms)), is decided at 2 ms, reaches the node at 3 ms (at once: 2 ms).
    const ClusterSpec one = make_cluster({make_node(4, 16)});
    const std::vector<TaskSpec> single{make_task(0, 0, 1, 10)};
    const EpisodeResult at_once = run(scenario_with(), one, single);
    const EpisodeResult window = run(scenario_with({"scheduler.decide=window-end"}), one, single);
    REQUIRE(at_once.tasks.size() == 1);
    REQUIRE(window.tasks.size() == 1);
    CHECK(at_once.tasks[0].start == from_seconds(0.002));
    CHECK(window.tasks[0].start == from_seconds(0.003));
    CHECK(window.metrics.decision_latency_sim_s == Approx(0.003));  // raised at 0 by the source
    CHECK(at_once.metrics.decision_latency_sim_s == Approx(0.002));
  }
  SECTION("a burst at one instant: one decide() call for all of it, at once one call per task") {
    const ClusterSpec c = mixed_cluster(8);
    std::vector<TaskSpec> burst;
    for (std::uint64_t i = 0; i < 40; ++i) burst.push_back(make_task(i, 0, 1, 5));
    const EpisodeResult at_once = run(scenario_with({"scheduler.policy=least-loaded"}), c, burst);
    const EpisodeResult window = run(scenario_with({"scheduler.policy=least-loaded", "scheduler.decide=window-end"}), c,
                                     burst);
    require_accounted(window, burst.size(), c.nodes.size());
    CHECK(at_once.metrics.decision_batches == 40);
    CHECK(at_once.metrics.mean_decision_batch == 1.0);
    CHECK(window.metrics.decision_batches == 1);
    CHECK(window.metrics.mean_decision_batch == 40.0);
  }
  SECTION("decision cycles: tasks arriving over a cycle are decided together at its boundary") {
    const ClusterSpec c = mixed_cluster(8);
    std::vector<TaskSpec> tasks;
    for (std::uint64_t i = 0; i < 30; ++i) tasks.push_back(make_task(i, 0.1 * static_cast<double>(i), 1, 5));
    const EpisodeResult r = run(scenario_with({"agents.decision_period_s=1"}), c, tasks);
    require_accounted(r, tasks.size(), c.nodes.size());
    // Arrivals 0 .. 2.9 s reach the scheduler 1 ms later: cycles end at 1, 2 and 3 s.
    CHECK(r.metrics.decision_batches == 3);
    CHECK(r.metrics.mean_decision_batch == 10.0);
    // Task 0 reaches the scheduler at 0.001 s, is decided at the boundary, 1 s, exactly (not
    // at the end of the window holding it, which other episodes' events would move), and
    // reaches its node 1 ms later.
    CHECK(record_of(r, 0).start == from_seconds(1.001));
  }
  SECTION("decentralized agents: many nodes' requests share a batch") {
    const ClusterSpec c = mixed_cluster(8);
    const std::vector<TaskSpec> tasks = busy_stream(400, 4);
    const EpisodeResult r = run(scenario_with({"scheduler.topology=decentralized", "scheduler.policy=least-loaded",
                                               "scheduler.decide=window-end"}),
                                c, tasks);
    require_accounted(r, tasks.size(), c.nodes.size());
    CHECK(r.metrics.completed == tasks.size());
    CHECK(r.metrics.decision_batches > 0);
    CHECK(r.metrics.mean_decision_batch >= 1.0);
  }
}

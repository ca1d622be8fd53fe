// Instance groups: a trace task of n instances is n tasks (TaskSpec::instance), and DAG edges
// run between groups, so a child group waits for every instance of its parent groups without
// n_parent x n_child edges. Alibaba 2018 keeps every instance this way.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "cluster_test_support.hpp"
#include "engine/cluster/episode.hpp"
#include "engine/experiment/comparison.hpp"
#include "engine/experiment/scenario.hpp"
#include "mpi/communicator.hpp"
#include "workload_test_support.hpp"
#include "workloads/sla_policy.hpp"
#include "workloads/trace_reader.hpp"

using namespace marlsim;

namespace {

const char* const kToml = R"(
name = "instance-groups-test"
[cluster]
nodes = 1
network_latency_s = 0.001
[scheduler]
topology = "centralized"
policy = "random"
queue = "fcfs"
decision_latency_s = 0.001
[run]
seed = 3
episodes = 1
)";

ClusterSpec nodes_of(std::size_t n, double cores, double memory_gb) {
  ClusterSpec c;
  c.tier_names = {"test"};
  for (std::size_t i = 0; i < n; ++i) c.nodes.push_back(NodeSpec{cores, memory_gb, 1.0, 0, 0, 0});
  return c;
}

// Instance `instance` of the group starting at `group`: 1 core for `runtime_s` unless given.
TaskSpec instance_of(std::uint64_t group, std::uint32_t instance, std::vector<std::uint64_t> parents,
                     double runtime_s = 10, double cores = 1) {
  TaskSpec t;
  t.id = group + instance;
  t.job = 1;
  t.instance = instance;
  t.cores = cores;
  t.work_core_s = cores * runtime_s;
  t.memory_gb = 1;
  t.deadline_s = 1e9;
  t.parents = std::move(parents);
  return t;
}

using test::record_of;

}  // namespace

TEST_CASE("instance groups: an Alibaba 2018 chain of 3 and 2 instances, the child waiting for all 3",
          "[cluster][workloads]") {
  test::TempDir dir;
  // M1: 3 instances of 1 core for 10 s; R2_1: 2 instances of 1 core for 5 s, after M1.
  TraceOptions opt;
  opt.path = dir.write("chain.csv",
                       "task_name,instance_num,job_name,task_type,status,start_time,end_time,plan_cpu,plan_mem\n"
                       "M1,3.0,j_5,1,Terminated,100,110,100.0,0.5\n"
                       "R2_1,2.0,j_5,1,Terminated,110,115,100.0,0.5\n");
  opt.max_instances_per_task = 0;
  const Workload w = read_trace("alibaba2018", opt);
  REQUIRE(w.tasks.size() == 5);
  CHECK(w.report.instances_read == 5);
  CHECK(w.report.instances_kept == 5);
  CHECK(w.report.instances_kept_pct() == 100.0);
  CHECK_THAT(w.report.summary(), Catch::Contains("instances kept 5 of 5 (100.0 %)"));
  for (std::uint64_t i = 0; i < 5; ++i) {
    const TaskSpec& t = w.tasks[i];
    INFO("task " << i);
    CHECK(t.instance == (i < 3 ? i : i - 3));
    CHECK(t.group() == (i < 3 ? 0u : 3u));
    CHECK(t.parents == (i < 3 ? std::vector<std::uint64_t>{} : std::vector<std::uint64_t>{0}));  // one edge per group
    // Critical path from the job's arrival: M1 ends at 10 s, R2 at 15 s; batch slack 3.
    CHECK(t.deadline_s == Approx(i < 3 ? 30.0 : 45.0));
  }

  // One node of 2 cores: two M1 instances run 0.002-10.002 s, the third 10.002-20.002 s. Its
  // completion reaches the source at 20.003 (then R2 is ready) and R2 starts at 20.005. Were
  // the child released by M1's first instance alone, it would start at 10.005.
  const Scenario s = parse_scenario(kToml, "instance-groups-test.toml");
  const ClusterSpec one = nodes_of(1, 2, 16);
  const EpisodeResult r = test::run(s, one, w.tasks);
  REQUIRE(r.metrics.completed == 5);
  SimTime parents_end = 0;
  for (std::uint64_t i = 0; i < 3; ++i) parents_end = std::max(parents_end, record_of(r, i).end);
  CHECK(parents_end == from_seconds(20.002));
  for (std::uint64_t i = 3; i < 5; ++i) {
    CHECK(record_of(r, i).ready == from_seconds(20.003));
    CHECK(record_of(r, i).start == from_seconds(20.005));
  }
  // Per-task metrics: wait from each instance's own ready time (0.002, 0.002, 10.002 for M1).
  CHECK(r.metrics.mean_wait_s == Approx((0.002 + 0.002 + 10.002 + 0.002 + 0.002) / 5).epsilon(1e-9));

  SECTION("with a cap, the group keeps min(n, cap) instances and the report says so") {
    opt.max_instances_per_task = 2;
    const Workload capped = read_trace("alibaba2018", opt);
    REQUIRE(capped.tasks.size() == 4);
    CHECK(capped.tasks[2].instance == 0);
    CHECK(capped.tasks[3].parents == std::vector<std::uint64_t>{0});
    CHECK(capped.report.instances_kept == 4);
    CHECK_THAT(capped.report.summary(), Catch::Contains("instances kept 4 of 5 (80.0 %)"));
  }
}

TEST_CASE("instance groups: a parent group ends with its last instance on the critical path", "[sla]") {
  // Group 0: instances of 10, 30 and 20 s; group 3 (after it): 5 s. Batch slack 3.
  std::vector<TaskSpec> tasks{instance_of(0, 0, {}, 10), instance_of(0, 1, {}, 30), instance_of(0, 2, {}, 20),
                              instance_of(3, 0, {0}, 5)};
  apply_sla(tasks, SlaPolicy{});
  CHECK(tasks[1].deadline_s == Approx(90.0));
  CHECK(tasks[3].deadline_s == Approx(3.0 * 35.0));
}

TEST_CASE("instance groups: a group that fits no node blocks every instance of its descendants, once", "[cluster]") {
  // A (0, 1: 16 cores, fits no node) -> B (2, 3) and C (4); B, C -> D (5, 6); E (7) is free.
  const std::vector<TaskSpec> tasks{
      instance_of(0, 0, {}, 10, 16), instance_of(0, 1, {}, 10, 16), instance_of(2, 0, {0}),    instance_of(2, 1, {0}),
      instance_of(4, 0, {0}),        instance_of(5, 0, {2, 4}),     instance_of(5, 1, {2, 4}), instance_of(7, 0, {})};
  const ClusterSpec two = nodes_of(2, 8, 32);
  for (const std::string topology : {"centralized", "two-level", "decentralized"}) {
    INFO("topology " << topology);
    const EpisodeResult r = test::run(parse_scenario(kToml, "t.toml", {"scheduler.topology=" + topology}), two, tasks);
    CHECK(r.unschedulable == std::vector<std::uint64_t>{0, 1});
    CHECK(r.blocked == std::vector<std::uint64_t>{2, 3, 4, 5, 6});
    CHECK(r.metrics.completed == 1);
    CHECK(r.metrics.incomplete == 0);
  }
}

TEST_CASE("instance groups: the shipped Alibaba 2018 scenario keeps every instance", "[cluster][traces]") {
  MARLSIM_REQUIRE_TRACE("alibaba_v2018_dag/selected_DAGs.csv.gz");
  const std::string file = std::string(MARLSIM_SOURCE_DIR) + "/configs/trace-alibaba2018.toml";
  const Scenario s = load_scenario(file);
  const auto trace = read_scenario_trace(s, 0);
  REQUIRE(trace);
  CHECK(trace->report.instances_kept == trace->report.instances_read);
  CHECK(trace->report.instances_kept_pct() == 100.0);
  CHECK(trace->tasks.size() + trace->report.tasks_sampled_out == trace->report.instances_read);  // whole jobs sampled
  std::uint64_t grouped = 0;
  for (const TaskSpec& t : trace->tasks) grouped += t.instance > 0 ? 1 : 0;
  CHECK(grouped > trace->tasks.size() / 2);  // most tasks are instances of a larger group

  // One episode of one policy on a slice of the stream: every task accounted for.
  const Scenario slice = load_scenario(
      file, {"workload.trace.max_tasks=20000", "run.episodes=1", "scheduler.policy=least-loaded"});
  const Communicator self(MPI_COMM_SELF);
  const ComparisonResult r = run_comparison(self, slice, nullptr);
  REQUIRE(r.policies.size() == 1);
  const EpisodeMetrics& m = r.policies[0].episodes.at(0);
  CHECK(m.tasks == 20000);
  CHECK(m.completed + m.unschedulable + m.blocked == m.tasks);
}

// Found by fuzz_alibaba2018: a task of several instances naming itself as its parent
// ("M2_2"). Instance 0's edge to itself was dropped as a cycle, but instance 1's edge to
// instance 0 (its own group) was kept, and the deadline pass then threw a logic_error.
TEST_CASE("instance groups: a multi-instance task that names itself as parent loses that edge as a cycle",
          "[workloads]") {
  test::TempDir dir;
  TraceOptions opt;
  opt.path = dir.write("self.csv",
                       "task_name,instance_num,job_name,task_type,status,start_time,end_time,plan_cpu,plan_mem\n"
                       "M1,1.0,j_5,1,Terminated,100,110,100.0,0.5\n"
                       "M2_2_1,3.0,j_5,1,Terminated,110,115,100.0,0.5\n");
  opt.max_instances_per_task = 0;
  const Workload w = read_trace("alibaba2018", opt);
  REQUIRE(w.tasks.size() == 4);
  CHECK(w.report.cycle_edges_dropped == 3);  // each instance's edge into its own group
  for (std::uint64_t i = 1; i < 4; ++i) CHECK(w.tasks[i].parents == std::vector<std::uint64_t>{0});
}

// The task table's whole-stream facts, recorded in the one pass that makes it.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "tests/unit/cluster_test_support.hpp"
#include "workloads/seed_study_workload.hpp"
#include "workloads/task_table.hpp"

using namespace marlsim;
using namespace marlsim::test;

TEST_CASE("task table: the facts of the whole stream, on the cluster's slowest node", "[task_table]") {
  const ClusterSpec c = make_cluster({make_node(4, 16, 2.0), make_node(4, 16, 0.5)});
  std::vector<TaskSpec> tasks{make_task(0, 0, 2, 10), make_task(1, 5, 1, 20), make_task(2, 7, 1, 5, 1, {0}),
                              make_task(3, 9, 1, 5, 1, {0, 1})};
  const TaskTable t = TaskTable::view(tasks, c);
  CHECK(t.size() == 4);
  CHECK(&t[2] == &tasks[2]);  // a whole table reads the stream in place
  CHECK(t.facts().last_arrival_s == 9);
  CHECK(t.facts().slowest_speed == 0.5);
  CHECK(t.facts().serial_run_s == (10 + 20 + 5 + 5) / 0.5);
  CHECK_FALSE(t.facts().off_clock);
  REQUIRE(t.has_dag());
  REQUIRE(t.children(0).size() == 2);
  CHECK(t.children(0)[0].second == 2);
  CHECK(t.children(0)[1].second == 3);
  CHECK(t.children(1).size() == 1);
  CHECK(t.children(2).empty());

  SECTION("the first task that would run off the clock") {
    tasks[1].arrival_s = 2e9;
    tasks[3].arrival_s = 3e9;
    const TaskTable off = TaskTable::view(tasks, c);
    CHECK(off.facts().off_clock);
    CHECK(off.facts().off_clock_task == 1);
    CHECK(off.facts().off_clock_arrival_s == 2e9);
  }
  SECTION("a malformed DAG is a reader's bug") {
    tasks[3].parents = {7};
    CHECK_THROWS_AS(TaskTable::view(tasks, c), std::logic_error);
  }
  SECTION("no tasks") {
    const std::vector<TaskSpec> none;
    const TaskTable empty = TaskTable::view(none, c);
    CHECK(empty.empty());
    CHECK(empty.facts().last_arrival_s == 0);
    CHECK_FALSE(empty.has_dag());
  }
}

TEST_CASE("task table: a replayed stream gives every task bit for bit, whatever the cache holds", "[task_table]") {
  const ClusterSpec c = make_cluster({make_node(8, 32, 1.0), make_node(4, 16, 0.5)});
  SeedStudyWorkloadConfig cfg;
  cfg.tasks = 1000;
  cfg.target_utilization = 0.8;
  cfg.profile.burst_rate_per_s = 0.05;  // the arrival process keeps state of its own (random bursts)
  const std::vector<TaskSpec> tasks = generate_seed_study_tasks(cfg, c, 3, 2);
  const TaskTable whole = TaskTable::view(tasks, c);
  const TaskTable one = seed_study_task_table(cfg, c, 3, 2, {.chunk_tasks = 64, .cache_chunks = 1});
  const TaskTable three = seed_study_task_table(cfg, c, 3, 2, {.chunk_tasks = 100, .cache_chunks = 3});
  const auto same = [](const TaskSpec& a, const TaskSpec& b) {
    return a.id == b.id && a.job == b.job && a.arrival_s == b.arrival_s && a.work_core_s == b.work_core_s &&
           a.cores == b.cores && a.memory_gb == b.memory_gb && a.priority == b.priority &&
           a.deadline_s == b.deadline_s && a.instance == b.instance && a.parents == b.parents;
  };
  // Jumping about the stream: backwards, across chunks, back to evicted ones.
  std::size_t differ = 0;
  for (std::uint64_t k = 0; k < 3000; ++k) {
    const std::uint64_t id = (k * 7919) % tasks.size();
    if (!same(one[id], tasks[id]) || !same(three[id], tasks[id])) ++differ;
  }
  CHECK(differ == 0);
  CHECK(one.chunks_made() > 16);  // chunks were made again after being dropped
  CHECK(one.facts().last_arrival_s == whole.facts().last_arrival_s);
  CHECK(one.facts().serial_run_s == whole.facts().serial_run_s);
  CHECK(one.size() == whole.size());
  CHECK_FALSE(one.has_dag());
}

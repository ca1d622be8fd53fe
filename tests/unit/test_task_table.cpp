// The task table's whole-stream facts, recorded in the one pass that makes it.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "tests/unit/cluster_test_support.hpp"
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

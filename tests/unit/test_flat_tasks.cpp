// A flat block of tasks (workloads/flat_tasks.hpp) and a table that reads it in place give
// every task, fact and DAG edge of the std::vector<TaskSpec> they were written from (the
// simple reference), for random streams with instance groups and DAG parents.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

#include "tests/unit/cluster_test_support.hpp"
#include "workloads/flat_tasks.hpp"
#include "workloads/task_table.hpp"

using namespace marlsim;
using namespace marlsim::test;

namespace {

// `n` tasks in arrival order: groups of 1-4 instances, each group waiting on up to 3 earlier groups.
std::vector<TaskSpec> random_stream(std::mt19937_64& rng, std::uint64_t n) {
  std::vector<TaskSpec> tasks;
  std::vector<std::uint64_t> groups;  // first ids
  std::uniform_real_distribution<double> u(0, 1);
  double at = 0;
  while (tasks.size() < n) {
    const std::uint64_t first = tasks.size();
    std::vector<std::uint64_t> parents;
    const int k = groups.empty() ? 0 : static_cast<int>(rng() % 4);
    for (int i = 0; i < k; ++i) parents.push_back(groups[rng() % groups.size()]);
    std::sort(parents.begin(), parents.end());
    parents.erase(std::unique(parents.begin(), parents.end()), parents.end());
    const auto instances = static_cast<std::uint32_t>(1 + rng() % 4);
    at += u(rng);
    for (std::uint32_t i = 0; i < instances && tasks.size() < n; ++i) {
      TaskSpec t;
      t.id = tasks.size();
      t.job = first / 3 + rng() % 2;
      t.arrival_s = at;
      t.work_core_s = 1 + 100 * u(rng);
      t.cores = 0.25 + 3 * u(rng);
      t.memory_gb = 8 * u(rng);
      t.priority = static_cast<PriorityClass>(rng() % kPriorityClasses);
      t.instance = i;
      t.deadline_s = at + 500 * u(rng);
      t.parents = parents;
      tasks.push_back(t);
    }
    groups.push_back(first);
  }
  return tasks;
}

bool same_task(const TaskSpec& a, const TaskSpec& b) {
  return a.id == b.id && a.job == b.job && a.arrival_s == b.arrival_s && a.work_core_s == b.work_core_s &&
         a.cores == b.cores && a.memory_gb == b.memory_gb && a.priority == b.priority && a.instance == b.instance &&
         a.deadline_s == b.deadline_s && a.parents == b.parents;
}

// An 8-byte aligned block holding `tasks`, owned by the returned pointer.
std::shared_ptr<std::vector<std::uint64_t>> block_of(const std::vector<TaskSpec>& tasks) {
  const std::size_t bytes = flat_tasks_bytes(tasks);
  auto words = std::make_shared<std::vector<std::uint64_t>>(bytes / 8);
  write_flat_tasks(tasks, std::as_writable_bytes(std::span(*words)));
  return words;
}

}  // namespace

TEST_CASE("flat tasks: a table read in place gives every task, fact and edge of the whole stream", "[task_table]") {
  const ClusterSpec c = make_cluster({make_node(8, 32, 1.5), make_node(4, 16, 0.5)});
  std::mt19937_64 rng(42);
  for (const std::uint64_t n : {0, 1, 2, 63, 64, 65, 1000}) {
    INFO(n << " tasks");
    const std::vector<TaskSpec> tasks = random_stream(rng, n);
    const auto words = block_of(tasks);
    const FlatTasks flat(std::as_bytes(std::span(*words)));
    REQUIRE(flat.size() == n);
    const TaskTable whole = TaskTable::view(tasks, c);
    const TaskTable table(flat, words, c);
    REQUIRE(table.size() == n);
    CHECK(table.facts().dag_edges == whole.facts().dag_edges);
    CHECK(table.facts().serial_run_s == whole.facts().serial_run_s);
    CHECK(table.facts().last_arrival_s == whole.facts().last_arrival_s);
    CHECK(table.facts().slowest_speed == whole.facts().slowest_speed);
    for (std::uint64_t g = 0; g < n; ++g) CHECK(table.children(g).size() == whole.children(g).size());
    // In id order, then at random (a slot's task is replaced and read again).
    for (std::uint64_t id = 0; id < n; ++id) REQUIRE(same_task(table[id], whole[id]));
    for (std::uint64_t k = 0; n > 0 && k < 4 * n; ++k) {
      const std::uint64_t id = rng() % n;
      REQUIRE(same_task(table[id], tasks[id]));
    }
  }
}

TEST_CASE("flat tasks: a malformed block or stream is refused", "[task_table]") {
  const ClusterSpec c = make_cluster({make_node(8, 32, 1.0)});
  std::mt19937_64 rng(7);
  std::vector<TaskSpec> tasks = random_stream(rng, 50);
  auto words = block_of(tasks);
  CHECK_THROWS_AS(FlatTasks(std::as_bytes(std::span(*words)).first(words->size() * 8 - 8)), std::logic_error);
  std::vector<std::uint64_t> wrong(words->size(), 0);
  CHECK_THROWS_AS(FlatTasks(std::as_bytes(std::span(wrong))), std::logic_error);
  // A DAG parent that is not a group's first task: refused like the whole table's.
  std::uint64_t child = 0;
  while (child < tasks.size() && tasks[child].parents.empty()) ++child;
  REQUIRE(child < tasks.size());
  std::uint64_t not_first = 0;
  while (tasks[not_first].instance == 0) ++not_first;
  for (std::uint64_t i = child - tasks[child].instance; i < tasks.size() && tasks[i].parents == tasks[child].parents;
       ++i)
    tasks[i].parents = {not_first};
  CHECK_THROWS_AS(TaskTable::view(tasks, c), std::logic_error);
  words = block_of(tasks);
  CHECK_THROWS_AS(TaskTable(FlatTasks(std::as_bytes(std::span(*words))), words, c), std::logic_error);
  // Ids out of order cannot be written.
  tasks[3].id = 9;
  CHECK_THROWS_AS(block_of(tasks), std::logic_error);
}

#pragma once
// Fixtures shared by the cluster-model tests: nodes, clusters and tasks made by hand, one
// episode on one rank, and the check that every task of an episode is accounted for.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "engine/cluster/episode.hpp"
#include "mpi/communicator.hpp"
#include "workloads/cluster_spec.hpp"
#include "workloads/task_spec.hpp"

namespace marlsim::test {

inline NodeSpec make_node(double cores, double memory_gb, double speed = 1.0, double idle_w = 0, double dynamic_w = 0) {
  NodeSpec n;
  n.cores = cores;
  n.memory_gb = memory_gb;
  n.speed = speed;
  n.idle_power_w = idle_w;
  n.dynamic_power_w = dynamic_w;
  return n;
}

inline ClusterSpec make_cluster(std::vector<NodeSpec> nodes) {
  ClusterSpec c;
  c.nodes = std::move(nodes);
  c.tier_names = {"test"};
  return c;
}

// A task that runs `runtime_s` on a speed-1 node (work = runtime x cores).
inline TaskSpec make_task(std::uint64_t id, double arrival_s, double cores, double runtime_s, double memory_gb = 1,
                          std::vector<std::uint64_t> parents = {}, double deadline_s = 1e9) {
  TaskSpec t;
  t.id = id;
  t.job = id;
  t.arrival_s = arrival_s;
  t.cores = cores;
  t.work_core_s = runtime_s * cores;
  t.memory_gb = memory_gb;
  t.deadline_s = deadline_s;
  t.parents = std::move(parents);
  return t;
}

// One episode on this rank alone (the sequential reference), the settings' first policy by default.
inline EpisodeResult run(const ClusterModelSettings& s, const ClusterSpec& c, const std::vector<TaskSpec>& tasks,
                         const std::string& policy = "", std::uint64_t episode = 0) {
  const Communicator self(MPI_COMM_SELF);
  const TaskTable table = TaskTable::view(tasks, c);
  return run_episode(self, {&s, &c, &table, policy.empty() ? s.scheduler.policies.front() : policy, episode});
}

inline const TaskRecord& record_of(const EpisodeResult& r, std::uint64_t task) {
  const auto it = std::find_if(r.tasks.begin(), r.tasks.end(), [&](const TaskRecord& t) { return t.task == task; });
  if (it == r.tasks.end()) FAIL("task " << task << " has no record (not completed)");
  return *it;
}

// Nothing is silently lost, and every record is a plausible execution.
inline void require_accounted(const EpisodeResult& r, std::size_t tasks, std::size_t nodes) {
  const EpisodeMetrics& m = r.metrics;
  REQUIRE(m.tasks == tasks);
  REQUIRE(m.completed + m.unschedulable + m.blocked + m.incomplete == m.tasks);
  REQUIRE(m.completed == r.tasks.size());
  REQUIRE(m.unschedulable == r.unschedulable.size());
  REQUIRE(m.blocked == r.blocked.size());
  REQUIRE(r.nodes.size() == nodes);
  std::set<std::uint64_t> ids;
  for (const TaskRecord& t : r.tasks) {
    ids.insert(t.task);
    REQUIRE(t.node < nodes);
    REQUIRE(t.start >= t.ready);
    REQUIRE(t.end > t.start);
  }
  for (auto id : r.unschedulable) ids.insert(id);
  for (auto id : r.blocked) ids.insert(id);
  REQUIRE(ids.size() == m.completed + m.unschedulable + m.blocked);  // no task listed twice
}

}  // namespace marlsim::test

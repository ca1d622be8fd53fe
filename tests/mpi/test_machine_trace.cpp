// A trace held once per machine (engine/experiment/machine_trace.hpp): at 1, 2 and 4 ranks every
// rank reads the same tasks as a trace read whole on its own (the simple reference), the
// machine's ranks allocate one copy between them, and an episode run on the shared table
// (spread over every rank) gives the same checksum, metrics and records as on the whole table.
#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "engine/cluster/episode.hpp"
#include "engine/cluster/metric_fields.hpp"
#include "engine/experiment/episode_inputs.hpp"
#include "engine/experiment/machine_trace.hpp"
#include "engine/experiment/scenario.hpp"
#include "mpi/communicator.hpp"
#include "mpi/machine_memory.hpp"
#include "tests/mpi/shared_temp_dir.hpp"
#include "workloads/task_table.hpp"

using namespace marlsim;

namespace {

// An SWF log of `jobs` jobs, every fifth one waiting on the job before it (field 17: a DAG).
std::string write_swf(const test::SharedTempDir& dir, int jobs) {
  const std::string path = dir.file("machine.swf");
  if (dir.comm.is_root()) {
    std::ofstream out(path);
    for (int j = 1; j <= jobs; ++j)
      out << j << ' ' << 3 * j << " 0 " << 20 + j % 17 << ' ' << 1 + j % 4 << " -1 -1 " << 1 + j % 4 << " 100 "
          << 1048576 * (1 + j % 3) << " 1 1 1 -1 1 -1 " << (j % 5 == 0 ? j - 1 : -1) << " -1\n";
  }
  dir.comm.barrier();
  return path;
}

Scenario trace_scenario(const std::string& swf) {
  return parse_scenario(R"(
name = "machine-trace"
[cluster]
nodes = 12
[workload]
kind = "swf"
[scheduler]
topology = "centralized"
policy = "least-loaded"
[run]
seed = 5
episodes = 2
)",
                        "machine-trace.toml", {"workload.trace.path=" + swf});
}

// Task `a` equals `b`, field by field, parents included.
bool same_task(const TaskSpec& a, const TaskSpec& b) {
  return a.id == b.id && a.job == b.job && a.arrival_s == b.arrival_s && a.work_core_s == b.work_core_s &&
         a.cores == b.cores && a.memory_gb == b.memory_gb && a.priority == b.priority && a.instance == b.instance &&
         a.deadline_s == b.deadline_s && a.parents == b.parents;
}

}  // namespace

TEST_CASE("machine trace: every rank reads the trace's tasks from one copy per machine", "[machine_trace][mpi]") {
  const Communicator world;
  const test::SharedTempDir dir;
  const Scenario s = trace_scenario(write_swf(dir, 400));
  const std::unique_ptr<Workload> reference = read_scenario_trace(s, 0);  // every rank its own, the old way
  const ClusterSpec cluster = build_cluster(s, reference.get());

  MachineTrace machine(world, s);
  REQUIRE(machine.tasks() == reference->tasks.size());
  REQUIRE(machine.summary() == reference->report.summary());
  machine.share(world);
  const TaskTable shared = machine.table(cluster);
  const TaskTable whole(std::make_shared<const std::vector<TaskSpec>>(reference->tasks), cluster);
  REQUIRE(shared.size() == whole.size());
  REQUIRE(shared.has_dag());
  // Lookups in id order, then jumping about (the slots are a cache): every task bit for bit.
  for (std::uint64_t id = 0; id < whole.size(); ++id) REQUIRE(same_task(shared[id], whole[id]));
  for (std::uint64_t k = 0; k < 5 * whole.size(); ++k) {
    const std::uint64_t id = (k * 7919 + k / 3) % whole.size();
    REQUIRE(same_task(shared[id], whole[id]));
  }
  REQUIRE(shared.facts().dag_edges == whole.facts().dag_edges);
  REQUIRE(shared.facts().serial_run_s == whole.facts().serial_run_s);
  REQUIRE(shared.facts().last_arrival_s == whole.facts().last_arrival_s);

  // One copy per machine: one rank of each machine allocated the block, the others nothing,
  // and every rank sees the same bytes (the same digest of every task as rank 0's).
  const MachineCommunicator m(world);
  const std::uint64_t allocated = m.comm().allreduce_sum(machine.bytes_allocated_here());
  const std::uint64_t allocating = m.comm().allreduce_sum(std::uint64_t{machine.bytes_allocated_here() > 0});
  CHECK(allocated == machine.shared_bytes());
  CHECK(allocating == 1);
  CHECK(machine.shared_bytes() == flat_tasks_bytes(reference->tasks));
  std::uint64_t digest = 0;
  for (std::uint64_t id = 0; id < shared.size(); ++id) {
    const TaskSpec& t = shared[id];
    digest = digest * 1099511628211ULL + static_cast<std::uint64_t>(t.arrival_s * 1e6) + t.job * 31 + t.parents.size();
  }
  std::uint64_t root_digest = digest;
  world.broadcast(root_digest);
  CHECK(digest == root_digest);
}

TEST_CASE("machine trace: an episode on the shared table equals one on the whole table", "[machine_trace][mpi]") {
  const Communicator world;
  const test::SharedTempDir dir;
  const Scenario s = trace_scenario(write_swf(dir, 300));
  const std::unique_ptr<Workload> reference = read_scenario_trace(s, 0);

  EpisodeInputs inputs(s, &world);  // the run's way: a trace without a job sample is shared
  REQUIRE(inputs.trace_shared());
  REQUIRE(inputs.trace_tasks() == reference->tasks.size());
  const EpisodeInputs::Episode ep = inputs.episode(0);
  REQUIRE(ep.tasks.get() == inputs.episode(1).tasks.get());  // one table for every episode
  const TaskTable whole(std::make_shared<const std::vector<TaskSpec>>(reference->tasks), *ep.cluster);
  for (const char* policy : {"least-loaded", "best-fit", "random"}) {
    INFO(policy);
    const EpisodeResult a = run_episode(world, {&s, ep.cluster, ep.tasks.get(), policy, 0});
    const EpisodeResult b = run_episode(world, {&s, ep.cluster, &whole, policy, 0});
    REQUIRE(a.checksum == b.checksum);
    for (const MetricField& f : episode_metric_fields()) {
      if (f.name == "wall_s" || f.name == "decisions_per_s" || f.name == "decision_latency_wall_us") continue;
      INFO(f.name);
      const double x = f.get(a.metrics), y = f.get(b.metrics);
      REQUIRE((x == y || (x != x && y != y)));
    }
    REQUIRE(a.tasks.size() == b.tasks.size());
    for (std::size_t i = 0; i < a.tasks.size(); ++i) {
      REQUIRE(a.tasks[i].task == b.tasks[i].task);
      REQUIRE(a.tasks[i].start == b.tasks[i].start);
      REQUIRE(a.tasks[i].end == b.tasks[i].end);
    }
  }
}

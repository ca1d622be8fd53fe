// The up-front memory estimate counts what every rank on the machine holds in full (the task
// table, the cluster's specs, the program), not one rank's share only.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "engine/cluster/memory_estimate.hpp"
#include "engine/support/input_error.hpp"
#include "engine/support/memory_budget.hpp"
#include "workloads/flat_tasks.hpp"
#include "workloads/task_spec.hpp"

namespace marlsim {
namespace {

// Sets OMPI_COMM_WORLD_LOCAL_SIZE for one scope (the tests may themselves run under mpirun).
// Sets (or, with nullptr, unsets) an environment variable for its scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) setenv(name, value, 1);
    else unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Open MPI's launcher variable for the ranks on this machine.
struct LocalRanks : ScopedEnv {
  explicit LocalRanks(const char* value) : ScopedEnv("OMPI_COMM_WORLD_LOCAL_SIZE", value) {}
};

// The estimate's bytes per task (a million tasks more), for `ranks` ranks on the machine.
double per_task(const SchedulerConfig& sc, std::uint64_t ranks, TaskStorage storage = TaskStorage::Whole) {
  return (estimate_episode_bytes(sc, 100, 2'000'000, ranks, storage) -
          estimate_episode_bytes(sc, 100, 1'000'000, ranks, storage)) /
         1e6;
}

}  // namespace

TEST_CASE("every further rank on the machine adds its own copy of the task table", "[memory]") {
  const SchedulerConfig sc;
  const std::uint64_t nodes = 10'000, tasks = 1'000'000;
  const double one = estimate_episode_bytes(sc, nodes, tasks, 1);
  const double four = estimate_episode_bytes(sc, nodes, tasks, 4);
  CHECK(four - one == 3 * extra_rank_bytes(nodes, tasks));
  CHECK(extra_rank_bytes(nodes, tasks) >= static_cast<double>(tasks * sizeof(TaskSpec)));
  CHECK(estimate_episode_bytes(sc, nodes, tasks) == one);
}

TEST_CASE("a replayed stream costs each rank its bounded cache, not a copy of the stream", "[memory]") {
  const SchedulerConfig sc;
  const std::uint64_t nodes = 10'000;
  const double cache = task_table_bytes(10'000'000, TaskStorage::Replayed);
  // 64 chunks of 4,096 tasks and a checkpoint per chunk: ~23 MB plus ~0.2 MB at 10 million tasks.
  CHECK(cache < 0.05 * task_table_bytes(10'000'000, TaskStorage::Whole));
  CHECK(cache > 64.0 * 4096 * sizeof(TaskSpec));
  CHECK(task_table_bytes(1000, TaskStorage::Replayed) < 1000.0 * sizeof(TaskSpec) + 1024);  // at most the stream
  // A further rank adds its cache, not 88 bytes a task.
  const double one = estimate_episode_bytes(sc, nodes, 10'000'000, 1, TaskStorage::Replayed);
  const double two = estimate_episode_bytes(sc, nodes, 10'000'000, 2, TaskStorage::Replayed);
  CHECK(two - one == Approx(extra_rank_bytes(nodes, 10'000'000, TaskStorage::Replayed)));
  // ... and a whole table's further rank adds 88 bytes a task more (both add the rank's buffers).
  const double whole_extra = estimate_episode_bytes(sc, nodes, 10'000'000, 2) -
                             estimate_episode_bytes(sc, nodes, 10'000'000, 1);
  CHECK(whole_extra - (two - one) == Approx(task_table_bytes(10'000'000, TaskStorage::Whole) - cache));
  CHECK(one < estimate_episode_bytes(sc, nodes, 10'000'000, 1));
}

TEST_CASE("the ranks on this machine come from the launcher's environment", "[memory]") {
  {
    LocalRanks r("4");
    CHECK(ranks_on_this_machine() == 4);
  }
  {
    LocalRanks r("not a number");
    ScopedEnv mpich("MPI_LOCALNRANKS", nullptr);
    CHECK(ranks_on_this_machine() == 1);
  }
  {
    LocalRanks r(nullptr);
    ScopedEnv mpich("MPI_LOCALNRANKS", "3");
    CHECK(ranks_on_this_machine() == 3);
  }
}

TEST_CASE("a stream that fits one rank's memory is refused when many ranks each hold it", "[memory]") {
  const SchedulerConfig sc;
  const double available = static_cast<double>(available_memory_bytes());
  // A third of the memory on one rank; 16 ranks each add sizeof(TaskSpec) a task (and more).
  const auto tasks = static_cast<std::uint64_t>(available / 3 / per_task(sc, 1));
  REQUIRE(estimate_episode_bytes(sc, 100, tasks, 16) > 1.5 * available);
  {
    LocalRanks r("1");
    CHECK_NOTHROW(require_episode_memory("s.toml", sc, 100, tasks));
  }
  LocalRanks r("16");
  CHECK_THROWS_WITH(require_episode_memory("s.toml", sc, 100, tasks),
                    Catch::Contains("s.toml: workload.tasks") && Catch::Contains("16 ranks on this machine"));
}

}  // namespace marlsim

namespace marlsim {

TEST_CASE("a trace shared by the machine's ranks is counted once, not once per rank", "[memory]") {
  const SchedulerConfig sc;
  const std::uint64_t nodes = 1000, tasks = 10'000'000;
  const double block = machine_table_bytes(tasks, TaskStorage::SharedPerMachine);
  CHECK(block == Approx(static_cast<double>(tasks) * (sizeof(FlatTask) + 8)));
  CHECK(machine_table_bytes(tasks, TaskStorage::Whole) == 0);
  CHECK(task_table_bytes(tasks, TaskStorage::SharedPerMachine) < 1e5);  // a rank's slots only
  const double one = estimate_episode_bytes(sc, nodes, tasks, 1, TaskStorage::SharedPerMachine);
  const double four = estimate_episode_bytes(sc, nodes, tasks, 4, TaskStorage::SharedPerMachine);
  CHECK(four - one == Approx(3 * extra_rank_bytes(nodes, tasks, TaskStorage::SharedPerMachine)));
  // Each further rank adds no copy of the trace: 3 x 88 bytes a task less than whole tables.
  const double whole_four = estimate_episode_bytes(sc, nodes, tasks, 4, TaskStorage::Whole);
  CHECK(whole_four - four ==
        Approx(4.0 * tasks * sizeof(TaskSpec) - block - 4.0 * task_table_bytes(tasks, TaskStorage::SharedPerMachine)));
}

TEST_CASE("the estimate counts the program on every rank and the agents' per-node state", "[memory]") {
  SchedulerConfig central;
  SchedulerConfig agents;
  agents.topology = Topology::Decentralized;
  // One rank, no tasks, no nodes: the program alone (measured ~25 MiB).
  CHECK(estimate_episode_bytes(central, 0, 0, 1, TaskStorage::Replayed) == Approx(25.0 * 1024 * 1024));
  // Measured 2.5-3.0 KiB a node centralized, 4.1 KB with agents (RESULTS.md): the estimate is at least that.
  const double per_node = (estimate_episode_bytes(central, 20'000, 0) - estimate_episode_bytes(central, 10'000, 0)) /
                          1e4;
  const double per_agent = (estimate_episode_bytes(agents, 20'000, 0) - estimate_episode_bytes(agents, 10'000, 0)) /
                           1e4;
  CHECK(per_node >= 3.0 * 1024);
  CHECK(per_agent >= 4100);
}

TEST_CASE("srun's direct launch tells the ranks on this machine", "[memory]") {
  ScopedEnv ompi("OMPI_COMM_WORLD_LOCAL_SIZE", nullptr);
  ScopedEnv mpich("MPI_LOCALNRANKS", nullptr);
  {
    ScopedEnv step("SLURM_STEP_TASKS_PER_NODE", "4(x2),3");
    ScopedEnv per_node("SLURM_NTASKS_PER_NODE", "2");
    CHECK(ranks_on_this_machine() == 4);  // the largest count of the step's list
  }
  {
    ScopedEnv step("SLURM_STEP_TASKS_PER_NODE", "3,5(x10)");
    CHECK(ranks_on_this_machine() == 5);
  }
  {
    // A batch script's own process (sbatch --ntasks-per-node=6, no srun step): one rank, not 6.
    ScopedEnv step("SLURM_STEP_TASKS_PER_NODE", nullptr);
    ScopedEnv per_node("SLURM_NTASKS_PER_NODE", "6");
    CHECK(ranks_on_this_machine() == 1);
  }
  {
    ScopedEnv step("SLURM_STEP_TASKS_PER_NODE", "4(x2");  // unreadable: counted as one rank
    CHECK(ranks_on_this_machine() == 1);
  }
  {
    LocalRanks r("2");  // mpirun's own count comes first
    ScopedEnv step("SLURM_STEP_TASKS_PER_NODE", "16");
    CHECK(ranks_on_this_machine() == 2);
  }
}

TEST_CASE("the guard refuses with the key when srun puts many ranks on the machine", "[memory]") {
  const SchedulerConfig sc;
  const double available = static_cast<double>(available_memory_bytes());
  // Halfway between 16 ranks' whole tables and one shared copy, a task costs (pw + ps) / 2.
  const double pw = per_task(sc, 16), ps = per_task(sc, 16, TaskStorage::SharedPerMachine);
  const auto tasks = static_cast<std::uint64_t>(available / ((pw + ps) / 2));
  REQUIRE(estimate_episode_bytes(sc, 100, tasks, 16) > 1.2 * available);
  REQUIRE(estimate_episode_bytes(sc, 100, tasks, 16, TaskStorage::SharedPerMachine) < 0.8 * available);
  ScopedEnv ompi("OMPI_COMM_WORLD_LOCAL_SIZE", nullptr);
  ScopedEnv mpich("MPI_LOCALNRANKS", nullptr);
  ScopedEnv step("SLURM_STEP_TASKS_PER_NODE", "16(x4)");
  CHECK_THROWS_WITH(require_episode_memory("s.toml", sc, 100, tasks),
                    Catch::Contains("s.toml: workload.tasks") && Catch::Contains("16 ranks on this machine"));
  // The same trace shared once per machine fits, and an explicit count overrides the launcher's.
  CHECK_NOTHROW(require_episode_memory("s.toml", sc, 100, tasks, 1, TaskStorage::SharedPerMachine, 16));
  CHECK_NOTHROW(require_episode_memory("s.toml", sc, 100, tasks / 8, 1, TaskStorage::Whole, 1));
  CHECK_THROWS_WITH(require_episode_memory("s.toml", sc, 100, 10 * tasks, 1, TaskStorage::SharedPerMachine, 16),
                    Catch::Contains("s.toml: workload.tasks") &&
                        Catch::Contains("16 ranks on this machine that share one copy of the trace"));
}

TEST_CASE("rank groups running episodes side by side each hold one", "[memory]") {
  const SchedulerConfig sc;
  const double available = static_cast<double>(available_memory_bytes());
  // An episode spread over 4 ranks fits in half the memory; 4 groups of one rank each
  // hold a whole episode at once, and do not fit.
  const auto tasks = static_cast<std::uint64_t>(available / 2 / per_task(sc, 4, TaskStorage::Replayed));
  REQUIRE(4 * estimate_episode_bytes(sc, 100, tasks, 1, TaskStorage::Replayed) > 1.2 * available);
  CHECK_NOTHROW(require_episode_memory("s.toml", sc, 100, tasks, 1, TaskStorage::Replayed, 4, 1));
  CHECK_THROWS_WITH(require_episode_memory("s.toml", sc, 100, tasks, 1, TaskStorage::Replayed, 4, 4),
                    Catch::Contains("s.toml: workload.tasks") && Catch::Contains("in 4 rank groups that each run"));
}

}  // namespace marlsim

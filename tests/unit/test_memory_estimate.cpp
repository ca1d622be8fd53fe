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
  CHECK(two - one <
        0.1 * (estimate_episode_bytes(sc, nodes, 10'000'000, 2) - estimate_episode_bytes(sc, nodes, 10'000'000, 1)));
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
  const auto tasks = static_cast<std::uint64_t>(available / 3 / estimate_episode_bytes(sc, 0, 1, 1));
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

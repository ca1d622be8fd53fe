#include "engine/experiment/machine_trace.hpp"

#include <optional>
#include <utility>
#include <vector>

#include "engine/experiment/episode_inputs.hpp"
#include "engine/experiment/group_failure.hpp"
#include "mpi/machine_memory.hpp"

namespace marlsim {

struct MachineTrace::Shared {
  explicit Shared(const Communicator& ranks) : machine(ranks) {}
  MachineCommunicator machine;
  std::optional<MachineSharedBytes> block;  // after share(); freed before the communicator
};

namespace {

// Every rank of `comm` gets rank 0's cluster (nodes and tier names).
void broadcast_cluster(const Communicator& comm, ClusterSpec& cluster) {
  comm.broadcast(cluster.nodes);
  std::uint64_t tiers = cluster.tier_names.size();
  comm.broadcast(tiers);
  cluster.tier_names.resize(tiers);
  for (std::string& name : cluster.tier_names) comm.broadcast(name);
}

}  // namespace

MachineTrace::MachineTrace(const Communicator& ranks, const Scenario& scenario)
    : shared_(std::make_shared<Shared>(ranks)) {
  const Communicator& machine = shared_->machine.comm();
  GroupFailure failure;
  try {
    if (machine.is_root()) {
      std::unique_ptr<Workload> read = read_scenario_trace(scenario, 0);
      trace_ = std::move(*read);
      summary_ = trace_.report.summary();
      tasks_ = trace_.tasks.size();
    }
  } catch (...) {
    failure.caught(std::current_exception());
  }
  failure.agree(ranks);  // every machine learns of one machine's read error
  machine.broadcast(tasks_);
  machine.broadcast(summary_);
  broadcast_cluster(machine, trace_.machines);
}

MachineTrace::~MachineTrace() = default;

std::uint64_t MachineTrace::machine_ranks() const { return static_cast<std::uint64_t>(shared_->machine.comm().size()); }

void MachineTrace::share(const Communicator& ranks) {
  const Communicator& machine = shared_->machine.comm();
  shared_->block.emplace(machine, machine.is_root() ? flat_tasks_bytes(trace_.tasks) : 0);
  MachineSharedBytes& block = *shared_->block;
  GroupFailure failure;
  try {
    if (block.writer()) {
      write_flat_tasks(trace_.tasks, block.writable());
      std::vector<TaskSpec>().swap(trace_.tasks);  // one copy per machine: the shared one
    }
  } catch (...) {
    failure.caught(std::current_exception());
  }
  failure.agree(ranks);  // before the barrier of publish(), which a failed writer would not reach
  block.publish();
  flat_ = FlatTasks(block.bytes());
}

TaskTable MachineTrace::table(const ClusterSpec& cluster) const { return TaskTable(flat_, shared_, cluster); }

std::uint64_t MachineTrace::shared_bytes() const { return shared_->block ? shared_->block->bytes().size() : 0; }

std::uint64_t MachineTrace::bytes_allocated_here() const {
  return shared_->block ? shared_->block->allocated_here() : 0;
}

}  // namespace marlsim

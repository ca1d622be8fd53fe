#pragma once
// A trace held once per machine: the first rank of each machine (mpi/machine_memory.hpp) reads
// and assembles the trace, copies its tasks into a block the machine's ranks share
// (workloads/flat_tasks.hpp) and frees its own; every rank of the machine then reads the tasks
// in place through a flat TaskTable. The other ranks never hold the trace's tasks: they get its
// machines and the reader's summary from the first rank.
#include <cstdint>
#include <memory>
#include <string>

#include "engine/experiment/scenario.hpp"
#include "mpi/communicator.hpp"
#include "workloads/flat_tasks.hpp"
#include "workloads/task_table.hpp"
#include "workloads/trace_reader.hpp"

namespace marlsim {

class MachineTrace {
 public:
  // Collective over `ranks`: reads the trace of `scenario` (workload.kind a trace format) on the
  // first rank of each machine. An error there (InputError: a missing file, a bad line) is
  // thrown on every rank of `ranks`.
  MachineTrace(const Communicator& ranks, const Scenario& scenario);
  ~MachineTrace();

  // The trace with its machines and no tasks, on every rank (the report is the reader's on the
  // machine's first rank only: use summary()).
  const Workload& trace() const { return trace_; }
  const std::string& summary() const { return summary_; }
  std::uint64_t tasks() const { return tasks_; }
  // The ranks of this run on this machine.
  std::uint64_t machine_ranks() const;

  // Collective over `ranks` (the constructor's): the first rank of each machine copies the
  // tasks into the shared block and frees its own copy; a failure is raised on every rank.
  // Call once, after the memory check.
  void share(const Communicator& ranks);
  // A table of the shared tasks with the facts on `cluster` (after share()).
  TaskTable table(const ClusterSpec& cluster) const;
  // The bytes of the shared block, and what this rank allocated of it (all or 0).
  std::uint64_t shared_bytes() const;
  std::uint64_t bytes_allocated_here() const;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;  // the machine's communicator and block; tables share it
  Workload trace_;
  std::string summary_;
  std::uint64_t tasks_ = 0;
  FlatTasks flat_;
};

}  // namespace marlsim

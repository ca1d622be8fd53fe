#pragma once
// What episode e of a scenario runs on: its cluster (generated from the seed, per episode
// with cluster.new_per_episode, or the trace's machines) and its task stream (generated, or
// the trace's jobs, resampled per episode with sample_jobs < 1). Every policy's episode e
// gets the same (common random numbers).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/experiment/scenario.hpp"
#include "mpi/communicator.hpp"
#include "workloads/task_table.hpp"
#include "workloads/trace_reader.hpp"

namespace marlsim {

// Reads the scenario's trace (nullptr result for synthetic workloads).
std::unique_ptr<Workload> read_scenario_trace(const Scenario& scenario, std::uint64_t episode);
ClusterSpec build_cluster(const Scenario& scenario, const Workload* trace, std::uint64_t episode = 0);
// Episode `episode`'s tasks; throws InputError when they would run off the clock or the
// warm-up outlasts them (check_tasks).
std::vector<TaskSpec> build_tasks(const Scenario& scenario, const ClusterSpec& cluster, const Workload* trace,
                                  std::uint64_t episode);
// The same checks on a table's facts (the clock on the cluster the table was made on).
void check_tasks(const Scenario& scenario, const TaskTable& tasks, std::uint64_t episode);

// Episode after episode in any order (a rank group runs every G-th pair): reads the trace
// again only when its job sample changes and builds a cluster only when
// cluster.new_per_episode asks for one per episode.
class MachineTrace;

class EpisodeInputs {
 public:
  // Refuses (InputError naming the key) an episode that would not fit in memory, then reads
  // the trace and builds episode 0's cluster. With `ranks` (collective over them), a trace that
  // every episode shares (no per-episode job sample) is held once per machine
  // (engine/experiment/machine_trace.hpp); without, or with a job sample per episode, every
  // rank holds its own.
  explicit EpisodeInputs(const Scenario& scenario, const Communicator* ranks = nullptr);
  ~EpisodeInputs();

  // The trace as last read: episode 0's sample until episode() reads another (nullptr:
  // synthetic). Its machines; its tasks have moved to the episodes (trace_tasks). Its reader's
  // summary: trace_summary().
  const Workload* trace() const { return machine_trace_ ? machine_workload() : trace_.get(); }
  const std::string& trace_summary() const { return trace_summary_; }
  std::uint64_t trace_tasks() const { return trace_task_count_; }
  // The trace's tasks are in a block the machine's ranks share.
  bool trace_shared() const { return machine_trace_ != nullptr; }
  const ClusterSpec& first_cluster() const { return cluster_; }

  struct Episode {
    const ClusterSpec* cluster;  // valid until the next call
    // A trace's tasks are shared with every episode of the same sample: one copy of a trace,
    // not one per episode in flight plus the trace's own (88 bytes and the DAG edges per task).
    std::shared_ptr<const TaskTable> tasks;
  };
  Episode episode(std::uint64_t e);

 private:
  const Workload* machine_workload() const;
  std::shared_ptr<const TaskTable> trace_table(const ClusterSpec& cluster) const;  // a new one on `cluster`
  void read_trace(std::uint64_t episode);

  const Scenario& scenario_;
  std::unique_ptr<MachineTrace> machine_trace_;  // a shared trace (then trace_ and trace_tasks_ stay empty)
  std::unique_ptr<Workload> trace_;
  std::string trace_summary_;
  std::uint64_t trace_task_count_ = 0;
  std::shared_ptr<const std::vector<TaskSpec>> trace_tasks_;  // trace_'s tasks
  std::shared_ptr<const TaskTable> trace_table_;              // on cluster_ (reset when the sample changes)
  std::uint64_t trace_episode_ = 0;                           // the episode whose job sample trace_ holds
  bool resample_ = false;
  ClusterSpec cluster_;  // episode 0's, and every episode's unless cluster.new_per_episode
  ClusterSpec fresh_;    // with cluster.new_per_episode, the last episode's own
};

}  // namespace marlsim

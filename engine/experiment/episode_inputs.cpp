#include "engine/experiment/episode_inputs.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/cluster/memory_estimate.hpp"
#include "engine/experiment/group_failure.hpp"
#include "engine/experiment/machine_trace.hpp"
#include "engine/experiment/rank_groups.hpp"
#include "engine/support/input_error.hpp"
#include "engine/support/rng.hpp"
#include "mpi/machine_memory.hpp"
#include "workloads/seed_study_cluster.hpp"
#include "workloads/seed_study_workload.hpp"

namespace marlsim {

std::unique_ptr<Workload> read_scenario_trace(const Scenario& scenario, std::uint64_t episode) {
  if (scenario.workload.kind == "synthetic") return nullptr;
  TraceOptions options = scenario.workload.trace;
  // Job sampling differs per episode (so episodes are samples); a full trace is the same.
  options.seed = scenario.run.seed + (options.sample_jobs < 1.0 ? episode : 0);
  return std::make_unique<Workload>(read_trace(scenario.workload.kind, options));
}

ClusterSpec build_cluster(const Scenario& scenario, const Workload* trace, std::uint64_t episode) {
  if (scenario.cluster.source == "trace") {
    if (trace == nullptr || trace->machines.nodes.empty())
      throw InputError::at(scenario.path + ": cluster.source",
                           "\"trace\" needs a trace workload that lists machines (alibaba2017, swf)");
    ClusterSpec machines = trace->machines;
    for (NodeSpec& n : machines.nodes) {
      if (n.idle_power_w == 0) n.idle_power_w = scenario.cluster.trace_idle_power_w_per_core * n.cores;
      if (n.dynamic_power_w == 0) n.dynamic_power_w = scenario.cluster.trace_dynamic_power_w_per_core * n.cores;
    }
    return machines;
  }
  const std::uint64_t seed = scenario.run.seed;
  return generate_seed_study_cluster(scenario.cluster.generated,
                                     scenario.cluster.new_per_episode ? hash_combine(seed, episode) : seed);
}

std::vector<TaskSpec> build_tasks(const Scenario& scenario, const ClusterSpec& cluster, const Workload* trace,
                                  std::uint64_t episode) {
  std::vector<TaskSpec> tasks = trace != nullptr ? trace->tasks
                                                 : generate_seed_study_tasks(scenario.workload.synthetic, cluster,
                                                                             scenario.run.seed, episode);
  check_tasks(scenario, TaskTable::view(tasks, cluster), episode);
  return tasks;
}

void check_tasks(const Scenario& scenario, const TaskTable& tasks, std::uint64_t episode) {
  // The clock is int64 nanoseconds (~292 years): refuse a stream that would run off its end
  // instead of letting times saturate (tasks would then never finish).
  const TaskStreamFacts& f = tasks.facts();
  if (f.off_clock)
    throw InputError::at(scenario.path + ": workload",
                         "task " + std::to_string(f.off_clock_task) + " arrives at " +
                             std::to_string(f.off_clock_arrival_s) + " s and runs " +
                             std::to_string(f.off_clock_run_s) +
                             " s; both must stay below 1e9 s (check the arrival rate, target_utilization and run-time "
                             "settings)");
  const double warmup_s = scenario.run.warmup_s;
  if (warmup_s > 0 && (tasks.empty() || f.last_arrival_s <= warmup_s))
    throw InputError::at(scenario.path + ": run.warmup_s",
                         fmt::format("the warm-up ({:g} s) outlasts the arrivals of episode {} (last at {:g} s): no "
                                     "task would be measured; shorten it or add tasks",
                                     warmup_s, episode, f.last_arrival_s));
}

namespace {
// The trace's tasks move out of it, to be shared by the episodes that run on them.
std::shared_ptr<const std::vector<TaskSpec>> take_tasks(Workload* trace) {
  if (trace == nullptr) return nullptr;
  return std::make_shared<const std::vector<TaskSpec>>(std::move(trace->tasks));
}
}  // namespace

EpisodeInputs::EpisodeInputs(const Scenario& scenario, const Communicator* ranks) : scenario_(scenario) {
  const bool trace = scenario.workload.kind != "synthetic";
  resample_ = trace && scenario.workload.trace.sample_jobs < 1.0;
  if (trace && ranks != nullptr && !resample_) {
    machine_trace_ = std::make_unique<MachineTrace>(*ranks, scenario);
    trace_summary_ = machine_trace_->summary();
    trace_task_count_ = machine_trace_->tasks();
  } else if (trace) {
    read_trace(0);
  }
  // Before anything of the cluster's size is built (cluster.nodes = 1e9 would end in std::bad_alloc).
  const Workload* workload = this->trace();
  const auto require = [&](std::uint64_t ranks_here, std::uint64_t groups_here) {
    require_episode_memory(scenario.path, scenario.scheduler,
                           workload && scenario.cluster.source == "trace" ? workload->machines.nodes.size()
                                                                          : scenario.cluster.generated.nodes,
                           workload ? trace_task_count_ : scenario.workload.synthetic.tasks,
                           std::min<std::uint64_t>(scenario.batch_episodes, scenario.run.episodes),
                           machine_trace_ ? TaskStorage::SharedPerMachine
                           : workload     ? TaskStorage::Whole
                                          : TaskStorage::Replayed,
                           ranks_here, groups_here);
  };
  // The ranks on this machine: MPI's count when the run has several ranks (mpirun or srun alike);
  // a single rank asks the launcher, as several single-rank runs may share the machine.
  std::uint64_t ranks_here = ranks_on_this_machine();
  if (machine_trace_ && ranks->size() > 1) ranks_here = machine_trace_->machine_ranks();
  else if (ranks != nullptr && ranks->size() > 1)
    ranks_here = static_cast<std::uint64_t>(MachineCommunicator(*ranks).comm().size());
  // Rank groups side by side each hold an episode: as many on this machine as it has ranks,
  // at most (the groups are contiguous blocks of ranks; a machine holding parts of fewer
  // groups is counted as if it held whole ones).
  const std::uint64_t groups_here = ranks != nullptr && ranks->size() > 1
                                        ? std::min<std::uint64_t>(
                                              ranks_here,
                                              static_cast<std::uint64_t>(rank_group_count(scenario, ranks->size())))
                                        : 1;
  if (machine_trace_) {
    // Every rank takes the same decision (MemAvailable moves between two reads) before the
    // machine's ranks allocate the shared block together: the lowest refusing rank's.
    GroupFailure failure;
    try {
      require(ranks_here, groups_here);
    } catch (...) {
      failure.caught(std::current_exception());
    }
    failure.agree(*ranks);
    machine_trace_->share(*ranks);
  } else {
    require(ranks_here, groups_here);
    trace_tasks_ = take_tasks(trace_.get());
  }
  cluster_ = build_cluster(scenario, this->trace(), 0);
}

EpisodeInputs::~EpisodeInputs() = default;

const Workload* EpisodeInputs::machine_workload() const { return &machine_trace_->trace(); }

void EpisodeInputs::read_trace(std::uint64_t episode) {
  trace_ = read_scenario_trace(scenario_, episode);
  trace_summary_ = trace_->report.summary();
  trace_task_count_ = trace_->tasks.size();
}

std::shared_ptr<const TaskTable> EpisodeInputs::trace_table(const ClusterSpec& cluster) const {
  if (machine_trace_) return std::make_shared<const TaskTable>(machine_trace_->table(cluster));
  return std::make_shared<const TaskTable>(trace_tasks_, cluster);
}

EpisodeInputs::Episode EpisodeInputs::episode(std::uint64_t e) {
  if (resample_ && e != trace_episode_) {
    trace_tasks_.reset();  // before the next sample is read: one sample in memory (but those of episodes in flight)
    read_trace(e);
    trace_tasks_ = take_tasks(trace_.get());
    trace_table_.reset();
    trace_episode_ = e;
  }
  const ClusterSpec* cluster = &cluster_;
  if (scenario_.cluster.new_per_episode) {
    fresh_ = build_cluster(scenario_, trace(), e);
    cluster = &fresh_;
  }
  std::shared_ptr<const TaskTable> table;
  if (!trace()) {
    // Replayed in chunks (workloads/task_table.hpp): a rank holds a bounded part of the stream.
    table = std::make_shared<const TaskTable>(
        seed_study_task_table(scenario_.workload.synthetic, *cluster, scenario_.run.seed, e));
  } else if (scenario_.cluster.new_per_episode) {  // the facts are the cluster's: a pass per episode
    table = trace_table(*cluster);
  } else {
    if (!trace_table_) trace_table_ = trace_table(*cluster);
    table = trace_table_;
  }
  check_tasks(scenario_, *table, e);
  return {cluster, std::move(table)};
}

}  // namespace marlsim

#include "engine/experiment/episode_inputs.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/cluster/memory_estimate.hpp"
#include "engine/support/input_error.hpp"
#include "engine/support/rng.hpp"
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

EpisodeInputs::EpisodeInputs(const Scenario& scenario) : scenario_(scenario), trace_(read_scenario_trace(scenario, 0)) {
  // Before anything of the cluster's size is built (cluster.nodes = 1e9 would end in std::bad_alloc).
  require_episode_memory(
      scenario.path, scenario.scheduler,
      trace_ && scenario.cluster.source == "trace" ? trace_->machines.nodes.size() : scenario.cluster.generated.nodes,
      trace_ ? trace_->tasks.size() : scenario.workload.synthetic.tasks,
      std::min<std::uint64_t>(scenario.batch_episodes, scenario.run.episodes),
      trace_ ? TaskStorage::Whole : TaskStorage::Replayed);
  trace_tasks_ = take_tasks(trace_.get());
  resample_ = trace_ && scenario.workload.trace.sample_jobs < 1.0;
  cluster_ = build_cluster(scenario, trace_.get(), 0);
}

EpisodeInputs::Episode EpisodeInputs::episode(std::uint64_t e) {
  if (resample_ && e != trace_episode_) {
    trace_tasks_.reset();  // before the next sample is read: one sample in memory (but those of episodes in flight)
    trace_ = read_scenario_trace(scenario_, e);
    trace_tasks_ = take_tasks(trace_.get());
    trace_table_.reset();
    trace_episode_ = e;
  }
  const ClusterSpec* cluster = &cluster_;
  if (scenario_.cluster.new_per_episode) {
    fresh_ = build_cluster(scenario_, trace_.get(), e);
    cluster = &fresh_;
  }
  std::shared_ptr<const TaskTable> table;
  if (!trace_tasks_) {
    // Replayed in chunks (workloads/task_table.hpp): a rank holds a bounded part of the stream.
    table = std::make_shared<const TaskTable>(
        seed_study_task_table(scenario_.workload.synthetic, *cluster, scenario_.run.seed, e));
  } else if (scenario_.cluster.new_per_episode) {  // the facts are the cluster's: a pass per episode
    table = std::make_shared<const TaskTable>(trace_tasks_, *cluster);
  } else {
    if (!trace_table_) trace_table_ = std::make_shared<const TaskTable>(trace_tasks_, *cluster);
    table = trace_table_;
  }
  check_tasks(scenario_, *table, e);
  return {cluster, std::move(table)};
}

}  // namespace marlsim

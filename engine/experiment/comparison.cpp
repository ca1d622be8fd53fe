#include "engine/experiment/comparison.hpp"

#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "agents/actor_critic_policy.hpp"
#include "engine/cluster/memory_estimate.hpp"
#include "engine/cluster/metric_fields.hpp"
#include "engine/support/input_error.hpp"
#include "engine/support/rng.hpp"
#include "mpi/hdf5/results_file.hpp"
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

namespace {
// The clock is int64 nanoseconds (~292 years): refuse a stream that would run off its end
// instead of letting times saturate (tasks would then never finish).
void check_fits_clock(const Scenario& scenario, const ClusterSpec& cluster, const std::vector<TaskSpec>& tasks) {
  constexpr double kLimit_s = 1e9;
  double slowest = 1e300;
  for (const NodeSpec& n : cluster.nodes) slowest = std::min(slowest, n.speed);
  for (const TaskSpec& t : tasks) {
    const double run = t.work_core_s / (t.cores * slowest);
    if (!(t.arrival_s <= kLimit_s && run <= kLimit_s && t.deadline_s <= 2 * kLimit_s))
      throw InputError::at(scenario.path + ": workload",
                           "task " + std::to_string(t.id) + " arrives at " + std::to_string(t.arrival_s) + " s and runs " +
                               std::to_string(run) + " s; both must stay below 1e9 s (check the arrival rate, "
                               "target_utilization and run-time settings)");
  }
}
}  // namespace

std::vector<TaskSpec> build_tasks(const Scenario& scenario, const ClusterSpec& cluster, const Workload* trace,
                                  std::uint64_t episode) {
  std::vector<TaskSpec> tasks = trace != nullptr
                                    ? trace->tasks
                                    : generate_seed_study_tasks(scenario.workload.synthetic, cluster, scenario.run.seed, episode);
  check_fits_clock(scenario, cluster, tasks);
  const double warmup_s = scenario.run.warmup_s;
  if (warmup_s > 0 && (tasks.empty() || tasks.back().arrival_s <= warmup_s))
    throw InputError::at(scenario.path + ": run.warmup_s",
                         fmt::format("the warm-up ({:g} s) outlasts the arrivals of episode {} (last at {:g} s): no "
                                     "task would be measured; shorten it or add tasks",
                                     warmup_s, episode, tasks.empty() ? 0.0 : tasks.back().arrival_s));
  return tasks;
}

namespace {

// Collective: rank 0's rows, nothing from the others.
template <class T>
void append_column(ResultsFile& out, const Communicator& comm, const std::string& name, const std::vector<T>& v) {
  out.append(name, comm.is_root() ? std::span<const T>(v) : std::span<const T>());
}

void write_tasks(ResultsFile& out, const Communicator& comm, const std::string& group, std::uint64_t episode,
                 const std::vector<TaskSpec>& tasks, const EpisodeResult& r) {
  const std::size_t n = r.tasks.size();
  std::vector<std::int64_t> ep(n, static_cast<std::int64_t>(episode)), id(n), node(n), resched(n), sla(n);
  std::vector<double> arrival(n), ready(n), start(n), end(n), wait(n), completion(n), slowdown(n);
  for (std::size_t i = 0; i < n; ++i) {
    const TaskRecord& t = r.tasks[i];
    const TaskSpec& spec = tasks[t.task];
    id[i] = static_cast<std::int64_t>(t.task);
    node[i] = t.node;
    resched[i] = t.reschedules;
    sla[i] = met_deadline(t, spec.deadline_s) ? 1 : 0;
    arrival[i] = spec.arrival_s;
    ready[i] = to_seconds(t.ready);
    start[i] = to_seconds(t.start);
    end[i] = to_seconds(t.end);
    wait[i] = to_seconds(t.start - t.ready);
    completion[i] = to_seconds(t.end - from_seconds(spec.arrival_s));
    slowdown[i] = bounded_slowdown(t);
  }
  const std::string tg = group + "/tasks/";
  append_column(out, comm, tg + "episode", ep);
  append_column(out, comm, tg + "task", id);
  append_column(out, comm, tg + "node", node);
  append_column(out, comm, tg + "arrival_s", arrival);
  append_column(out, comm, tg + "ready_s", ready);
  append_column(out, comm, tg + "start_s", start);
  append_column(out, comm, tg + "end_s", end);
  append_column(out, comm, tg + "wait_s", wait);
  append_column(out, comm, tg + "completion_s", completion);
  append_column(out, comm, tg + "slowdown", slowdown);
  append_column(out, comm, tg + "sla_met", sla);
  append_column(out, comm, tg + "reschedules", resched);
}

void write_nodes(ResultsFile& out, const Communicator& comm, const std::string& group, std::uint64_t episode,
                 const ClusterSpec& cluster, const EpisodeResult& r) {
  const std::size_t m = r.nodes.size();
  std::vector<std::int64_t> nep(m, static_cast<std::int64_t>(episode)), nid(m), failures(m), runs(m);
  std::vector<double> busy(m), energy(m), utilization(m), window_utilization(m);
  for (std::size_t i = 0; i < m; ++i) {
    nid[i] = r.nodes[i].node;
    failures[i] = r.nodes[i].failures;
    runs[i] = static_cast<std::int64_t>(r.nodes[i].tasks_run);
    busy[i] = r.nodes[i].busy_core_s;
    energy[i] = r.nodes[i].energy_j;
    const double capacity_core_s = cluster.nodes[r.nodes[i].node].cores * r.metrics.makespan_s;
    utilization[i] = capacity_core_s > 0 ? 100.0 * busy[i] / capacity_core_s : 0.0;
    const double window_core_s = cluster.nodes[r.nodes[i].node].cores * r.metrics.arrival_window_s;
    window_utilization[i] = window_core_s > 0 ? 100.0 * r.nodes[i].window_busy_core_s / window_core_s : std::nan("");
  }
  const std::string ng = group + "/nodes/";
  append_column(out, comm, ng + "episode", nep);
  append_column(out, comm, ng + "node", nid);
  append_column(out, comm, ng + "busy_core_s", busy);
  append_column(out, comm, ng + "utilization_pct", utilization);
  append_column(out, comm, ng + "arrival_window_utilization_pct", window_utilization);
  append_column(out, comm, ng + "energy_j", energy);
  append_column(out, comm, ng + "failures", failures);
  append_column(out, comm, ng + "tasks_run", runs);

  // Tasks that fit no node, and tasks waiting on one, with the episode they belong to.
  for (const auto& [name, ids] : {std::pair{"unschedulable", &r.unschedulable}, std::pair{"blocked", &r.blocked}}) {
    const std::vector<std::int64_t> id(ids->begin(), ids->end());
    append_column(out, comm, group + "/" + name + "/task", id);
    append_column(out, comm, group + "/" + name + "/episode",
                  std::vector<std::int64_t>(id.size(), static_cast<std::int64_t>(episode)));
  }
}

}  // namespace

ComparisonResult run_comparison(const Communicator& comm, const Scenario& scenario, ResultsFile* results,
                                const ProgressFn& progress) {
  for (const std::string& policy : scenario.scheduler.policies) check_policy_fits_topology(policy, scenario.scheduler);
  // The rank's one actor-critic network ([agents]; weights from run.seed or agents.checkpoint),
  // shared by every node and scheduler of every episode (a checkpoint is refused before any run).
  use_actor_critic_network(make_actor_critic_network(scenario.agents, scenario.run.seed));

  ComparisonResult result;
  std::unique_ptr<Workload> trace = read_scenario_trace(scenario, 0);
  require_episode_memory(scenario.path, scenario.scheduler,
                         trace && scenario.cluster.source == "trace" ? trace->machines.nodes.size()
                                                                     : scenario.cluster.generated.nodes,
                         trace ? trace->tasks.size() : scenario.workload.synthetic.tasks);
  const ClusterSpec cluster = build_cluster(scenario, trace.get(), 0);
  result.nodes = cluster.nodes.size();
  if (trace) {
    result.notes.push_back(trace->report.summary());
  } else {
    const OfferedLoad load =
        offered_load(base_arrival_rate(scenario.workload.synthetic, cluster), scenario.workload.synthetic, cluster);
    result.offered_utilization = load.cpu;
    result.offered_memory_utilization = load.memory;
  }
  const bool resample = trace && scenario.workload.trace.sample_jobs < 1.0;
  std::uint64_t trace_episode = 0;  // the episode whose job sample `trace` holds

  if (results) {
    results->set_attribute("/", "scenario", scenario.name);
    results->set_attribute("/", "scenario_file", scenario.path);
    results->set_attribute("/", "seed", scenario.run.seed);
    results->set_attribute("/", "episodes", scenario.run.episodes);
    results->set_attribute("/", "topology", topology_name(scenario.scheduler.topology));
    results->set_attribute("/", "queue", scenario.scheduler.queue);
    results->set_attribute("/", "nodes", cluster.nodes.size());
    results->set_attribute("/", "ranks", comm.size());
    results->set_attribute("/", "code_version", MARLSIM_VERSION);
    results->set_attribute("/", "time_unit", "s");
    results->set_attribute("/", "energy_units", "energy_j in J, energy_kwh in kWh");
    results->set_attribute("/", "warmup_s", scenario.run.warmup_s);
  }

  for (std::size_t p = 0; p < scenario.scheduler.policies.size(); ++p) {
    const std::string& policy = scenario.scheduler.policies[p];
    PolicyEpisodes pe{policy, {}};
    for (std::uint64_t e = 0; e < scenario.run.episodes; ++e) {
      // Every policy's episode e runs on episode e's sample (the previous policy left the last one).
      if (resample && e != trace_episode) {
        trace = read_scenario_trace(scenario, e);
        trace_episode = e;
      }
      ClusterSpec fresh;  // with cluster.new_per_episode, episode e's own cluster
      if (scenario.cluster.new_per_episode) fresh = build_cluster(scenario, trace.get(), e);
      const ClusterSpec& episode_cluster = scenario.cluster.new_per_episode ? fresh : cluster;
      const std::vector<TaskSpec> tasks = build_tasks(scenario, episode_cluster, trace.get(), e);
      if (p == 0 && e == 0) result.tasks_first_episode = tasks.size();
      const EpisodeResult r = run_episode(comm, {&scenario, &episode_cluster, &tasks, policy, e});
      pe.episodes.push_back(r.metrics);
      if (results) {
        const std::string group = "/" + policy;
        if (scenario.output.per_task) write_tasks(*results, comm, group, e, tasks, r);
        write_nodes(*results, comm, group, e, episode_cluster, r);
        for (const MetricField& f : episode_metric_fields()) {
          const std::vector<double> row{f.get(r.metrics)};
          append_column(*results, comm, group + "/episodes/" + std::string(f.name), row);
        }
      }
      if (progress) progress(p, e, r.metrics);
    }
    if (results)
      for (const MetricField& f : episode_metric_fields()) {
        results->set_attribute("/" + policy + "/episodes/" + std::string(f.name), "unit", f.unit);
        results->set_attribute("/" + policy + "/episodes/" + std::string(f.name), "description", f.description);
      }
    result.policies.push_back(std::move(pe));
  }
  return result;
}

}  // namespace marlsim

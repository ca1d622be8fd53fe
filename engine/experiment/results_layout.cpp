#include "engine/experiment/results_layout.hpp"

#include <cmath>
#include <span>

#include "engine/cluster/metric_fields.hpp"
#include "mpi/hdf5/results_file.hpp"

namespace marlsim {

namespace {

// Rank 0 holds an episode's rows; the other ranks add none to the row group.
template <class T>
ResultsColumn column(const Communicator& comm, std::string name, const std::vector<T>& v) {
  ResultsColumn c = ResultsColumn::of(std::move(name), v);
  if (!comm.is_root()) c.rows = 0;
  return c;
}

void write_tasks(ResultsFile& out, const Communicator& comm, const std::string& group, std::uint64_t episode,
                 const std::vector<TaskSpec>& tasks, const EpisodeResult& r) {
  const std::size_t n = r.tasks.size();
  std::vector<std::int64_t> ep(n, static_cast<std::int64_t>(episode)), id(n), node(n), resched(n), sla(n);
  std::vector<double> arrival(n), ready(n), start(n), end(n), wait(n), completion(n), slowdown(n);
  for (std::size_t i = 0; i < n; ++i) {
    const TaskRecord& t = r.tasks[i];
    const TaskSpec& spec = tasks[t.task];
    const TaskOutcome o = task_outcome(t, spec);
    id[i] = static_cast<std::int64_t>(t.task);
    node[i] = t.node;
    resched[i] = t.reschedules;
    sla[i] = o.sla_met ? 1 : 0;
    arrival[i] = spec.arrival_s;
    ready[i] = to_seconds(t.ready);
    start[i] = to_seconds(t.start);
    end[i] = to_seconds(t.end);
    wait[i] = o.wait_s;
    completion[i] = o.completion_s;
    slowdown[i] = o.slowdown;
  }
  const std::string tg = group + "/tasks/";
  const std::vector<ResultsColumn> columns{
      column(comm, tg + "episode", ep),
      column(comm, tg + "task", id),
      column(comm, tg + "node", node),
      column(comm, tg + "arrival_s", arrival),
      column(comm, tg + "ready_s", ready),
      column(comm, tg + "start_s", start),
      column(comm, tg + "end_s", end),
      column(comm, tg + "wait_s", wait),
      column(comm, tg + "completion_s", completion),
      column(comm, tg + "slowdown", slowdown),
      column(comm, tg + "sla_met", sla),
      column(comm, tg + "reschedules", resched),
  };
  out.append_row_group(columns);
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
  const std::vector<ResultsColumn> columns{
      column(comm, ng + "episode", nep),
      column(comm, ng + "node", nid),
      column(comm, ng + "busy_core_s", busy),
      column(comm, ng + "utilization_pct", utilization),
      column(comm, ng + "arrival_window_utilization_pct", window_utilization),
      column(comm, ng + "energy_j", energy),
      column(comm, ng + "failures", failures),
      column(comm, ng + "tasks_run", runs),
  };
  out.append_row_group(columns);

  // Tasks that fit no node, and tasks waiting on one, with the episode they belong to.
  for (const auto& [name, ids] : {std::pair{"unschedulable", &r.unschedulable}, std::pair{"blocked", &r.blocked}}) {
    const std::vector<std::int64_t> id(ids->begin(), ids->end());
    const std::vector<std::int64_t> ep(id.size(), static_cast<std::int64_t>(episode));
    const std::vector<ResultsColumn> listed{column(comm, group + "/" + name + "/task", id),
                                            column(comm, group + "/" + name + "/episode", ep)};
    out.append_row_group(listed);
  }
}

}  // namespace

void write_run_attributes(ResultsFile& out, const Communicator& comm, const Scenario& scenario, std::uint64_t nodes) {
  out.set_attribute("/", "scenario", scenario.name);
  out.set_attribute("/", "scenario_file", scenario.path);
  out.set_attribute("/", "seed", scenario.run.seed);
  out.set_attribute("/", "episodes", scenario.run.episodes);
  out.set_attribute("/", "topology", topology_name(scenario.scheduler.topology));
  out.set_attribute("/", "queue", scenario.scheduler.queue);
  out.set_attribute("/", "nodes", nodes);
  out.set_attribute("/", "ranks", comm.size());
  out.set_attribute("/", "code_version", MARLSIM_VERSION);
  out.set_attribute("/", "time_unit", "s");
  out.set_attribute("/", "energy_units", "energy_j in J, energy_kwh in kWh");
  out.set_attribute("/", "warmup_s", scenario.run.warmup_s);
}

void write_episode(ResultsFile& out, const Communicator& comm, const std::string& policy, std::uint64_t episode,
                   const std::vector<TaskSpec>& tasks, const ClusterSpec& cluster, const EpisodeResult& r,
                   bool per_task) {
  const std::string group = "/" + policy;
  if (per_task) write_tasks(out, comm, group, episode, tasks, r);
  write_nodes(out, comm, group, episode, cluster, r);
  std::vector<std::vector<double>> values;
  values.reserve(episode_metric_fields().size());
  std::vector<ResultsColumn> columns;
  for (const MetricField& f : episode_metric_fields()) {
    values.push_back({f.get(r.metrics)});
    columns.push_back(column(comm, group + "/episodes/" + std::string(f.name), values.back()));
  }
  out.append_row_group(columns);
}

void write_metric_attributes(ResultsFile& out, const std::string& policy) {
  for (const MetricField& f : episode_metric_fields()) {
    out.set_attribute("/" + policy + "/episodes/" + std::string(f.name), "unit", f.unit);
    out.set_attribute("/" + policy + "/episodes/" + std::string(f.name), "description", f.description);
  }
}

}  // namespace marlsim

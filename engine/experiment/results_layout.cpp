#include "engine/experiment/results_layout.hpp"

#include <cmath>
#include <span>

#include "engine/cluster/metric_fields.hpp"
#include "mpi/hdf5/results_file.hpp"

namespace marlsim {

namespace {

// Without a result (r == nullptr) every table below has its columns and no rows.
Table task_table(const std::string& group, std::uint64_t episode, const TaskTable* tasks, const EpisodeResult* r) {
  const std::size_t n = r ? r->tasks.size() : 0;
  std::vector<std::int64_t> ep(n, static_cast<std::int64_t>(episode)), id(n), node(n), resched(n), sla(n);
  std::vector<double> arrival(n), ready(n), start(n), end(n), wait(n), completion(n), slowdown(n);
  for (std::size_t i = 0; i < n; ++i) {
    const TaskRecord& t = r->tasks[i];
    const TaskSpec& spec = (*tasks)[t.task];
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
  Table t;
  t.push_back({tg + "episode", std::move(ep)});
  t.push_back({tg + "task", std::move(id)});
  t.push_back({tg + "node", std::move(node)});
  t.push_back({tg + "arrival_s", std::move(arrival)});
  t.push_back({tg + "ready_s", std::move(ready)});
  t.push_back({tg + "start_s", std::move(start)});
  t.push_back({tg + "end_s", std::move(end)});
  t.push_back({tg + "wait_s", std::move(wait)});
  t.push_back({tg + "completion_s", std::move(completion)});
  t.push_back({tg + "slowdown", std::move(slowdown)});
  t.push_back({tg + "sla_met", std::move(sla)});
  t.push_back({tg + "reschedules", std::move(resched)});
  return t;
}

Table node_table(const std::string& group, std::uint64_t episode, const ClusterSpec* cluster, const EpisodeResult* r) {
  const std::size_t m = r ? r->nodes.size() : 0;
  std::vector<std::int64_t> nep(m, static_cast<std::int64_t>(episode)), nid(m), failures(m), runs(m);
  std::vector<double> busy(m), energy(m), utilization(m), window_utilization(m);
  for (std::size_t i = 0; i < m; ++i) {
    nid[i] = r->nodes[i].node;
    failures[i] = r->nodes[i].failures;
    runs[i] = static_cast<std::int64_t>(r->nodes[i].tasks_run);
    busy[i] = r->nodes[i].busy_core_s;
    energy[i] = r->nodes[i].energy_j;
    const double capacity_core_s = cluster->nodes[r->nodes[i].node].cores * r->metrics.makespan_s;
    utilization[i] = capacity_core_s > 0 ? 100.0 * busy[i] / capacity_core_s : 0.0;
    const double window_core_s = cluster->nodes[r->nodes[i].node].cores * r->metrics.arrival_window_s;
    window_utilization[i] = window_core_s > 0 ? 100.0 * r->nodes[i].window_busy_core_s / window_core_s : std::nan("");
  }
  const std::string ng = group + "/nodes/";
  Table t;
  t.push_back({ng + "episode", std::move(nep)});
  t.push_back({ng + "node", std::move(nid)});
  t.push_back({ng + "busy_core_s", std::move(busy)});
  t.push_back({ng + "utilization_pct", std::move(utilization)});
  t.push_back({ng + "arrival_window_utilization_pct", std::move(window_utilization)});
  t.push_back({ng + "energy_j", std::move(energy)});
  t.push_back({ng + "failures", std::move(failures)});
  t.push_back({ng + "tasks_run", std::move(runs)});
  return t;
}

// Task ids (tasks that fit no node, or wait on one) with the episode they belong to.
Table id_table(const std::string& prefix, std::uint64_t episode, const std::vector<std::uint64_t>* ids) {
  std::vector<std::int64_t> id;
  if (ids) id.assign(ids->begin(), ids->end());
  std::vector<std::int64_t> ep(id.size(), static_cast<std::int64_t>(episode));
  Table t;
  t.push_back({prefix + "task", std::move(id)});
  t.push_back({prefix + "episode", std::move(ep)});
  return t;
}

Table metric_table(const std::string& group, const EpisodeResult* r) {
  Table t;
  for (const MetricField& f : episode_metric_fields()) {
    std::vector<double> row;
    if (r) row.push_back(f.get(r->metrics));
    t.push_back({group + "/episodes/" + std::string(f.name), std::move(row)});
  }
  return t;
}

EpisodeTables tables(const std::string& policy, std::uint64_t episode, const TaskTable* tasks,
                     const ClusterSpec* cluster, const EpisodeResult* r, bool per_task) {
  const std::string group = "/" + policy;
  EpisodeTables out;
  if (per_task) out.push_back(task_table(group, episode, tasks, r));
  out.push_back(node_table(group, episode, cluster, r));
  out.push_back(id_table(group + "/unschedulable/", episode, r ? &r->unschedulable : nullptr));
  out.push_back(id_table(group + "/blocked/", episode, r ? &r->blocked : nullptr));
  out.push_back(metric_table(group, r));
  return out;
}

}  // namespace

void write_run_attributes(ResultsFile& out, const Communicator& comm, const Scenario& scenario, std::uint64_t nodes,
                          int rank_groups) {
  out.set_attribute("/", "scenario", scenario.name);
  out.set_attribute("/", "scenario_file", scenario.path);
  out.set_attribute("/", "seed", scenario.run.seed);
  out.set_attribute("/", "episodes", scenario.run.episodes);
  out.set_attribute("/", "topology", topology_name(scenario.scheduler.topology));
  out.set_attribute("/", "queue", scenario.scheduler.queue);
  out.set_attribute("/", "nodes", nodes);
  out.set_attribute("/", "ranks", comm.size());
  out.set_attribute("/", "rank_groups", rank_groups);
  out.set_attribute("/", "code_version", MARLSIM_VERSION);
  out.set_attribute("/", "time_unit", "s");
  out.set_attribute("/", "energy_units", "energy_j in J, energy_kwh in kWh");
  out.set_attribute("/", "warmup_s", scenario.run.warmup_s);
}

EpisodeTables episode_tables(const std::string& policy, std::uint64_t episode, const TaskTable& tasks,
                             const ClusterSpec& cluster, const EpisodeResult& r, bool per_task) {
  return tables(policy, episode, &tasks, &cluster, &r, per_task);
}

EpisodeTables empty_episode_tables(const std::string& policy, bool per_task) {
  return tables(policy, 0, nullptr, nullptr, nullptr, per_task);
}

void write_episode_tables(ResultsFile& out, const EpisodeTables& tables) {
  std::vector<ResultsColumn> columns;
  for (const Table& table : tables) {
    columns.clear();
    for (const TableColumn& c : table)
      std::visit([&](const auto& rows) { columns.push_back(ResultsColumn::of(c.dataset, rows)); }, c.rows);
    out.append_row_group(columns);
  }
}

void write_metric_attributes(ResultsFile& out, const std::string& policy) {
  for (const MetricField& f : episode_metric_fields()) {
    out.set_attribute("/" + policy + "/episodes/" + std::string(f.name), "unit", f.unit);
    out.set_attribute("/" + policy + "/episodes/" + std::string(f.name), "description", f.description);
  }
}

}  // namespace marlsim

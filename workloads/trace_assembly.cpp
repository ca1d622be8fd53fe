#include "workloads/trace_assembly.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

#include "engine/support/rng.hpp"

namespace marlsim {

void require_trace_time(const LineReader& reader, std::string_view field, double seconds) {
  if (!(std::abs(seconds) <= kMaxTraceTime_s))
    reader.fail(fmt::format("{}: {:g} s is beyond the simulator's clock: expected a time within +-{:g} s", field,
                            seconds, kMaxTraceTime_s));
}

void require_trace_duration(const LineReader& reader, std::string_view field, double seconds) {
  if (!(seconds <= kMaxTraceTime_s))
    reader.fail(fmt::format("{}: {:g} s is beyond the simulator's clock: expected at most {:g} s", field, seconds,
                            kMaxTraceTime_s));
}

bool job_sampled_in(std::uint64_t seed, std::uint64_t job, double fraction) {
  if (fraction >= 1.0) return true;
  const std::uint64_t h = hash_combine(mix64(seed ^ 0x6A0B5A3Bull), job);
  return static_cast<double>(h >> 11) * 0x1.0p-53 < fraction;
}

namespace {
// The key of a task's group's first instance (a group's instances have consecutive keys).
std::uint64_t group_key(const RawTask& t) { return t.key - t.instance; }
}  // namespace

std::string instances_note(std::uint32_t max_instances_per_task) {
  if (max_instances_per_task == 0)
    return "instances: a task of n instances -> n TaskSpecs of one instance each (all kept)";
  return fmt::format("instances: a task of n instances -> min(n, {}) TaskSpecs of one instance each (the rest dropped)",
                     max_instances_per_task);
}

std::vector<TaskSpec> assemble_tasks(std::vector<RawTask> raw, const TraceOptions& options, WorkloadReport& report) {
  report.tasks_read += raw.size();

  // 1. Window and job sampling, in the trace's clock.
  std::vector<RawTask> kept;
  kept.reserve(raw.size());
  std::unordered_map<std::uint64_t, bool> job_decision;
  for (auto& t : raw) {
    if (!(t.arrival_s >= options.window_start_s && t.arrival_s < options.window_end_s)) {
      ++report.outside_window;
      continue;
    }
    if (options.sample_jobs < 1.0) {
      auto [it, fresh] = job_decision.try_emplace(t.job, false);
      if (fresh) {
        it->second = job_sampled_in(options.seed, t.job, options.sample_jobs);
        if (!it->second) ++report.jobs_sampled_out;
      }
      if (!it->second) {
        ++report.tasks_sampled_out;
        continue;
      }
    }
    kept.push_back(std::move(t));
  }
  raw.clear();
  raw.shrink_to_fit();
  const std::size_t n = kept.size();

  // 2. Resolve parent keys to positions in `kept`; count what cannot be resolved.
  std::unordered_map<std::uint64_t, std::uint32_t> index_of;
  index_of.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) index_of.emplace(kept[i].key, static_cast<std::uint32_t>(i));
  std::vector<std::vector<std::uint32_t>> parents(n);
  std::vector<char> incomplete(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    incomplete[i] = kept[i].parents_incomplete ? 1 : 0;
    for (const std::uint64_t key : kept[i].parents) {
      const auto it = index_of.find(key);
      if (it == index_of.end()) {
        ++report.parents_dropped;
        incomplete[i] = 1;
      } else if (group_key(kept[it->second]) == group_key(kept[i])) {  // into its own group: a cycle
        ++report.cycle_edges_dropped;
      } else {
        parents[i].push_back(it->second);
      }
    }
    auto& p = parents[i];
    std::sort(p.begin(), p.end());
    p.erase(std::unique(p.begin(), p.end()), p.end());
    std::vector<std::uint64_t>().swap(kept[i].parents);  // resolved into parents[i]
  }
  // The key index (~64 bytes a task) is not needed past here: free it before the task table is built.
  std::unordered_map<std::uint64_t, std::uint32_t>().swap(index_of);

  // 3. Kahn's algorithm: DAG depth, and a child never arrives before its parents. Edges
  //    inside a cycle (possible only in corrupt input) are dropped and counted.
  std::vector<std::uint32_t> depth(n, 0);
  std::vector<double> arrival(n);
  for (std::size_t i = 0; i < n; ++i) arrival[i] = kept[i].arrival_s;
  for (;;) {
    std::vector<std::uint32_t> pending(n, 0);
    std::vector<std::vector<std::uint32_t>> children(n);
    for (std::size_t i = 0; i < n; ++i) {
      pending[i] = static_cast<std::uint32_t>(parents[i].size());
      for (const auto p : parents[i]) children[p].push_back(static_cast<std::uint32_t>(i));
    }
    std::vector<std::uint32_t> ready;
    for (std::size_t i = 0; i < n; ++i)
      if (pending[i] == 0) ready.push_back(static_cast<std::uint32_t>(i));
    std::size_t done = 0;
    std::vector<char> raised(n, 0);
    while (!ready.empty()) {
      const std::uint32_t v = ready.back();
      ready.pop_back();
      ++done;
      for (const auto c : children[v]) {
        depth[c] = std::max(depth[c], depth[v] + 1);
        if (arrival[v] > arrival[c]) {
          arrival[c] = arrival[v];
          raised[c] = 1;
        }
        if (--pending[c] == 0) ready.push_back(c);
      }
    }
    if (done == n) {
      report.arrivals_raised_to_parent += static_cast<std::uint64_t>(std::count(raised.begin(), raised.end(), 1));
      break;
    }
    // Nodes with pending > 0 sit on or behind a cycle: drop their edges to each other.
    for (std::size_t i = 0; i < n; ++i) {
      if (pending[i] == 0) continue;
      auto& p = parents[i];
      const auto before = p.size();
      p.erase(std::remove_if(p.begin(), p.end(), [&](std::uint32_t q) { return pending[q] != 0; }), p.end());
      report.cycle_edges_dropped += before - p.size();
    }
    std::fill(depth.begin(), depth.end(), 0);
    for (std::size_t i = 0; i < n; ++i) arrival[i] = kept[i].arrival_s;
  }

  // 4. Order: arrival, depth, file order.
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (arrival[a] != arrival[b]) return arrival[a] < arrival[b];
    if (depth[a] != depth[b]) return depth[a] < depth[b];
    return a < b;
  });
  if (options.max_tasks > 0 && order.size() > options.max_tasks) {
    report.beyond_max_tasks += order.size() - options.max_tasks;
    order.resize(options.max_tasks);  // parents precede children, so none is orphaned
  }
  if (order.empty()) {
    throw InputError::at(
        options.path,
        fmt::format("no tasks left after filtering (read {}, censored {}, outside window [{}, {}) {}, sampled out {}): "
                    "expected at least one task",
                    report.tasks_read, report.censored_total(), options.window_start_s, options.window_end_s,
                    report.outside_window, report.tasks_sampled_out));
  }

  // 5. Renumber, shift to 0, compress, deadlines.
  std::vector<std::uint64_t> new_id(n, UINT64_MAX);
  for (std::size_t k = 0; k < order.size(); ++k) new_id[order[k]] = k;
  const double t0 = arrival[order.front()];
  report.time_shift_s = t0;
  std::vector<TaskSpec> out(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::uint32_t i = order[k];
    RawTask& r = kept[i];
    TaskSpec& t = out[k];
    t.id = k;
    t.job = r.job;
    t.arrival_s = (arrival[i] - t0) / options.compress;
    t.work_core_s = r.work_core_s;
    t.cores = r.cores;
    t.memory_gb = r.memory_gb;
    t.priority = r.priority;
    t.instance = r.instance;
    // Same arrival, depth and parents, consecutive in `raw`: nothing sorts between instances.
    if (r.instance > 0 &&
        (k == 0 || kept[order[k - 1]].key + 1 != r.key || kept[order[k - 1]].instance + 1 != r.instance))
      throw std::logic_error(
          fmt::format("assemble_tasks: instance {} of key {} is not next to its group", r.instance, r.key));
    t.parents.reserve(parents[i].size());
    for (const auto p : parents[i]) t.parents.push_back(new_id[p]);
    std::sort(t.parents.begin(), t.parents.end());
    std::vector<std::uint32_t>().swap(parents[i]);  // copied into the stream: one copy of the edges
    if (incomplete[i]) ++report.tasks_with_incomplete_parents;
  }
  apply_sla(out, options.sla);
  report.tasks_out = out.size();
  report.notes.push_back(
      fmt::format("arrivals shifted by -{} s (first kept task arrives at 0){}", t0,
                  options.compress != 1.0 ? fmt::format(", then divided by compress = {}", options.compress) : ""));
  return out;
}

}  // namespace marlsim

// Decision rates of the heuristic scheduling policies and selection rates of the local queue
// disciplines, on the seed-study cluster (arXiv 2603.24738's three tiers) with a believed
// load drawn per node, so that no policy meets a trivially idle cluster.
//
//   BM_choose/<policy>/<N>: one choose() over all N nodes (every one statically feasible for
//     the task); the view is not changed, so every decision sees the same loaded cluster.
//     Sizes up to 100,000: issue 10 asks for decision cost within 2x from 1,000 to 100,000.
//   BM_choose_indexed/<policy>/<N>: the same decision through the policy's indexed path
//     (choose_indexed over the view's incremental indexes; policies that have one: least-loaded,
//     random, priority-minmin, best-fit, weighted-rr, ray-hybrid (a pass), ray-hybrid-sampled).
//   BM_report_indexed/<policy>/<N>: one node report (ClusterView::set_state) moving that
//     node's keys in the indexes the policy reads: the price of the indexes per write.
//   BM_assign32/<policy>/<N>: decide() of one LP's batch of 32 tasks (Min-Min for priority-minmin;
//     in-order choose + commit for the others), from the same view each time.
//   BM_fitting_up_nodes/<method>/<N>: random's indexed decision (count, draw, k-th fitting up
//     node) by one method of agents/fitting_up_nodes forced: listing the unfit nodes, or the
//     wavelet tree of the task's core class (random picks the cheaper by an estimate).
//   BM_keep_indexes/<policy>/<N>: ClusterView::keep_indexes with the policy's needs, the
//     set-up of an episode's indexed view (random's core-class trees included, counter
//     tree_bytes_per_node).
//   BM_select/<discipline>/<Q>: one select() on a 16-core node with Q queued tasks, 6 running.
// Counters: decisions_per_s (tasks placed per second) and select_per_s, both kIsRate.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "agents/fitting_up_nodes.hpp"
#include "agents/policy_registry.hpp"
#include "agents/queue_discipline.hpp"
#include "engine/support/rng.hpp"
#include "workloads/seed_study_cluster.hpp"
#include "workloads/seed_study_workload.hpp"

using namespace marlsim;

namespace {
constexpr std::size_t kTaskPool = 64;

struct Setup {
  ClusterSpec cluster;
  std::vector<TaskSpec> tasks;
  std::vector<std::vector<NodeId>> candidates;  // per task: the statically feasible nodes
  ClusterView view;

  explicit Setup(std::uint64_t nodes) : cluster(make_cluster(nodes)), tasks(make_tasks(cluster)), view(cluster) {
    // Believed load: each node busy by a uniform fraction, with running and queued work.
    for (NodeId n = 0; n < cluster.nodes.size(); ++n) {
      RngStream rng(99, n);
      const NodeSpec& s = cluster.nodes[n];
      NodeView& v = view.edit_state(n);
      const double busy = rng.uniform();
      v.free_cores = s.cores * (1 - busy);
      v.free_memory_gb = s.memory_gb * (1 - rng.uniform() * busy);
      v.running_work_core_s = s.cores * busy * rng.uniform(10, 100);
      v.queue_length = static_cast<std::uint32_t>(rng.below(4));
      v.queued_work_core_s = v.queue_length * rng.uniform(10, 200);
      v.running = static_cast<std::uint32_t>(s.cores * busy);
    }
    for (const TaskSpec& t : tasks) {
      std::vector<NodeId> c;
      for (NodeId n = 0; n < cluster.nodes.size(); ++n)
        if (view.fits_statically(t, n)) c.push_back(n);
      candidates.push_back(std::move(c));
    }
  }

  static ClusterSpec make_cluster(std::uint64_t nodes) {
    SeedStudyClusterConfig cfg;
    cfg.nodes = nodes;
    return generate_seed_study_cluster(cfg, 1);
  }
  static std::vector<TaskSpec> make_tasks(const ClusterSpec& cluster) {
    SeedStudyWorkloadConfig cfg;
    cfg.tasks = kTaskPool;
    cfg.target_utilization = 0.8;
    return generate_seed_study_tasks(cfg, cluster, 1, 0);
  }
};

const Setup& setup(std::uint64_t nodes) {
  // One per size, built on first use (a benchmark-local cache; policies share nothing).
  static std::vector<std::pair<std::uint64_t, std::unique_ptr<Setup>>> cache;
  for (const auto& [n, s] : cache)
    if (n == nodes) return *s;
  cache.emplace_back(nodes, std::make_unique<Setup>(nodes));
  return *cache.back().second;
}

void BM_choose(benchmark::State& state, std::string policy) {
  const Setup& s = setup(static_cast<std::uint64_t>(state.range(0)));
  auto p = make_scheduling_policy(policy, {.cluster = &s.cluster});
  auto policy_state = p->make_state();
  RngStream rng(7, 0);
  std::size_t i = 0;
  double decisions = 0;
  for (auto _ : state) {
    const std::size_t t = i % kTaskPool;
    DispatchContext ctx{0, static_cast<NodeId>((i * 7919) % s.cluster.nodes.size()), &rng, policy_state.get()};
    benchmark::DoNotOptimize(p->choose(s.tasks[t], s.candidates[t], s.view, ctx));
    ++i;
    ++decisions;
  }
  state.counters["decisions_per_s"] = benchmark::Counter(decisions, benchmark::Counter::kIsRate);
}

// The setup's view keeping the indexes `policy` reads.
ClusterView indexed_view(const Setup& s, const SchedulingPolicy& policy) {
  ClusterView view = s.view;
  view.keep_indexes(policy.index_needs());
  return view;
}

void BM_choose_indexed(benchmark::State& state, std::string policy) {
  const Setup& s = setup(static_cast<std::uint64_t>(state.range(0)));
  auto p = make_scheduling_policy(policy);
  auto policy_state = p->make_state();
  const ClusterView view = indexed_view(s, *p);
  {  // warm the caches before timing
    auto warm_state = p->make_state();
    RngStream warm(8, 0);
    for (std::size_t t = 0; t < kTaskPool; ++t) {
      DispatchContext ctx{0, 0, &warm, warm_state.get()};
      benchmark::DoNotOptimize(p->choose_indexed(s.tasks[t], view, ctx));
    }
  }
  RngStream rng(7, 0);
  std::size_t i = 0;
  double decisions = 0;
  for (auto _ : state) {
    const std::size_t t = i % kTaskPool;
    DispatchContext ctx{0, static_cast<NodeId>((i * 7919) % s.cluster.nodes.size()), &rng, policy_state.get()};
    benchmark::DoNotOptimize(p->choose_indexed(s.tasks[t], view, ctx));
    ++i;
    ++decisions;
  }
  state.counters["decisions_per_s"] = benchmark::Counter(decisions, benchmark::Counter::kIsRate);
}

void BM_fitting_up_nodes(benchmark::State& state, FittingUpNodes::Method method) {
  const Setup& s = setup(static_cast<std::uint64_t>(state.range(0)));
  ClusterView view = s.view;
  view.keep_indexes({.by_id = true, .by_core_class = true});  // builds the core-class trees
  FittingUpNodes fitting;
  RngStream rng(7, 0);
  std::size_t i = 0;
  for (auto _ : state) {
    fitting.reset(s.tasks[i++ % kTaskPool], view, method);
    benchmark::DoNotOptimize(fitting.kth(rng.below(fitting.size())));
  }
  state.counters["decisions_per_s"] = benchmark::Counter(static_cast<double>(i), benchmark::Counter::kIsRate);
}

void BM_keep_indexes(benchmark::State& state, std::string policy) {
  const Setup& s = setup(static_cast<std::uint64_t>(state.range(0)));
  auto p = make_scheduling_policy(policy);
  double tree_bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto view = std::make_unique<ClusterView>(s.view);
    state.ResumeTiming();
    view->keep_indexes(p->index_needs());
    tree_bytes = static_cast<double>(view->indexes()->core_class_tree_bytes());
    state.PauseTiming();
    view.reset();
    state.ResumeTiming();
  }
  state.counters["tree_bytes_per_node"] = tree_bytes / static_cast<double>(s.cluster.nodes.size());
}

void BM_report_indexed(benchmark::State& state, std::string policy) {
  const Setup& s = setup(static_cast<std::uint64_t>(state.range(0)));
  auto p = make_scheduling_policy(policy);
  ClusterView view = indexed_view(s, *p);
  const std::size_t n = s.cluster.nodes.size();
  std::size_t i = 0;
  for (auto _ : state) {
    // Node i takes another node's believed state (same tier mix, so keys move anywhere).
    const auto node = static_cast<NodeId>(i % n);
    view.set_state(node, s.view.state(static_cast<NodeId>((i * 7919 + 1) % n)));
    ++i;
  }
  state.counters["reports_per_s"] = benchmark::Counter(static_cast<double>(i), benchmark::Counter::kIsRate);
}

void BM_assign32(benchmark::State& state, std::string policy) {
  const Setup& s = setup(static_cast<std::uint64_t>(state.range(0)));
  auto p = make_scheduling_policy(policy, {.cluster = &s.cluster});
  auto policy_state = p->make_state();
  RngStream rng(7, 0);
  constexpr std::size_t kBatch = 32;
  ClusterView view = s.view;
  std::vector<DecisionRequest> requests(kBatch);
  double decisions = 0;
  for (auto _ : state) {
    state.PauseTiming();
    view = s.view;
    for (std::size_t t = 0; t < kBatch; ++t)
      requests[t] = {&s.tasks[t], s.candidates[t], &view, {0, 0, &rng, policy_state.get()}, kNoNode};
    state.ResumeTiming();
    p->decide(requests);
    benchmark::DoNotOptimize(requests.data());
    decisions += kBatch;
  }
  state.counters["decisions_per_s"] = benchmark::Counter(decisions, benchmark::Counter::kIsRate);
}

void BM_select(benchmark::State& state, std::string discipline) {
  const auto queue_length = static_cast<std::size_t>(state.range(0));
  auto d = make_queue_discipline(discipline);
  // A medium-tier node (16 cores, 64 GB), 6 tasks running; the queue from the study workload.
  SeedStudyWorkloadConfig cfg;
  cfg.tasks = queue_length + 6;
  const ClusterSpec cluster = Setup::make_cluster(100);
  const std::vector<TaskSpec> tasks = generate_seed_study_tasks(cfg, cluster, 2, 0);
  std::vector<RunningTask> running;
  double free_cores = 16, free_memory_gb = 64;
  for (std::size_t k = 0; k < 6 && tasks[k].cores <= free_cores && tasks[k].memory_gb <= free_memory_gb; ++k) {
    running.push_back({from_seconds(tasks[k].reference_runtime_s()), tasks[k].cores, tasks[k].memory_gb});
    free_cores -= tasks[k].cores;
    free_memory_gb -= tasks[k].memory_gb;
  }
  std::vector<QueuedTask> queue;
  for (std::size_t k = 6; k < tasks.size(); ++k)
    queue.push_back({tasks[k].id, tasks[k].cores, tasks[k].memory_gb, tasks[k].reference_runtime_s(), tasks[k].priority,
                     from_seconds(tasks[k].arrival_s)});
  std::vector<std::size_t> start;
  start.reserve(queue.size());
  double calls = 0, started = 0;
  for (auto _ : state) {
    start.clear();
    d->select(queue, running, free_cores, free_memory_gb, 0, start);
    benchmark::DoNotOptimize(start.data());
    started += static_cast<double>(start.size());
    ++calls;
  }
  state.counters["select_per_s"] = benchmark::Counter(calls, benchmark::Counter::kIsRate);
  state.counters["started_per_call"] = started / std::max(1.0, calls);
  state.counters["free_cores"] = free_cores;
}
}  // namespace

int main(int argc, char** argv) {
  const ClusterSpec probe = Setup::make_cluster(100);  // some policies need one to be built (hrac's roles)
  for (const PolicyInfo& p : scheduling_policies()) {
    const std::string name(p.name);
    benchmark::RegisterBenchmark(("BM_choose/" + name).c_str(), BM_choose, name)
        ->Arg(100)
        ->Arg(1000)
        ->Arg(10000)
        ->Arg(100000);
    benchmark::RegisterBenchmark(("BM_assign32/" + name).c_str(), BM_assign32, name)->Arg(100)->Arg(1000)->Arg(10000);
    if (!make_scheduling_policy(name, {.cluster = &probe})->index_needs().any()) continue;
    for (auto* bm : {benchmark::RegisterBenchmark(("BM_choose_indexed/" + name).c_str(), BM_choose_indexed, name),
                     benchmark::RegisterBenchmark(("BM_report_indexed/" + name).c_str(), BM_report_indexed, name),
                     benchmark::RegisterBenchmark(("BM_keep_indexes/" + name).c_str(), BM_keep_indexes, name)})
      bm->Arg(1000)->Arg(10000)->Arg(100000);
  }
  benchmark::RegisterBenchmark("BM_fitting_up_nodes/listing", BM_fitting_up_nodes, FittingUpNodes::Method::listing)
      ->Arg(1000)
      ->Arg(10000)
      ->Arg(100000);
  benchmark::RegisterBenchmark("BM_fitting_up_nodes/wavelet", BM_fitting_up_nodes, FittingUpNodes::Method::wavelet)
      ->Arg(1000)
      ->Arg(10000)
      ->Arg(100000);
  for (const QueueDisciplineInfo& d : queue_disciplines()) {
    const std::string name(d.name);
    benchmark::RegisterBenchmark(("BM_select/" + name).c_str(), BM_select, name)->Arg(10)->Arg(1000);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

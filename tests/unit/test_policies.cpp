#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "agents/policy_registry.hpp"
#include "agents/ray_hybrid_rule.hpp"
#include "engine/support/input_error.hpp"

using namespace marlsim;

namespace {
struct N {
  double cores, memory_gb, speed;
};

ClusterSpec cluster_of(std::initializer_list<N> nodes) {
  ClusterSpec c;
  for (const N& n : nodes) c.nodes.push_back(NodeSpec{n.cores, n.memory_gb, n.speed, 0, 0, 0});
  c.tier_names = {"test"};
  return c;
}

TaskSpec task(double work_core_s, double cores, double memory_gb, PriorityClass p = PriorityClass::Batch,
              std::uint64_t id = 0) {
  TaskSpec t;
  t.id = id;
  t.work_core_s = work_core_s;
  t.cores = cores;
  t.memory_gb = memory_gb;
  t.priority = p;
  return t;
}

// Marks cores and memory busy with running work, as a node's report would.
void load(ClusterView& v, NodeId n, double busy_cores, double busy_memory_gb, double running_work = 0,
          double queued_work = 0) {
  v.edit_state(n).free_cores = v.spec(n).cores - busy_cores;
  v.edit_state(n).free_memory_gb = v.spec(n).memory_gb - busy_memory_gb;
  v.edit_state(n).running_work_core_s = running_work;
  v.edit_state(n).queued_work_core_s = queued_work;
}

std::vector<NodeId> all_nodes(const ClusterView& v) {
  std::vector<NodeId> c(v.size());
  std::iota(c.begin(), c.end(), NodeId{0});
  return c;
}

// The base class's batch behaviour: in order, choose then commit (minimum completion time, MCT).
std::vector<NodeId> in_order(const SchedulingPolicy& p, const std::vector<TaskSpec>& tasks, ClusterView view,
                             const std::vector<NodeId>& cands, DispatchContext& ctx) {
  std::vector<NodeId> out;
  for (const TaskSpec& t : tasks) {
    out.push_back(p.choose(t, cands, view, ctx));
    view.commit(t, out.back());
  }
  return out;
}

// One LP's requests decided as one batch (SchedulingPolicy::decide).
std::vector<NodeId> batch(const SchedulingPolicy& p, const std::vector<TaskSpec>& tasks, ClusterView& view,
                          const std::vector<NodeId>& cands, DispatchContext& ctx) {
  std::vector<DecisionRequest> requests(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) requests[i] = {&tasks[i], cands, &view, ctx, kNoNode};
  p.decide(requests);
  std::vector<NodeId> out;
  for (const DecisionRequest& r : requests) out.push_back(r.chosen);
  return out;
}
}  // namespace

TEST_CASE("Policy registry: every name constructs, unknown names list the valid ones", "[policies]") {
  const std::vector<std::string> expected = {"random",   "weighted-rr", "priority-minmin",    "least-loaded",
                                             "best-fit", "ray-hybrid",  "ray-hybrid-sampled", "decentralized-ac",
                                             "hrac",     "hierrl"};
  std::vector<std::string> names;
  for (const PolicyInfo& info : scheduling_policies()) {
    names.emplace_back(info.name);
    CHECK_FALSE(info.description.empty());
    const ClusterSpec c = cluster_of({{4, 16, 1}, {8, 32, 1}});
    const auto p = make_scheduling_policy(info.name, {.cluster = &c});
    REQUIRE(p != nullptr);
    CHECK(p->name() == info.name);
    // Every policy gives an answer among the candidates on a trivial view.
    ClusterView v(c);
    RngStream rng(1, 2);
    const auto state = p->make_state();
    DispatchContext ctx{0, 0, &rng, state.get()};
    const std::vector<NodeId> cands = {1};
    CHECK(p->choose(task(10, 1, 1), cands, v, ctx) == 1);
  }
  CHECK(names == expected);

  CHECK(scheduling_policy_info("least-loaded").requirements.load_information);
  CHECK_FALSE(scheduling_policy_info("random").requirements.load_information);
  CHECK_FALSE(scheduling_policy_info("weighted-rr").requirements.load_information);
  CHECK(scheduling_policy_info("priority-minmin").requirements.load_information);
  CHECK(scheduling_policy_info("best-fit").requirements.load_information);
  CHECK(scheduling_policy_info("ray-hybrid").requirements.local_node);
  CHECK_FALSE(scheduling_policy_info("least-loaded").requirements.local_node);

  try {
    make_scheduling_policy("round-robin");
    FAIL("no InputError for an unknown policy");
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK(what.find("\"round-robin\"") != std::string::npos);
    for (const std::string& n : expected) CHECK(what.find(n) != std::string::npos);
  }
}

TEST_CASE("random: uniform over the candidates, deterministic for a fixed stream", "[policies]") {
  const ClusterSpec c = cluster_of({{4, 16, 1}, {8, 32, 1}, {2, 8, 1}, {16, 64, 1}, {4, 16, 1}, {4, 16, 1}});
  ClusterView v(c);
  auto p = make_scheduling_policy("random");
  const std::vector<NodeId> cands = {5, 1, 3, 2};  // a subset, out of order
  RngStream rng(42, 7);
  DispatchContext ctx{0, kNoNode, &rng};
  std::map<NodeId, int> count;
  constexpr int kDraws = 40000;
  std::vector<NodeId> first;
  for (int i = 0; i < kDraws; ++i) {
    const NodeId n = p->choose(task(10, 1, 1), cands, v, ctx);
    ++count[n];
    if (i < 100) first.push_back(n);
  }
  REQUIRE(count.size() == 4);
  double chi2 = 0;
  for (const NodeId n : cands) {
    const double e = kDraws / 4.0;
    chi2 += (count[n] - e) * (count[n] - e) / e;
  }
  CHECK(chi2 < 16.27);  // chi-square, 3 degrees of freedom, p = 0.001

  RngStream same(42, 7), other(43, 7);
  DispatchContext ctx_same{0, kNoNode, &same}, ctx_other{0, kNoNode, &other};
  std::vector<NodeId> again, different;
  for (int i = 0; i < 100; ++i) {
    again.push_back(p->choose(task(10, 1, 1), cands, v, ctx_same));
    different.push_back(p->choose(task(10, 1, 1), cands, v, ctx_other));
  }
  CHECK(again == first);
  CHECK(different != first);
}

TEST_CASE("weighted-rr: smooth weighted round robin, shares proportional to cores x speed", "[policies]") {
  SECTION("nginx's example: weights 5, 1, 1 give a a b a c a a") {
    const ClusterSpec c = cluster_of({{5, 16, 1}, {1, 16, 1}, {1, 16, 1}});
    ClusterView v(c);
    auto p = make_scheduling_policy("weighted-rr");
    auto state = p->make_state();
    DispatchContext ctx{0, kNoNode, nullptr, state.get()};
    std::vector<NodeId> seq;
    for (int i = 0; i < 14; ++i) seq.push_back(p->choose(task(1, 1, 1), all_nodes(v), v, ctx));
    CHECK(seq == std::vector<NodeId>{0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0});
  }
  SECTION("10,000 calls: each share within 1 % of weight / total, independent of candidate order") {
    // Weights cores x speed: 4, 12, 1, 16, 3.2 (total 36.2).
    const ClusterSpec c = cluster_of({{4, 16, 1.0}, {8, 32, 1.5}, {2, 8, 0.5}, {16, 64, 1.0}, {4, 16, 0.8}});
    ClusterView v(c);
    auto p = make_scheduling_policy("weighted-rr");
    auto state = p->make_state();
    auto shuffled_state = p->make_state();  // a second deciding LP of the same shared policy
    DispatchContext ctx{0, kNoNode, nullptr, state.get()};
    DispatchContext shuffled_ctx{0, kNoNode, nullptr, shuffled_state.get()};
    RngStream rng(3, 3);
    std::vector<int> count(c.nodes.size(), 0);
    constexpr int kCalls = 10000;
    for (int i = 0; i < kCalls; ++i) {
      std::vector<NodeId> cands = all_nodes(v);
      const NodeId n = p->choose(task(1, 1, 1), cands, v, ctx);
      ++count[n];
      // The same decisions whatever the order of the candidates.
      for (std::size_t k = cands.size(); k > 1; --k) std::swap(cands[k - 1], cands[rng.below(k)]);
      REQUIRE(p->choose(task(1, 1, 1), cands, v, shuffled_ctx) == n);
    }
    const double total = 4 + 12 + 1 + 16 + 3.2;
    for (NodeId n = 0; n < c.nodes.size(); ++n) {
      const double want = c.nodes[n].cores * c.nodes[n].speed / total;
      const double got = static_cast<double>(count[n]) / kCalls;
      INFO("node " << n << " share " << got << " want " << want);
      CHECK(std::abs(got - want) <= 0.01 * want);
    }
  }
  SECTION("a changing candidate set: skipped nodes keep their credit, shares recover") {
    const ClusterSpec c = cluster_of({{4, 16, 1}, {8, 16, 1}, {2, 16, 1}, {2, 16, 1}});
    ClusterView v(c);
    auto p = make_scheduling_policy("weighted-rr");
    auto state = p->make_state();
    DispatchContext ctx{0, kNoNode, nullptr, state.get()};
    // Node 1 is filtered out for a while: the others share its absence by their weights.
    const std::vector<NodeId> without1 = {0, 2, 3};
    std::vector<int> count(4, 0);
    for (int i = 0; i < 800; ++i) ++count[p->choose(task(1, 1, 1), without1, v, ctx)];
    CHECK(count[1] == 0);
    CHECK(count[0] == 400);
    CHECK(count[2] == 200);
    CHECK(count[3] == 200);
    // Back in the set: over the next 10,000 calls the shares are the weights' again.
    std::fill(count.begin(), count.end(), 0);
    for (int i = 0; i < 10000; ++i) ++count[p->choose(task(1, 1, 1), all_nodes(v), v, ctx)];
    const double w[] = {4, 8, 2, 2};
    for (int n = 0; n < 4; ++n) {
      INFO("node " << n);
      CHECK(std::abs(count[n] / 10000.0 - w[n] / 16) <= 0.01 * w[n] / 16);
    }
  }
}

TEST_CASE("least-loaded: lowest utilization, then shortest backlog, then lowest id", "[policies]") {
  const ClusterSpec c = cluster_of({{8, 32, 1}, {16, 64, 1}, {8, 32, 1}, {4, 16, 1}});
  ClusterView v(c);
  auto p = make_scheduling_policy("least-loaded");
  DispatchContext ctx;
  load(v, 0, 6, 8, 600);
  load(v, 1, 4, 8, 400);  // 25 %: less busy than node 0 in fraction, though more cores busy than node 3
  load(v, 2, 0, 0);       // idle
  load(v, 3, 3, 4, 300);
  CHECK(p->choose(task(10, 1, 1), all_nodes(v), v, ctx) == 2);
  const std::vector<NodeId> busy = {0, 3, 1};
  CHECK(p->choose(task(10, 1, 1), busy, v, ctx) == 1);

  // Ties on utilization: the shorter backlog wins, then the lower id, whatever the order.
  load(v, 0, 0, 0, 0, 500);  // idle cores but work queued
  const std::vector<NodeId> tie = {0, 2};
  CHECK(p->choose(task(10, 1, 1), tie, v, ctx) == 2);
  load(v, 0, 0, 0);
  const std::vector<NodeId> rev = {2, 0};
  CHECK(p->choose(task(10, 1, 1), rev, v, ctx) == 0);
}

TEST_CASE("best-fit: Tetris alignment packs core-heavy and memory-heavy tasks apart", "[policies]") {
  // Same machines; node 0 has cores free but little memory, node 1 memory free but few cores.
  const ClusterSpec c = cluster_of({{8, 32, 1}, {8, 32, 1}, {8, 32, 1}});
  ClusterView v(c);
  auto p = make_scheduling_policy("best-fit");
  DispatchContext ctx;
  load(v, 0, 0, 30);       // free 8 cores, 2 GB
  load(v, 1, 6, 2);        // free 2 cores, 30 GB
  load(v, 2, 8, 32, 800);  // full
  const std::vector<NodeId> cands = {0, 1, 2};
  // Core-heavy: (2/8)(8/8) + (1/32)(2/32) = 0.252 on node 0 vs (2/8)(2/8) + (1/32)(30/32) = 0.092.
  CHECK(p->choose(task(10, 2, 1), cands, v, ctx) == 0);
  // Memory-heavy: (0.5/8)(1) + (2/32)(2/32) = 0.066 on node 0 vs (0.5/8)(2/8) + (2/32)(30/32) = 0.074.
  CHECK(p->choose(task(10, 0.5, 2), cands, v, ctx) == 1);
  // Least-loaded would send both to node 0 (0 % cores busy): the packing is best-fit's own.
  CHECK(make_scheduling_policy("least-loaded")->choose(task(10, 0.5, 2), cands, v, ctx) == 0);
  // 2 cores, 4 GB: node 0 aligns better ((2/8)(1) + (4/32)(2/32) = 0.258 vs 0.180) but has only
  // 2 GB free; node 1 fits now, and fitting now beats any alignment.
  CHECK(p->choose(task(10, 2, 4), cands, v, ctx) == 1);
  // Fits nowhere now: the smallest expected completion (backlog 800/8 = 100 s on node 2, 0 s elsewhere).
  load(v, 0, 8, 32, 1600);  // backlog 200 s
  load(v, 1, 8, 32, 400);   // backlog 50 s
  CHECK(p->choose(task(10, 4, 4), cands, v, ctx) == 1);
}

TEST_CASE("ray-hybrid: local below the spread threshold, top-k least utilized above it", "[policies]") {
  // Five nodes: k = max(1, floor(0.2 x 5)) = 1, so the spill target is deterministic.
  const ClusterSpec c = cluster_of({{8, 32, 1}, {8, 32, 1}, {8, 32, 1}, {8, 32, 1}, {8, 32, 1}});
  ClusterView v(c);
  auto p = make_scheduling_policy("ray-hybrid");
  RngStream rng(5, 5);
  const std::vector<NodeId> cands = all_nodes(v);
  load(v, 0, 2, 4);  // 25 %
  load(v, 1, 0, 0);
  load(v, 2, 0, 0);
  load(v, 3, 4, 4);  // 50 %: at the threshold, not below it
  load(v, 4, 0, 0);

  DispatchContext local3{0, 3, &rng};
  DispatchContext local0{0, 0, &rng};
  // Below the threshold the local node keeps the task even though others are emptier.
  CHECK(p->choose(task(10, 1, 1), cands, v, local0) == 0);
  // At 50 % it spills to the least utilized: nodes 0, 1, 2, 4 all score 0 (< 0.5); lowest id 0.
  CHECK(p->choose(task(10, 1, 1), cands, v, local3) == 0);
  // Memory is a critical resource too: cores idle, 75 % of memory used -> spill.
  load(v, 3, 0, 24);
  CHECK(p->choose(task(10, 1, 1), cands, v, local3) == 0);
  // Below the threshold but the task does not fit there now (Ray: not "available") -> spill.
  load(v, 3, 3, 4);  // 37.5 %, 5 cores free
  CHECK(p->choose(task(10, 6, 1), cands, v, local3) == 0);
  CHECK(p->choose(task(10, 5, 1), cands, v, local3) == 3);
  // Above the threshold but no other node is less utilized: stay (Ray keeps the local node at the minimum).
  for (NodeId n = 0; n < 5; ++n) load(v, n, 6, 4);
  load(v, 3, 5, 4);
  CHECK(p->choose(task(10, 1, 1), cands, v, local3) == 3);
  load(v, 3, 7, 4);
  CHECK(p->choose(task(10, 1, 1), cands, v, local3) == 0);
  // A central decider (no local node) and a local node that is not a candidate never stay local.
  load(v, 3, 0, 0);
  DispatchContext central{0, kNoNode, &rng};
  CHECK(p->choose(task(10, 1, 1), cands, v, central) == 3);  // only idle node: utilization 0
  const std::vector<NodeId> not3 = {0, 1, 2, 4};
  CHECK(p->choose(task(10, 1, 1), not3, v, local3) == 0);

  SECTION("uniform among the top k = 20 % of the cluster's nodes") {
    const ClusterSpec big = cluster_of({{8, 32, 1},
                                        {8, 32, 1},
                                        {8, 32, 1},
                                        {8, 32, 1},
                                        {8, 32, 1},
                                        {8, 32, 1},
                                        {8, 32, 1},
                                        {8, 32, 1},
                                        {8, 32, 1},
                                        {8, 32, 1}});
    ClusterView w(big);
    for (NodeId n = 0; n < 10; ++n) load(w, n, 4 + 0.25 * n, 4);  // 50 % to 78 %: all above the threshold
    std::map<NodeId, int> count;
    DispatchContext ctx{0, 9, &rng};
    for (int i = 0; i < 2000; ++i) ++count[p->choose(task(10, 1, 1), all_nodes(w), w, ctx)];
    REQUIRE(count.size() == 2);  // k = 2: the two least utilized, nodes 0 and 1
    CHECK(count[0] > 900);
    CHECK(count[1] > 900);
  }
}

TEST_CASE("priority-minmin: minimum ECT alone, Min-Min by priority class for a batch", "[policies]") {
  auto p = make_scheduling_policy("priority-minmin");
  DispatchContext ctx;
  SECTION("choose: minimum expected completion time, backlog included") {
    const ClusterSpec c = cluster_of({{4, 16, 2.0}, {4, 16, 1.0}});
    ClusterView v(c);
    // 1-core task of 20 core-s: 10 s on the fast node, 20 s on the slow one.
    CHECK(p->choose(task(20, 1, 1), all_nodes(v), v, ctx) == 0);
    load(v, 0, 4, 4, 120);  // backlog 120 / (4 x 2) = 15 s -> 25 s there
    CHECK(p->choose(task(20, 1, 1), all_nodes(v), v, ctx) == 1);
  }
  SECTION("Min-Min differs from in-order MCT") {
    // One core each; node 0 twice as fast. T0 = 10 core-s, T1 = 2 core-s.
    const ClusterSpec c = cluster_of({{1, 16, 2.0}, {1, 16, 1.0}});
    ClusterView v(c);
    const std::vector<TaskSpec> tasks = {task(10, 1, 1, PriorityClass::Batch, 0),
                                         task(2, 1, 1, PriorityClass::Batch, 1)};
    // In order: T0 -> node 0 (5 s vs 10 s); then T1: node 0 5 + 1 = 6 s vs node 1 2 s -> node 1.
    CHECK(in_order(*p, tasks, v, all_nodes(v), ctx) == std::vector<NodeId>{0, 1});
    // Min-Min: T1's best (1 s) is the smallest, so it goes first to node 0; then T0: 1 + 5 = 6 s
    // on node 0 vs 10 s on node 1 -> node 0 as well.
    CHECK(batch(*p, tasks, v, all_nodes(v), ctx) == std::vector<NodeId>{0, 0});
    // assign committed both to the view: one running, one queued on node 0.
    CHECK(v.state(0).running == 1);
    CHECK(v.state(0).queue_length == 1);
    CHECK(v.state(1).running == 0);
  }
  SECTION("Production before Batch before Best-effort, whatever the batch order") {
    // Node 0 slow, node 1 fast; each has one core.
    const ClusterSpec c = cluster_of({{1, 16, 1.0}, {1, 16, 2.0}});
    ClusterView v(c);
    const std::vector<TaskSpec> tasks = {task(4, 1, 1, PriorityClass::BestEffort, 0),
                                         task(4, 1, 1, PriorityClass::Batch, 1),
                                         task(4, 1, 1, PriorityClass::Production, 2)};
    // In order the best-effort task takes the fast node.
    CHECK(in_order(*p, tasks, v, all_nodes(v), ctx)[0] == 1);
    // By class: Production -> fast (2 s); Batch: fast 2 + 2 = 4 s ties slow 4 s -> lower id 0;
    // Best-effort: fast 4 s vs slow 4 + 4 = 8 s -> fast.
    CHECK(batch(*p, tasks, v, all_nodes(v), ctx) == std::vector<NodeId>{1, 0, 1});
  }
  SECTION("Min-Min inside a class after the class above it has committed") {
    const ClusterSpec c = cluster_of({{1, 16, 2.0}, {1, 16, 1.0}});
    ClusterView v(c);
    // The production task occupies node 0 for 10 s; then the batch class is Min-Min on what is left.
    const std::vector<TaskSpec> tasks = {task(20, 1, 1, PriorityClass::Batch, 0),
                                         task(4, 1, 1, PriorityClass::Batch, 1),
                                         task(20, 1, 1, PriorityClass::Production, 2)};
    // Production: node 0 (10 s). Batch minima: T0 node 0 10 + 10 = 20 vs node 1 20 -> tie, node 0 (20 s);
    // T1 node 0 10 + 2 = 12 vs node 1 4 -> node 1 (4 s). T1 first -> node 1; then T0: node 0 20 s vs
    // node 1 4 + 20 = 24 s -> node 0.
    CHECK(batch(*p, tasks, v, all_nodes(v), ctx) == std::vector<NodeId>{0, 1, 0});
  }
}

TEST_CASE("ClusterView: a believed queue makes a node unavailable, commit updates the belief started or queued",
          "[policies]") {
  const ClusterSpec c = cluster_of({{6, 24, 1}});
  ClusterView v(c);
  const TaskSpec one = task(10, 1, 2);
  load(v, 0, 4, 8, 400);  // 2 cores, 16 GB free, nothing queued: a 1-core task starts at once
  CHECK(v.fits_now(one, 0));
  v.commit(one, 0);  // it starts: free resources shrink
  CHECK(v.state(0).free_cores == 1);
  CHECK(v.state(0).free_memory_gb == 14);
  CHECK(v.state(0).running_work_core_s == 410);
  CHECK(v.state(0).queue_length == 0);
  // A 4-core task does not fit: it queues, and the node is no longer free even for a task
  // that fits in its free cores, since that task would wait behind it (FCFS head blocked).
  v.commit(task(400, 4, 4), 0);
  CHECK(v.state(0).queue_length == 1);
  CHECK(v.state(0).queued_cores == 4);
  CHECK(v.state(0).queued_memory_gb == 4);
  CHECK(v.state(0).free_cores == 1);
  CHECK_FALSE(v.fits_now(one, 0));
  v.commit(one, 0);  // queues too
  CHECK(v.state(0).queue_length == 2);
  CHECK(v.state(0).queued_cores == 5);
  CHECK(v.state(0).queued_memory_gb == 6);
  // Critical load counts queued demand: cores (6 - 1 + 5) / 6 against memory (24 - 14 + 6) / 24.
  CHECK(v.critical_load(0) == Approx(10.0 / 6));
}

// A 6-core node (0) whose FCFS head (4 cores) is blocked behind 4 busy cores, beside idle
// nodes: the blocked node has 2 free cores, so a view that ignored its queue would take it
// for available, and a commit there (queued) would change nothing that looks "free".
TEST_CASE("best-fit, least-loaded, priority-minmin: no herding onto a node whose queue head is blocked", "[policies]") {
  const ClusterSpec c = cluster_of({{6, 24, 1}, {32, 128, 1}});
  ClusterView blocked(c);
  load(blocked, 0, 4, 8, 400, 400);  // running 4 cores for 100 s; a 4-core, 100 s head queued
  blocked.edit_state(0).queue_length = 1;
  blocked.edit_state(0).queued_cores = 4;
  blocked.edit_state(0).queued_memory_gb = 4;
  const std::vector<TaskSpec> tasks(100, task(10, 1, 1));
  for (const std::string name : {"best-fit", "least-loaded", "priority-minmin"}) {
    INFO(name);
    auto p = make_scheduling_policy(name);
    DispatchContext ctx;
    ClusterView v = blocked;
    std::vector<NodeId> out;
    for (const TaskSpec& t : tasks) {  // as the scheduler does: choose, then commit the belief
      out.push_back(p->choose(t, all_nodes(v), v, ctx));
      v.commit(t, out.back());
    }
    // Node 1 takes the first 32: they start at once there.
    CHECK(std::count(out.begin(), out.begin() + 32, NodeId{1}) == 32);
    CHECK(v.state(1).running == 32);
    // Then node 0 gets at most its share by capacity: 6 / 38 of the 8 + 100 cores demanded is
    // 17 cores, 8 of which it has (least-loaded balances to that: 9 tasks). By expected
    // completion (best-fit once nothing fits, priority-minmin) it gets none: its backlog is
    // (400 + 400) / 6 = 133 s while node 1's grows by 10 / 32 s per task, to 3 s at most.
    CHECK(std::count(out.begin(), out.end(), NodeId{0}) <= (name == "least-loaded" ? 9 : 0));
  }
}

TEST_CASE("ray-hybrid: no herding onto a node whose queue head is blocked (10 nodes)", "[policies]") {
  // Nodes 0-8: 8 cores, 5 busy (62.5 %, above the spread threshold). Node 9: 6 cores, 4 busy
  // (67 %) and a blocked 4-core head. Ignoring the queue, node 9 stays "available" at 67 %
  // while every other node's score rises with each task it gets: it ends up in the top k = 2
  // for most tasks. Counting the queue, it is unavailable and its demand is (4 + 4) / 6.
  ClusterSpec c;
  for (int i = 0; i < 9; ++i) c.nodes.push_back(NodeSpec{8, 32, 1, 0, 0, 0});
  c.nodes.push_back(NodeSpec{6, 24, 1, 0, 0, 0});
  c.tier_names = {"test"};
  ClusterView v(c);
  for (NodeId n = 0; n < 9; ++n) load(v, n, 5, 8, 500);
  load(v, 9, 4, 8, 400, 400);
  v.edit_state(9).queue_length = 1;
  v.edit_state(9).queued_cores = 4;
  v.edit_state(9).queued_memory_gb = 4;
  auto p = make_scheduling_policy("ray-hybrid");
  RngStream rng(11, 3);
  DispatchContext ctx{0, kNoNode, &rng};
  std::vector<int> count(10, 0);
  for (int i = 0; i < 100; ++i) {
    const TaskSpec t = task(10, 1, 1);
    const NodeId n = p->choose(t, all_nodes(v), v, ctx);
    ++count[n];
    v.commit(t, n);
    if (i < 27) CHECK(n != 9);  // 27 free cores on nodes 0-8 come first
  }
  // In proportion to capacity node 9 would hold 6 / 78 of all demand, (53 + 100) x 6 / 78 = 11.8
  // cores, 8 of which it has: about 4 tasks. Allow a little for the random top-k draws.
  CHECK(count[9] <= 8);
}

TEST_CASE("ray-hybrid: top k is a share of the cluster's nodes, not of the candidates", "[policies]") {
  // 20 nodes, all above the threshold at different loads; only 5 are candidates. Ray's k is
  // max(1, floor(0.2 x 20)) = 4 whatever the candidates: the draw covers the 4 least
  // utilized candidates (a share of the candidates would give k = 1: always the least).
  ClusterSpec c;
  for (int i = 0; i < 20; ++i) c.nodes.push_back(NodeSpec{8, 32, 1, 0, 0, 0});
  c.tier_names = {"test"};
  ClusterView v(c);
  for (NodeId n = 0; n < 20; ++n) load(v, n, 4 + 0.1 * n, 4);
  auto p = make_scheduling_policy("ray-hybrid");
  RngStream rng(7, 9);
  DispatchContext ctx{0, kNoNode, &rng};
  const std::vector<NodeId> cands = {15, 3, 11, 7, 19};
  std::map<NodeId, int> count;
  for (int i = 0; i < 4000; ++i) ++count[p->choose(task(10, 1, 1), cands, v, ctx)];
  REQUIRE(count.size() == 4);  // 3, 7, 11, 15 (the least utilized four); never 19
  for (const NodeId n : {3u, 7u, 11u, 15u}) CHECK(count[n] > 850);
  CHECK(count.count(19) == 0);
}

TEST_CASE("ray-hybrid-sampled: ray-hybrid's rule over 100 uniform draws of the candidates", "[policies]") {
  auto sampled = make_scheduling_policy("ray-hybrid-sampled");
  // Busy fractions from a small set, so that scores tie and cross the spread threshold.
  const auto randomize = [](ClusterView& v, RngStream& r) {
    for (NodeId n = 0; n < v.size(); ++n) {
      const double busy = static_cast<double>(r.below(5)) / 4;
      load(v, n, 8 * busy, 32 * static_cast<double>(r.below(5)) / 4);
    }
  };
  SECTION("at most 100 candidates, all of the cluster: it is ray-hybrid, draw for draw") {
    ClusterSpec c;
    for (int i = 0; i < 60; ++i) c.nodes.push_back(NodeSpec{8, 32, 1, 0, 0, 0});
    c.tier_names = {"test"};
    ClusterView v(c);
    auto plain = make_scheduling_policy("ray-hybrid");
    RngStream world(3, 3), a(4, 4), b(4, 4);
    for (int i = 0; i < 500; ++i) {
      randomize(v, world);
      const NodeId local = i % 3 == 0 ? kNoNode : static_cast<NodeId>(world.below(60));
      DispatchContext ca{0, local, &a}, cb{0, local, &b};
      REQUIRE(sampled->choose(task(10, 2, 4), all_nodes(v), v, ca) ==
              plain->choose(task(10, 2, 4), all_nodes(v), v, cb));
      REQUIRE(a.next_u64() == b.next_u64());
    }
  }
  SECTION("more candidates: the rule over the drawn positions, top k a share of the sample") {
    ClusterSpec c;
    for (int i = 0; i < 1000; ++i) c.nodes.push_back(NodeSpec{8, 32, 1, 0, 0, 0});
    c.tier_names = {"test"};
    ClusterView v(c);
    const RayHybridRule rule;
    RngStream world(5, 5), rng(6, 6);
    std::size_t locals_kept = 0;
    for (int i = 0; i < 300; ++i) {
      randomize(v, world);
      std::vector<NodeId> cands;  // every other node: positions are not ids
      for (NodeId n = 1; n < v.size(); n += 2) cands.push_back(n);
      const NodeId local = i % 2 == 0 ? kNoNode : cands[world.below(cands.size())];
      RngStream replay = rng;
      std::vector<std::size_t> pos;
      for (int d = 0; d < 100; ++d) pos.push_back(replay.below(cands.size()));
      std::sort(pos.begin(), pos.end());
      pos.erase(std::unique(pos.begin(), pos.end()), pos.end());
      std::vector<NodeId> sample;
      for (const std::size_t p : pos) sample.push_back(cands[p]);
      if (local != kNoNode && std::find(sample.begin(), sample.end(), local) == sample.end()) sample.push_back(local);
      DispatchContext expected_ctx{0, local, &replay}, ctx{0, local, &rng};
      const NodeId expected = rule.choose(task(10, 2, 4), sample, sample.size(), v, expected_ctx);
      const NodeId got = sampled->choose(task(10, 2, 4), cands, v, ctx);
      REQUIRE(got == expected);
      REQUIRE(rng.next_u64() == replay.next_u64());
      if (got == local) ++locals_kept;
    }
    CHECK(locals_kept > 0);  // the local node joins the sample when it is a candidate
  }
}

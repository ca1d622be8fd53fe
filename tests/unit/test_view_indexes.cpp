// The indexed decisions (SchedulingPolicy::choose_indexed over ClusterView's incremental
// indexes) against the reference scans (choose over the id-ordered list of every statically
// fitting, up node): the same node and the same RNG draws, over randomized clusters and
// histories of reports, commits and failures. Values come from small sets so that loads,
// backlogs and completion times tie often; some tasks fit few or no nodes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "agents/fitting_up_nodes.hpp"
#include "agents/least_load_tree.hpp"
#include "agents/policy_registry.hpp"
#include "engine/support/rng.hpp"

using namespace marlsim;

namespace {
ClusterSpec random_cluster(RngStream& rng, std::size_t max_nodes = 120) {
  ClusterSpec c;
  const std::size_t n = 1 + rng.below(rng.below(4) == 0 ? 8 : max_nodes);
  const double cores[] = {2, 4, 8, 16, 32};
  const double memory[] = {8, 16, 24.5, 64, 128};
  const double speed[] = {0.6, 0.75, 1.0, 1.0, 1.5};
  for (std::size_t i = 0; i < n; ++i) {
    NodeSpec s{};
    s.cores = cores[rng.below(5)];
    s.memory_gb = rng.below(3) == 0 ? rng.uniform(8, 128) : memory[rng.below(5)];  // shapes repeat, or not
    s.speed = rng.below(3) == 0 ? rng.uniform(0.6, 1.5) : speed[rng.below(5)];
    c.nodes.push_back(s);
  }
  c.tier_names = {"test"};
  return c;
}

TaskSpec random_task(RngStream& rng) {
  TaskSpec t;
  const double cores[] = {1, 1, 2, 4, 8, 24, 40};  // 40: fits no node
  const double memory[] = {1, 2, 8, 12, 20, 100, 200};
  t.cores = cores[rng.below(7)];
  t.memory_gb = memory[rng.below(7)];
  t.work_core_s = t.cores * static_cast<double>(1 + rng.below(4)) * 7.5;
  t.priority = static_cast<PriorityClass>(rng.below(kPriorityClasses));
  return t;
}

// A report: values from small sets (ties), sometimes down.
NodeView random_report(RngStream& rng, const NodeSpec& s) {
  NodeView v;
  const double busy = static_cast<double>(rng.below(5)) / 4;
  v.free_cores = s.cores * (1 - busy);
  v.free_memory_gb = s.memory_gb * (1 - busy);
  v.running_work_core_s = static_cast<double>(rng.below(4)) * 30;
  v.queue_length = static_cast<std::uint32_t>(rng.below(3));
  v.queued_cores = v.queue_length * 2.0;
  v.queued_memory_gb = v.queue_length * 4.0;
  v.queued_work_core_s = v.queue_length * 15.0;
  v.running = static_cast<std::uint32_t>(rng.below(3));
  v.up = rng.below(6) != 0;
  v.as_of = 1;
  return v;
}

std::vector<NodeId> candidates(const ClusterView& view, const TaskSpec& task) {
  std::vector<NodeId> out;  // as SchedulerLp::candidates_for lists every node
  for (NodeId n = 0; n < view.size(); ++n)
    if (view.fits_statically(task, n) && view.state(n).up) out.push_back(n);
  return out;
}

// Runs `steps` random reports and decisions on a plain view (scans) and an indexed one;
// every decision must agree, and so must the RNG streams after it. Returns the decisions.
// With `local_nodes`, every decision is taken on a random node (ctx.local_node), as in the
// two-level topology's spills.
std::size_t compare(const std::string& policy_name, std::uint64_t seed, int steps, std::size_t max_nodes = 120,
                    bool local_nodes = false) {
  RngStream rng(seed, 0);
  const ClusterSpec cluster = random_cluster(rng, max_nodes);
  const auto policy = make_scheduling_policy(policy_name);
  ClusterView plain(cluster), indexed(cluster);
  for (NodeId n = 0; n < cluster.nodes.size(); ++n)
    if (rng.below(2) == 0) {
      const NodeView v = random_report(rng, cluster.nodes[n]);
      plain.set_state(n, v);
      indexed.set_state(n, v);
    }
  indexed.keep_indexes(policy->index_needs());
  const auto state_scan = policy->make_state(), state_indexed = policy->make_state();
  RngStream draws_scan(seed, 1), draws_indexed(seed, 1);
  std::size_t decided = 0;
  for (int step = 0; step < steps; ++step) {
    if (rng.below(3) == 0) {  // a report, maybe a failure or a recovery
      const auto n = static_cast<NodeId>(rng.below(cluster.nodes.size()));
      const NodeView v = random_report(rng, cluster.nodes[n]);
      plain.set_state(n, v);
      indexed.set_state(n, v);
      continue;
    }
    const TaskSpec task = random_task(rng);
    const std::vector<NodeId> list = candidates(plain, task);
    CHECK(indexed.indexes()->any_fits(task) == !list.empty());
    if (list.empty()) continue;
    const NodeId local = local_nodes ? static_cast<NodeId>(rng.below(cluster.nodes.size())) : kNoNode;
    DispatchContext scan_ctx{0, local, &draws_scan, state_scan.get()};
    DispatchContext indexed_ctx{0, local, &draws_indexed, state_indexed.get()};
    const NodeId expected = policy->choose(task, list, plain, scan_ctx);
    const NodeId got = policy->choose_indexed(task, indexed, indexed_ctx);
    INFO(policy_name << " seed " << seed << " step " << step << " of " << list.size() << " candidates");
    REQUIRE(got == expected);
    REQUIRE(draws_indexed.next_u64() == draws_scan.next_u64());
    plain.commit(task, expected);
    indexed.commit(task, got);
    ++decided;
  }
  return decided;
}
}  // namespace

TEST_CASE("indexed decisions equal the scans over randomized views", "[policy][index]") {
  for (const char* name :
       {"least-loaded", "random", "priority-minmin", "best-fit", "ray-hybrid", "ray-hybrid-sampled", "weighted-rr"}) {
    std::size_t decided = 0;
    for (std::uint64_t seed = 1; seed <= 300; ++seed) decided += compare(name, seed, 200);
    INFO(name);
    CHECK(decided > 20000);  // the comparisons happened (not all tasks unplaceable)
  }
}

TEST_CASE("ray-hybrid-sampled: the indexed sample is the scan's over clusters larger than the sample",
          "[policy][index]") {
  // Up to 600 nodes: most tasks have more than the 100 draws' worth of candidates.
  std::size_t decided = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) decided += compare("ray-hybrid-sampled", seed, 200, 600);
  CHECK(decided > 3000);
}

TEST_CASE("ray-hybrid and ray-hybrid-sampled: the indexed choice is the scan's when a node decides",
          "[policy][index]") {
  // The local node is preferred when no node of its group scores lower (ray_hybrid_rule.hpp).
  for (const char* name : {"ray-hybrid", "ray-hybrid-sampled"}) {
    std::size_t decided = 0;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) decided += compare(name, seed, 200, 300, true);
    INFO(name);
    CHECK(decided > 15000);
  }
}

TEST_CASE("min-ECT search (priority-minmin, best-fit's fallback) equals the scan over deep ECT trees",
          "[policy][index]") {
  // Up to 3,000 nodes (12-level trees): many idle nodes of one speed tie on ECT, and the
  // search must still find the lowest id among them.
  for (const char* name : {"priority-minmin", "best-fit"}) {
    std::size_t decided = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) decided += compare(name, seed, 200, 3000);
    INFO(name);
    CHECK(decided > 1500);
  }
}

TEST_CASE("least-loaded: the load tree's choice is the scan's over deep trees", "[policy][index]") {
  // Up to 3,000 nodes (12-level trees), many idle nodes tying on (load, backlog): the lowest
  // id among them the task fits, past subtrees whose least key the task does not fit.
  std::size_t decided = 0;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) decided += compare("least-loaded", seed, 300, 3000);
  CHECK(decided > 3000);
}

TEST_CASE("the load tree holds each subtree's least up key and its machines' maxima, and finds the scan's node",
          "[policy][index]") {
  // LeastLoadTree alone against the readable reference: a linear pass over the ids for the
  // least (load, backlog_s, id) among the up nodes the task fits. Keys from small sets (ties),
  // nodes going down and up, trees with padding leaves.
  std::size_t searched = 0, found = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    RngStream rng(seed, 3);
    const ClusterSpec cluster = random_cluster(rng, seed % 4 == 0 ? 40 : 2000);
    const std::size_t n = cluster.nodes.size();
    LeastLoadTree tree(cluster);
    std::vector<LeastLoadTree::Entry> keys(n, {0, 0, LeastLoadTree::kNone, 0, 0});  // kNone: down
    const auto set_node = [&](NodeId node) {
      if (rng.below(5) == 0) {
        keys[node].id = LeastLoadTree::kNone;
        tree.set_down(node);
        return;
      }
      keys[node] = {static_cast<double>(rng.below(6)) / 4, static_cast<double>(rng.below(4)) * 10, node, 0, 0};
      tree.set(node, keys[node].load, keys[node].backlog_s);
    };
    for (NodeId node = 0; node < n; ++node)
      if (rng.below(3) != 0) set_node(node);
    for (int step = 0; step < 300; ++step) {
      for (std::size_t moves = rng.below(rng.below(8) == 0 ? n : 6); moves-- > 0;)
        set_node(static_cast<NodeId>(rng.below(n)));
      const TaskSpec task = random_task(rng);
      NodeId expected = LeastLoadTree::kNone;
      for (NodeId node = 0; node < n; ++node) {
        const NodeSpec& s = cluster.nodes[node];
        if (keys[node].id == LeastLoadTree::kNone || task.cores > s.cores || task.memory_gb > s.memory_gb) continue;
        if (expected == LeastLoadTree::kNone || LeastLoadTree::less(keys[node], keys[expected])) expected = node;
      }
      INFO("seed " << seed << " step " << step << " nodes " << n << " task " << task.cores << " cores "
                   << task.memory_gb << " GB");
      REQUIRE(tree.least_fitting(task) == expected);
      ++searched;
      if (expected != LeastLoadTree::kNone) ++found;
    }
    // Structure: each leaf is its node's key (or empty), each inner node its children's least
    // key and largest machine.
    const std::size_t leaves = tree.leaves();
    REQUIRE(leaves >= n);
    std::vector<int> seen(n, 0);
    for (std::size_t leaf = leaves; leaf < 2 * leaves; ++leaf) {
      const NodeId node = tree.leaf_node(leaf);
      const LeastLoadTree::Entry& e = tree.entry(leaf);
      if (node == LeastLoadTree::kNone) {
        CHECK(e.id == LeastLoadTree::kNone);
        continue;
      }
      REQUIRE(node < n);
      ++seen[node];
      CHECK(e.id == keys[node].id);
      if (e.id != LeastLoadTree::kNone) CHECK((e.load == keys[node].load && e.backlog_s == keys[node].backlog_s));
      CHECK(e.max_cores >= cluster.nodes[node].cores);
      CHECK(e.max_memory_gb >= cluster.nodes[node].memory_gb);
    }
    CHECK(std::count(seen.begin(), seen.end(), 1) == static_cast<std::ptrdiff_t>(n));
    for (std::size_t i = 1; i < leaves; ++i) {
      const auto& l = tree.entry(2 * i);
      const auto& r = tree.entry(2 * i + 1);
      const auto& least = LeastLoadTree::less(r, l) ? r : l;
      REQUIRE(tree.entry(i).id == least.id);
      if (least.id != LeastLoadTree::kNone)
        REQUIRE((tree.entry(i).load == least.load && tree.entry(i).backlog_s == least.backlog_s));
      REQUIRE(tree.entry(i).max_cores == std::max(l.max_cores, r.max_cores));
      REQUIRE(tree.entry(i).max_memory_gb == std::max(l.max_memory_gb, r.max_memory_gb));
    }
  }
  CHECK(searched == 60 * 300);
  CHECK(found > searched / 2);
}

TEST_CASE("the ECT tree holds each subtree's least up backlog and its machines' maxima", "[policy][index]") {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    RngStream rng(seed, 0);
    const ClusterSpec cluster = random_cluster(rng, 300);
    ClusterView view(cluster);
    view.keep_indexes({.by_backlog = true});
    for (int step = 0; step < 400; ++step) {
      const auto n = static_cast<NodeId>(rng.below(cluster.nodes.size()));
      view.set_state(n, random_report(rng, cluster.nodes[n]));
    }
    const ViewIndexes& index = *view.indexes();
    const auto& tree = index.ect_tree();
    const std::size_t leaves = index.ect_leaves();
    REQUIRE(leaves >= cluster.nodes.size());
    std::vector<int> seen(cluster.nodes.size(), 0);
    double last_speed = std::numeric_limits<double>::infinity();
    NodeId last_id = 0;
    for (std::size_t leaf = leaves; leaf < leaves + cluster.nodes.size(); ++leaf) {  // speed descending, then id
      const NodeId n = tree[leaf].min_id;
      REQUIRE(n < cluster.nodes.size());
      ++seen[n];
      const NodeSpec& s = cluster.nodes[n];
      CHECK((s.speed < last_speed || (s.speed == last_speed && n > last_id)));
      last_speed = s.speed;
      last_id = n;
      CHECK(tree[leaf].max_speed == s.speed);
      CHECK(tree[leaf].max_cores == s.cores);
      CHECK(tree[leaf].max_memory_gb == s.memory_gb);
      const NodeView& v = std::as_const(view).state(n);
      CHECK(tree[leaf].min_backlog_s == (v.up ? view.backlog_s(n) : std::numeric_limits<double>::infinity()));
    }
    CHECK(std::count(seen.begin(), seen.end(), 1) == static_cast<std::ptrdiff_t>(seen.size()));
    for (std::size_t i = 1; i < leaves; ++i) {
      const auto& l = tree[2 * i];
      const auto& r = tree[2 * i + 1];
      REQUIRE(tree[i].min_backlog_s == std::min(l.min_backlog_s, r.min_backlog_s));
      REQUIRE(tree[i].max_speed == std::max(l.max_speed, r.max_speed));
      REQUIRE(tree[i].max_cores == std::max(l.max_cores, r.max_cores));
      REQUIRE(tree[i].max_memory_gb == std::max(l.max_memory_gb, r.max_memory_gb));
      REQUIRE(tree[i].min_id == std::min(l.min_id, r.min_id));
    }
  }
}

TEST_CASE("best-fit's alignment bound is at least the score of every node below that can start the task",
          "[policy][index]") {
  // Every tree node's bound (axis and directional, ViewIndexes::AlignmentBound) against the
  // scan's alignment of each open node under it that fits the task now, for tasks whose
  // memory per core falls below, between and beyond the directions; and the bound must not
  // be loose everywhere (the hull is used: some bound is below the axis bound).
  std::size_t checked = 0, tighter = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    RngStream rng(seed, 0);
    const ClusterSpec cluster = random_cluster(rng, 300);
    ClusterView view(cluster);
    view.keep_indexes({.by_fit = true});
    for (NodeId n = 0; n < cluster.nodes.size(); ++n) view.set_state(n, random_report(rng, cluster.nodes[n]));
    const ViewIndexes& index = *view.indexes();
    const auto& tree = index.fit_tree();
    const std::size_t leaves = index.fit_leaves();
    for (int t = 0; t < 40; ++t) {
      TaskSpec task = random_task(rng);
      if (rng.below(3) == 0) task.memory_gb = rng.uniform(0.1, 200);  // ratios off the small sets
      const ViewIndexes::AlignmentBound bound(index, task);
      for (std::size_t i = 1; i < 2 * leaves; ++i) {
        double highest = -std::numeric_limits<double>::infinity();
        for (std::size_t leaf = i; leaf < 2 * leaves; leaf = 2 * leaf) {  // the leaves under i
          const std::size_t width = leaf / i;
          for (std::size_t l = leaf; l < leaf + width && leaf >= leaves; ++l) {
            const NodeId n = index.fit_leaf_node(l);
            if (n == ViewIndexes::kNoNodeAt || !std::as_const(view).state(n).up) continue;
            if (!view.fits_statically(task, n) || !view.fits_now(task, n)) continue;
            highest = std::max(highest, view.alignment(task, n));
          }
        }
        if (highest == -std::numeric_limits<double>::infinity()) continue;
        const double b = bound(tree[i]);
        INFO("seed " << seed << " tree node " << i << " task " << task.cores << " cores " << task.memory_gb << " GB");
        REQUIRE(b >= highest);
        ++checked;
        const auto& m = tree[i];
        if (b < task.cores * m.core_factor + task.memory_gb * m.memory_factor_for(task)) ++tighter;
      }
    }
  }
  CHECK(checked > 10000);
  CHECK(tighter > checked / 10);
}

TEST_CASE("priority-minmin: a batch of every-node requests is the batch of listed ones", "[policy][index]") {
  const auto policy = make_scheduling_policy("priority-minmin");
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    RngStream rng(seed, 0);
    const ClusterSpec cluster = random_cluster(rng);
    ClusterView plain(cluster), indexed(cluster);
    for (NodeId n = 0; n < cluster.nodes.size(); ++n) {
      const NodeView v = random_report(rng, cluster.nodes[n]);
      plain.set_state(n, v);
      indexed.set_state(n, v);
    }
    indexed.keep_indexes(policy->index_needs());
    std::vector<TaskSpec> tasks;
    for (int i = 0; i < 12; ++i) {
      const TaskSpec t = random_task(rng);
      if (!candidates(plain, t).empty()) tasks.push_back(t);
    }
    std::vector<DecisionRequest> listed(tasks.size()), every(tasks.size());
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      listed[i] = {&tasks[i], candidates(plain, tasks[i]), &plain, {}, kNoNode};
      every[i] = {&tasks[i], {}, &indexed, {}, kNoNode, true};
    }
    policy->decide(listed);
    policy->decide(every);
    for (std::size_t i = 0; i < tasks.size(); ++i) REQUIRE(every[i].chosen == listed[i].chosen);
    for (NodeId n = 0; n < cluster.nodes.size(); ++n)
      REQUIRE(std::as_const(indexed).state(n).queue_length == plain.state(n).queue_length);
  }
}

TEST_CASE("an indexed view is written only through set_state and commit", "[policy][index]") {
  RngStream rng(5, 0);
  const ClusterSpec cluster = random_cluster(rng);
  ClusterView view(cluster);
  view.keep_indexes({.by_load = true});
  CHECK_THROWS_AS(view.edit_state(0), std::logic_error);  // a reference would let the keys go stale
  CHECK_NOTHROW(view.state(0));                           // reading is fine
  NodeView v = std::as_const(view).state(0);
  v.free_cores = 0;
  view.set_state(0, v);
  bool found = false;
  const LeastLoadTree& tree = view.indexes()->by_load();
  for (std::size_t leaf = tree.leaves(); leaf < 2 * tree.leaves(); ++leaf)
    if (tree.leaf_node(leaf) == 0)
      found = tree.entry(leaf).id == 0 && tree.entry(leaf).load == view.load(0) &&
              view.load(0) == 1.0;  // fully busy now
  CHECK(found);
  ClusterView sparse(cluster, ClusterView::Sparse{});
  CHECK_THROWS_AS(sparse.keep_indexes({.by_id = true}), std::logic_error);
}

TEST_CASE("the fitting up nodes by listing and by wavelet tree are the scan's list", "[policy][index]") {
  // Both methods of FittingUpNodes (random's and ray-hybrid-sampled's list) against the scan,
  // every position, over clusters of up to 1,500 nodes (wavelet trees up to 5 levels deep
  // above the last level's 64 ids, up to 6 blocks of 256 positions per level), cores and
  // memory that tie, and up flags that flip between decisions; every other cluster on a copy
  // of the view (its trees copied, then kept apart from the original's).
  std::size_t compared = 0, by_wavelet = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    RngStream rng(seed, 7);
    const ClusterSpec cluster = random_cluster(rng, seed % 3 == 0 ? 60 : 1500);
    ClusterView original(cluster);
    original.keep_indexes({.by_id = true, .by_core_class = true});
    ClusterView copy = original;
    ClusterView& view = seed % 2 == 0 ? copy : original;
    for (std::size_t flips = rng.below(4); flips-- > 0;) {  // the other view moves on alone
      ClusterView& other = seed % 2 == 0 ? original : copy;
      const auto n = static_cast<NodeId>(rng.below(cluster.nodes.size()));
      other.set_state(n, random_report(rng, cluster.nodes[n]));
    }
    FittingUpNodes listing, wavelet, automatic;
    for (int step = 0; step < 120; ++step) {
      for (std::size_t flips = rng.below(rng.below(4) == 0 ? cluster.nodes.size() : 4); flips-- > 0;) {
        const auto n = static_cast<NodeId>(rng.below(cluster.nodes.size()));
        view.set_state(n, random_report(rng, cluster.nodes[n]));
      }
      const TaskSpec task = random_task(rng);
      const std::vector<NodeId> list = candidates(view, task);
      listing.reset(task, view, FittingUpNodes::Method::listing);
      wavelet.reset(task, view, FittingUpNodes::Method::wavelet);
      automatic.reset(task, view);
      INFO("seed " << seed << " step " << step << " nodes " << cluster.nodes.size() << " task " << task.cores
                   << " cores " << task.memory_gb << " GB");
      REQUIRE(listing.size() == list.size());
      REQUIRE(wavelet.size() == list.size());
      REQUIRE(automatic.size() == list.size());
      if (wavelet.method() == FittingUpNodes::Method::wavelet) ++by_wavelet;
      std::size_t carried = 0;
      for (std::size_t k = 0; k < list.size(); ++k) {
        REQUIRE(wavelet.kth(k) == list[k]);
        REQUIRE(listing.kth(k, carried) == list[k]);
        REQUIRE(automatic.kth(k) == list[k]);
      }
      ++compared;
    }
  }
  CHECK(compared == 60 * 120);
  CHECK(by_wavelet > compared / 2);  // the trees answered (tasks of 40 cores fit no node: listed)
}

TEST_CASE("a core-class wavelet tree counts and selects as a scan of its set", "[policy][index]") {
  // UpNodesWaveletTree alone against a scan of the nodes with the class's cores, up and with
  // the memory: with_memory, up_count and every kth_up, over clusters of up to 5,000 nodes
  // (20 blocks per level, 7 levels above the last), fractional and tied core counts, tied
  // and distinct memory, and up flags flipped one by one (set_up) between queries. The trees
  // of every class come from one for_core_classes call, as ViewIndexes builds them.
  std::size_t compared = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    RngStream rng(seed, 11);
    ClusterSpec cluster;
    // Seed 12: 8 blocks of 192 exactly (the pair levels' last block empty), queried whole at step 3.
    const std::size_t nodes = seed == 12 ? 8 * 192 : 1 + rng.below(seed % 4 == 0 ? 70 : 5000);
    for (std::size_t i = 0; i < nodes; ++i) {
      NodeSpec s{};
      s.cores = rng.below(2) == 0 ? static_cast<double>(1 + rng.below(24)) : 0.5 * static_cast<double>(rng.below(8));
      s.memory_gb = rng.below(2) == 0 ? static_cast<double>(4 * (1 + rng.below(8))) : rng.uniform(1, 64);
      s.speed = 1;
      cluster.nodes.push_back(s);
    }
    cluster.tier_names = {"test"};
    // Every third cluster starts with every node up, and every node is repaired now and then:
    // kth_up's path for a set with no node down, and its way back to it, are checked too.
    std::vector<char> up(nodes);
    for (char& u : up) u = static_cast<char>(seed % 3 == 0 || rng.below(4) != 0);
    const std::vector<double> classes = {0, 0.5, 2, 3.5, 8, 17, 30};  // 30: no node
    std::vector<UpNodesWaveletTree> trees = UpNodesWaveletTree::for_core_classes(cluster, classes, up);
    REQUIRE(trees.size() == classes.size());
    for (int step = 0; step < 40; ++step) {
      for (std::size_t flips = rng.below(step % 5 == 0 ? nodes : 6); flips-- > 0;) {
        const auto n = static_cast<NodeId>(rng.below(nodes));
        up[n] = static_cast<char>(up[n] == 0);
        for (UpNodesWaveletTree& tree : trees) tree.set_up(n, up[n] != 0);
      }
      if (step % 7 == 3)
        for (NodeId n = 0; n < nodes; ++n) {
          up[n] = 1;
          for (UpNodesWaveletTree& tree : trees) tree.set_up(n, true);
        }
      for (std::size_t k = 0; k < classes.size(); ++k) {  // the count that picks kth_up's path
        std::size_t down = 0;
        for (NodeId n = 0; n < nodes; ++n) down += cluster.nodes[n].cores >= classes[k] && up[n] == 0;
        REQUIRE(trees[k].members_down() == down);
      }
      const std::size_t c = rng.below(classes.size());
      double memory_gb = rng.below(3) == 0 ? static_cast<double>(4 * rng.below(10)) : rng.uniform(0, 70);
      if (step == 3) memory_gb = 0;  // the whole set, every node just repaired
      std::size_t in_set = 0;
      std::vector<NodeId> list;
      for (NodeId n = 0; n < nodes; ++n) {
        const NodeSpec& s = cluster.nodes[n];
        if (s.cores >= classes[c] && s.memory_gb >= memory_gb) {
          ++in_set;
          if (up[n] != 0) list.push_back(n);
        }
      }
      INFO("seed " << seed << " step " << step << " nodes " << nodes << " class " << classes[c] << " memory "
                   << memory_gb);
      const UpNodesWaveletTree& tree = trees[c];
      const std::size_t prefix = tree.with_memory(memory_gb);
      REQUIRE(prefix == in_set);
      REQUIRE(tree.up_count(prefix) == list.size());
      for (std::size_t k = 0; k < list.size(); ++k) REQUIRE(tree.kth_up(prefix, k) == list[k]);
      ++compared;
    }
  }
  CHECK(compared == 12 * 40);
  // A class's tree built alone is the same as built beside another class's.
  RngStream rng(3, 11);
  const ClusterSpec cluster = random_cluster(rng, 800);
  const std::vector<char> up(cluster.nodes.size(), 1);
  const UpNodesWaveletTree alone = UpNodesWaveletTree::for_core_classes(cluster, {4}, up)[0];
  const UpNodesWaveletTree shared = UpNodesWaveletTree::for_core_classes(cluster, {2, 4}, up)[1];
  const std::size_t prefix = alone.with_memory(16);
  REQUIRE(shared.with_memory(16) == prefix);
  REQUIRE(alone.up_count(prefix) == shared.up_count(prefix));
  for (std::size_t k = 0; k < alone.up_count(prefix); ++k) REQUIRE(alone.kth_up(prefix, k) == shared.kth_up(prefix, k));
}

TEST_CASE("the core-class trees are built with the view, for the smallest classes only", "[policy][index]") {
  // 20 distinct core counts: the 16 smallest get a tree when the indexes are kept (before any
  // decision), larger tasks are listed; a view without by_core_class builds none.
  ClusterSpec cluster;
  for (int i = 0; i < 400; ++i) cluster.nodes.push_back(NodeSpec{static_cast<double>(1 + i % 20), 32, 1, 0, 0, 0});
  cluster.tier_names = {"test"};
  ClusterView view(cluster);
  view.keep_indexes({.by_id = true, .by_core_class = true});
  const ViewIndexes& index = *view.indexes();
  TaskSpec task;
  task.memory_gb = 8;
  task.cores = 16;
  CHECK(index.up_nodes_with_cores(task) != nullptr);
  CHECK(index.core_class_tree_bytes() > 0);
  task.cores = 17;
  CHECK(index.up_nodes_with_cores(task) == nullptr);
  FittingUpNodes fitting;
  fitting.reset(task, view, FittingUpNodes::Method::wavelet);
  CHECK(fitting.method() == FittingUpNodes::Method::listing);
  CHECK(fitting.size() == 80);  // 17-20 cores, 20 nodes each
  ClusterView plain(cluster);
  plain.keep_indexes({.by_id = true});
  task.cores = 2;
  CHECK(plain.indexes()->up_nodes_with_cores(task) == nullptr);
  CHECK(plain.indexes()->core_class_tree_bytes() == 0);
}

TEST_CASE("the core-class trees catch up with the view's up flags when read, across compactions of the change log",
          "[policy][index]") {
  // The trees are brought up to date only when read (ViewIndexes::up_nodes_with_cores), from
  // a log of changed nodes that is deduplicated into the lagging trees once it reaches 4 N +
  // 64 entries. Bursts of up to 10 N flips (several compactions between two reads), one class
  // read most of the time and the others rarely (trees many compactions behind), a copied
  // view moving on apart: every read against a scan of the view's flags.
  std::size_t compared = 0;
  for (std::uint64_t seed = 1; seed <= 16; ++seed) {
    RngStream rng(seed, 13);
    const ClusterSpec cluster = random_cluster(rng, 600);
    const std::size_t nodes = cluster.nodes.size();
    ClusterView original(cluster);
    original.keep_indexes({.by_id = true, .by_core_class = true});
    std::optional<ClusterView> copy;
    for (int step = 0; step < 60; ++step) {
      if (step == 30) copy.emplace(original);  // the copy's trees and log go on alone from here
      ClusterView& view = copy && seed % 2 == 0 ? *copy : original;
      const std::size_t flips = rng.below(4) == 0 ? rng.below(10 * nodes + 1) : rng.below(8);
      for (std::size_t f = 0; f < flips; ++f) {
        const auto n = static_cast<NodeId>(rng.below(nodes));
        NodeView v = random_report(rng, cluster.nodes[n]);
        v.up = rng.below(2) == 0;
        view.set_state(n, v);
      }
      TaskSpec task;
      const double cores[] = {2, 4, 8, 16, 32};
      task.cores = rng.below(5) != 0 ? 2 : cores[rng.below(5)];
      task.memory_gb = rng.below(2) == 0 ? 0 : rng.uniform(0, 130);
      const UpNodesWaveletTree* tree = view.indexes()->up_nodes_with_cores(task);
      std::vector<NodeId> list;
      bool any = false;
      for (NodeId n = 0; n < nodes; ++n) {
        if (cluster.nodes[n].cores < task.cores) continue;
        any = true;
        if (cluster.nodes[n].memory_gb >= task.memory_gb && std::as_const(view).state(n).up) list.push_back(n);
      }
      INFO("seed " << seed << " step " << step << " nodes " << nodes << " flips " << flips << " class " << task.cores);
      REQUIRE((tree != nullptr) == any);
      if (tree == nullptr) continue;
      const std::size_t prefix = tree->with_memory(task.memory_gb);
      REQUIRE(tree->up_count(prefix) == list.size());
      for (std::size_t k = 0; k < list.size(); ++k) REQUIRE(tree->kth_up(prefix, k) == list[k]);
      ++compared;
    }
  }
  CHECK(compared > 16 * 60 / 2);
}

TEST_CASE("random's indexed path finds the k-th fitting up node past unfit and down ones", "[policy][index]") {
  // Nodes 0-5; 1 and 4 are too small for the task, 2 is down: candidates {0, 3, 5}.
  ClusterSpec cluster;
  for (const double cores : {8.0, 2.0, 8.0, 8.0, 2.0, 8.0}) cluster.nodes.push_back(NodeSpec{cores, 32, 1, 0, 0, 0});
  cluster.tier_names = {"test"};
  ClusterView view(cluster);
  view.keep_indexes({.by_id = true});
  NodeView down = std::as_const(view).state(2);
  down.up = false;
  view.set_state(2, down);
  TaskSpec task;
  task.cores = 4;
  task.memory_gb = 1;
  task.work_core_s = 40;
  std::vector<NodeId> unfit;
  view.indexes()->unfit_up_nodes(task, unfit);
  std::sort(unfit.begin(), unfit.end());
  CHECK(unfit == std::vector<NodeId>{1, 4});
  CHECK(view.indexes()->up_count() == 5);
  const auto policy = make_scheduling_policy("random");
  std::vector<int> hits(6, 0);
  RngStream draws(3, 0);
  for (int i = 0; i < 300; ++i) {
    DispatchContext ctx{0, kNoNode, &draws, nullptr};
    ++hits[policy->choose_indexed(task, view, ctx)];
  }
  CHECK(hits[1] == 0);
  CHECK(hits[2] == 0);
  CHECK(hits[4] == 0);
  CHECK(hits[0] > 50);
  CHECK(hits[3] > 50);
  CHECK(hits[5] > 50);
}

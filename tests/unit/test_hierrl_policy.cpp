// The hierrl policy (agents/hierrl_policy.cpp): the high level's Q values of a request are bitwise
// the same whatever shares its batch; greedy choices are the argmax; the low level is the queue
// discipline the policy brings and orders by its Q values; checkpoints hold both levels and are
// checked on load; the decentralized topology is refused with the reason.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "agents/hierrl_policy.hpp"
#include "agents/nn/checkpoint.hpp"
#include "agents/policy_registry.hpp"
#include "engine/support/input_error.hpp"
#include "loaded_view.hpp"

using namespace marlsim;

namespace {

ClusterSpec small_cluster() {
  ClusterSpec c;
  for (int i = 0; i < 12; ++i)
    c.nodes.push_back(NodeSpec{static_cast<double>(2 + i % 3), 8.0 + i % 4 * 4, 0.8 + 0.1 * (i % 3), 0, 0, 0});
  c.tier_names = {"ray"};
  return c;
}

TaskSpec task_of(std::uint64_t id) {
  TaskSpec t;
  t.id = id;
  t.work_core_s = 20.0 + 37.0 * static_cast<double>(id);
  t.cores = 0.5 + 0.5 * static_cast<double>(id % 3);
  t.memory_gb = 1.0 + static_cast<double>(id % 5);
  return t;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("hierrl: a low-level request's Q values do not depend on what shares its batch", "[hierrl]") {
  const ClusterSpec cluster = small_cluster();
  ActorCriticPolicySettings settings;
  settings.hidden_widths = {48, 144};
  settings.hidden_activations = {nn::Activation::Relu};
  const auto networks = make_hierrl_networks(settings, 7);
  const HierRlWidths w = hierrl_widths();
  // Rows built with the exported feature writers: 9 requests of 1..9 queued tasks (width 144:
  // past the inner size where Eigen's own products change bits with the batch).
  const NodeSpec& spec = cluster.nodes[1];
  std::vector<QueuedTask> queue;
  for (int i = 0; i < 9; ++i)
    queue.push_back({static_cast<std::uint64_t>(i), 0.5 + 0.25 * (i % 3), 1.0 + i, 5.0 + 40.0 * i, PriorityClass::Batch,
                     from_seconds(i)});
  nn::RowMatrixF own(9, static_cast<Eigen::Index>(w.low_own));
  nn::RowMatrixF tasks(45, static_cast<Eigen::Index>(w.low_candidate));
  std::vector<Eigen::Index> offsets{0};
  for (int r = 0; r < 9; ++r) {
    write_low_own_features(spec, 1.0 + 0.1 * r, 4.0, static_cast<std::size_t>(r + 1), 1,
                           {own.row(r).data(), w.low_own});
    for (int k = 0; k <= r; ++k)
      write_low_task_features(spec, queue[static_cast<std::size_t>(k)], from_seconds(20.0 + r),
                              {tasks.row(offsets.back() + k).data(), w.low_candidate});
    offsets.push_back(offsets.back() + r + 1);
  }
  const Eigen::VectorXf all = hierrl_q_values(networks->low, own, tasks, offsets);
  for (int r = 0; r < 9; ++r) {
    const nn::RowMatrixF one_own = own.row(r);
    const nn::RowMatrixF one_tasks = tasks.middleRows(offsets[static_cast<std::size_t>(r)], r + 1);
    const std::vector<Eigen::Index> one_offsets{0, r + 1};
    const Eigen::VectorXf alone = hierrl_q_values(networks->low, one_own, one_tasks, one_offsets);
    for (int k = 0; k <= r; ++k) REQUIRE(same_bits(alone[k], all[offsets[static_cast<std::size_t>(r)] + k]));
  }
}

TEST_CASE("hierrl: the high level decides a batch as each request alone, greedily", "[hierrl]") {
  const ClusterSpec cluster = small_cluster();
  ClusterView view(cluster);
  test::load_view(view);
  AgentSettings agents;
  agents.actor_critic.hidden_widths = {32};
  const auto policy = make_scheduling_policy("hierrl", {"central", 3, &agents, nullptr, &cluster});
  std::vector<TaskSpec> tasks;
  for (std::uint64_t i = 0; i < 10; ++i) tasks.push_back(task_of(i));
  std::vector<NodeId> alone;
  for (std::uint64_t i = 0; i < 10; ++i) {
    std::vector<NodeId> candidates;
    for (NodeId n = 0; n < 2 + i; ++n) candidates.push_back(n);
    RngStream rng(1, i, 1);
    DispatchContext ctx{0, kNoNode, &rng, nullptr};
    alone.push_back(policy->choose(tasks[i], candidates, view, ctx));
  }
  // decide() commits to the view after the batch: give each request its own copy of the view.
  std::vector<ClusterView> views(10, view);
  std::vector<RngStream> rngs;
  for (std::uint64_t i = 0; i < 10; ++i) rngs.emplace_back(1, i, 1);
  std::vector<DecisionRequest> batch;
  for (std::uint64_t i = 0; i < 10; ++i) {
    DecisionRequest r;
    r.task = &tasks[i];
    for (NodeId n = 0; n < 2 + i; ++n) r.candidates.push_back(n);
    r.view = &views[i];
    r.ctx = {0, kNoNode, &rngs[i], nullptr};
    batch.push_back(r);
  }
  policy->decide(batch);
  for (std::size_t i = 0; i < 10; ++i) REQUIRE(batch[i].chosen == alone[i]);
  REQUIRE(policy->local_queue() != nullptr);
  REQUIRE(policy->local_queue()->name() == "hierrl");
}

TEST_CASE("hierrl: the low level starts tasks in the order of its Q values", "[hierrl]") {
  // A low-level network whose Q is minus the run-time feature: greedy is shortest-first among the
  // tasks that fit, picked one at a time.
  ActorCriticPolicySettings settings;
  settings.hidden_widths = {1};
  settings.hidden_activations = {nn::Activation::Identity};
  auto networks = make_hierrl_networks(settings, 1);
  const HierRlWidths w = hierrl_widths();
  auto& low = networks->low.actor_layers();
  low[0].weights.setZero();
  low[0].weights(static_cast<Eigen::Index>(w.low_own) + 2, 0) = -1.0f;  // low.task.runtime
  low[0].bias.setZero();
  low[1].weights.setOnes();
  low[1].bias.setZero();
  const std::string path = "hierrl_test_checkpoint.h5";
  save_hierrl_checkpoint(path, *networks);
  AgentSettings agents;
  agents.actor_critic = settings;
  agents.actor_critic.checkpoint = path;
  const ClusterSpec cluster = small_cluster();
  const auto policy = make_scheduling_policy("hierrl", {"central", 99, &agents, nullptr, &cluster});
  const QueueDiscipline& queue = *policy->local_queue();
  //             task, cores, memory, run time
  const std::vector<QueuedTask> waiting{{0, 2.0, 1.0, 300.0, PriorityClass::Batch, 0},
                                        {1, 1.0, 1.0, 50.0, PriorityClass::Batch, 0},
                                        {2, 1.0, 1.0, 10.0, PriorityClass::Batch, 0},
                                        {3, 1.0, 1.0, 20.0, PriorityClass::Batch, 0}};
  std::vector<std::size_t> start;
  RngStream rng(1, 2, 3);
  queue.select_on(0, cluster.nodes[0], rng, waiting, {}, 2.0, 8.0, from_seconds(30.0), start);
  REQUIRE(start == std::vector<std::size_t>{2, 3});  // the two shortest, in queue order
  start.clear();
  queue.select_on(0, cluster.nodes[0], rng, waiting, {}, 3.0, 8.0, from_seconds(30.0), start);
  REQUIRE(start == std::vector<std::size_t>{1, 2, 3});

  // The checkpoint is checked on load: other shapes are refused naming both sides.
  AgentSettings wider = agents;
  wider.actor_critic.hidden_widths = {2};
  REQUIRE_THROWS_AS(make_scheduling_policy("hierrl", {"central", 99, &wider, nullptr, &cluster}), InputError);
  std::remove(path.c_str());
}

TEST_CASE("hierrl: the decentralized topology is refused with the reason", "[hierrl]") {
  try {
    make_scheduling_policy("hierrl", {"node-agent", 1, nullptr, nullptr, nullptr});
    FAIL("expected a refusal");
  } catch (const InputError& e) {
    REQUIRE(std::string(e.what()).find("global scheduler") != std::string::npos);
  }
}

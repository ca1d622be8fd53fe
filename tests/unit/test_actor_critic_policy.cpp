// The decentralized-ac policy (agents/actor_critic_policy.cpp): its features follow the
// observation layout, a batch decides bitwise as each of its tasks alone (at 1, 2 and 4
// threads), sampling uses the caller's stream, and weights come from the seed or a checkpoint.
#include <catch2/catch.hpp>

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "agents/actor_critic_features.hpp"
#include "agents/actor_critic_policy.hpp"
#include "agents/nn/checkpoint.hpp"
#include "agents/nn/observation_layout.hpp"
#include "agents/policy_registry.hpp"
#include "engine/support/input_error.hpp"
#include "loaded_view.hpp"

using namespace marlsim;

namespace {

using marlsim::test::load_view;

// 40 nodes of varied size, some busy, some with a queue, reported at different times.
ClusterSpec varied_cluster() {
  ClusterSpec c;
  for (int i = 0; i < 40; ++i)
    c.nodes.push_back(NodeSpec{static_cast<double>(2 + i % 7 * 4), 8.0 + i % 5 * 16, 0.6 + 0.1 * (i % 8), 0, 0, 0});
  c.tier_names = {"test"};
  return c;
}

TaskSpec task_of(std::uint64_t id) {
  TaskSpec t;
  t.id = id;
  t.arrival_s = 1.0 + id;
  t.work_core_s = 20.0 + 13.0 * static_cast<double>(id);
  t.cores = 1.0 + static_cast<double>(id % 4);
  t.memory_gb = 2.0 + static_cast<double>(id % 3);
  return t;
}

// Task i's candidates: a different count and set each, as decisions of different agents have.
std::vector<std::vector<NodeId>> candidate_sets(std::size_t tasks) {
  std::vector<std::vector<NodeId>> sets(tasks);
  for (std::size_t i = 0; i < tasks; ++i)
    for (std::size_t k = 0; k < 3 + i % 9; ++k) sets[i].push_back(static_cast<NodeId>((i * 5 + k * 3) % 40));
  return sets;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("decentralized-ac features follow the observation layout", "[actor-critic]") {
  const nn::ObservationLayout& layout = nn::decentralized_ac_observation_layout();
  const ClusterSpec c = varied_cluster();
  ClusterView v(c);
  load_view(v);
  TaskSpec t = task_of(3);
  std::vector<float> own(layout.own.size()), cand(layout.candidate.size());
  write_own_features(v, 6, t, from_seconds(10.0), own);
  // own 0: free cores / cores; own 9: log1p(now - arrival).
  CHECK(own[0] == static_cast<float>(v.state(6).free_cores / v.spec(6).cores));
  CHECK(own[9] == static_cast<float>(std::log1p(10.0 - t.arrival_s)));
  write_own_features(v, kNoNode, t, from_seconds(10.0), own);  // a central scheduler: no own node
  for (int i = 0; i < 6; ++i) CHECK(own[static_cast<std::size_t>(i)] == 0.0f);
  CHECK(own[6] == static_cast<float>(std::log1p(t.cores)));
  write_candidate_features(v, 6, t, 6, from_seconds(10.0), cand);
  CHECK(cand[5] == 1.0f);                                           // candidate.is_self
  CHECK(cand[3] == static_cast<float>(std::log1p(10.0 - 3.0)));     // report 3 s old
  write_candidate_features(v, 6, t, 10, from_seconds(10.0), cand);  // never heard from node 10
  CHECK(cand[5] == 0.0f);
  CHECK(cand[3] == static_cast<float>(std::log1p(10.0)));
  CHECK(cand[6] == static_cast<float>(std::log1p(v.expected_completion_s(t, 10))));
}

TEST_CASE("decentralized-ac features: log1p of queue lengths and backlogs bitwise as the reference formulas",
          "[actor-critic]") {
  // The features skip libm for zeros and table the small queue lengths: the bits must stay
  // log1p(max(0, x)) of the view's own quantities, across and beyond the table.
  const nn::ObservationLayout& layout = nn::decentralized_ac_observation_layout();
  const ClusterSpec c = varied_cluster();
  ClusterView v(c);
  const TaskSpec t = task_of(5);
  const auto ref = [](double x) { return static_cast<float>(std::log1p(std::max(0.0, x))); };
  std::vector<float> own(layout.own.size()), cand(layout.candidate.size());
  for (std::uint32_t q : {0u, 1u, 2u, 17u, 63u, 64u, 65u, 1000u}) {
    INFO("queue length " << q);
    NodeView s = v.state(9);
    s.queue_length = q;
    s.queued_cores = 1.5 * q;
    s.queued_work_core_s = 7.25 * q;
    s.running_work_core_s = q == 0 ? 0.0 : 3.0;
    s.as_of = from_seconds(2.0);
    v.set_state(9, s);
    write_own_features(v, 9, t, from_seconds(10.0), own);
    CHECK(same_bits(own[3], ref(q)));
    CHECK(same_bits(own[4], ref(v.backlog_s(9))));
    write_candidate_features(v, 4, t, 9, from_seconds(10.0), cand);
    CHECK(same_bits(cand[2], ref(q)));
    CHECK(same_bits(cand[6], ref(v.expected_completion_s(t, 9))));
  }
}

TEST_CASE("decentralized-ac: a batch decides bitwise as each task alone, at 1, 2 and 4 threads", "[actor-critic]") {
  const ClusterSpec c = varied_cluster();
  ClusterView v(c);
  load_view(v);
  constexpr std::size_t kTasks = 37;
  std::vector<TaskSpec> tasks;
  for (std::size_t i = 0; i < kTasks; ++i) tasks.push_back(task_of(i));
  const auto sets = candidate_sets(kTasks);

  ActorCriticPolicySettings settings;
  settings.hidden_widths = {64, 160};  // inner dimension > 128: where plain GEMM rows differ by batch
  settings.hidden_activations = {nn::Activation::Tanh, nn::Activation::Relu};
  const auto network = make_actor_critic_network(settings, 11);

  // Each task alone, one thread, drawing from the stream in task order.
  const int threads_before = omp_get_max_threads();
  omp_set_num_threads(1);
  auto requests_of = [&](RngStream& rng, ClusterView& view) {
    std::vector<DecisionRequest> r(kTasks);
    for (std::size_t i = 0; i < kTasks; ++i)
      r[i] = {&tasks[i], sets[i], &view, DispatchContext{from_seconds(40.0), 5, &rng, nullptr}, kNoNode};
    return r;
  };
  std::vector<nn::DecisionOutputs> alone;
  {
    RngStream rng(3, 7);
    const std::vector<DecisionRequest> requests = requests_of(rng, v);
    for (std::size_t i = 0; i < kTasks; ++i)
      alone.push_back(network->forward(actor_critic_batch(std::span(requests).subspan(i, 1))));
  }
  for (const int threads : {1, 2, 4}) {
    INFO("threads " << threads);
    omp_set_num_threads(threads);
    RngStream rng(3, 7);
    const std::vector<DecisionRequest> requests = requests_of(rng, v);
    const nn::DecisionBatch batch = actor_critic_batch(requests);
    const nn::DecisionOutputs together = network->forward(batch);
    for (std::size_t i = 0; i < kTasks; ++i) {
      INFO("task " << i);
      REQUIRE(together.actions[i] == alone[i].actions[0]);
      CHECK(same_bits(together.log_probs[static_cast<Eigen::Index>(i)], alone[i].log_probs[0]));
      CHECK(same_bits(together.values[static_cast<Eigen::Index>(i)], alone[i].values[0]));
      for (std::size_t k = 0; k < sets[i].size(); ++k)
        CHECK(same_bits(together.probabilities[batch.offsets[i] + static_cast<Eigen::Index>(k)],
                        alone[i].probabilities[static_cast<Eigen::Index>(k)]));
    }
  }
  omp_set_num_threads(threads_before);

  // Through the policy (built from a context as a rank builds it): decide (batched, then
  // committed) chooses what choose picks task by task on the same view; the actions are not
  // all the same candidate (the sampling is live).
  AgentSettings agents;
  agents.actor_critic = settings;
  const auto policy = make_scheduling_policy("decentralized-ac", {"central", 11, &agents, nullptr});
  ClusterView committed = v;
  RngStream rng_a(3, 8), rng_b(3, 8);
  std::vector<DecisionRequest> requests = requests_of(rng_a, committed);
  policy->decide(requests);
  std::vector<NodeId> batched(kTasks), single(kTasks);
  DispatchContext b{from_seconds(40.0), 5, &rng_b, nullptr};
  for (std::size_t i = 0; i < kTasks; ++i) {
    batched[i] = requests[i].chosen;
    single[i] = policy->choose(tasks[i], sets[i], v, b);
  }
  CHECK(batched == single);
  std::size_t not_first = 0;
  for (std::size_t i = 0; i < kTasks; ++i) not_first += batched[i] != sets[i][0];
  CHECK(not_first > 0);
  // The batch was committed to the view: the first task's node now holds it.
  CHECK(committed.state(batched[0]).queued_cores + committed.state(batched[0]).free_cores !=
        v.state(batched[0]).queued_cores + v.state(batched[0]).free_cores);
}

TEST_CASE("decentralized-ac: agents.greedy takes the most probable candidate, sampling otherwise", "[actor-critic]") {
  const ClusterSpec c = varied_cluster();
  ClusterView v(c);
  load_view(v);
  AgentSettings agents;
  const auto sampling = make_scheduling_policy("decentralized-ac", {"central", 11, &agents, nullptr});
  agents.actor_critic.greedy = true;
  const auto greedy = make_scheduling_policy("decentralized-ac", {"central", 11, &agents, nullptr});
  const auto network = make_actor_critic_network(agents.actor_critic, 11);
  const auto sets = candidate_sets(40);
  std::size_t differ = 0;
  RngStream rng_s(2, 1), rng_g(2, 1), rng_r(2, 1);
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const TaskSpec t = task_of(i);
    DispatchContext cs{from_seconds(40.0), kNoNode, &rng_s, nullptr}, cg{from_seconds(40.0), kNoNode, &rng_g, nullptr};
    std::vector<DecisionRequest> one{
        {&t, sets[i], &v, DispatchContext{from_seconds(40.0), kNoNode, &rng_r, nullptr}, kNoNode}};
    const nn::DecisionOutputs out = network->forward(actor_critic_batch(one));
    Eigen::Index best = 0;
    for (Eigen::Index k = 1; k < out.probabilities.size(); ++k)
      if (out.probabilities[k] > out.probabilities[best]) best = k;
    INFO("task " << i);
    CHECK(greedy->choose(t, sets[i], v, cg) == sets[i][static_cast<std::size_t>(best)]);
    differ += sampling->choose(t, sets[i], v, cs) != sets[i][static_cast<std::size_t>(best)];
  }
  CHECK(differ > 0);                          // sampling does not always take the most probable
  CHECK(rng_g.uniform() == rng_s.uniform());  // both drew one uniform per decision
}

TEST_CASE("decentralized-ac: weights from the seed, or from a checkpoint that must match", "[actor-critic]") {
  ActorCriticPolicySettings settings;
  const auto a = make_actor_critic_network(settings, 4);
  const auto b = make_actor_critic_network(settings, 4);
  const auto other = make_actor_critic_network(settings, 5);
  CHECK(a->actor_layers()[0].weights == b->actor_layers()[0].weights);
  CHECK(a->actor_layers()[0].weights != other->actor_layers()[0].weights);
  CHECK(a->actor_layers()[0].weights.rows() == 17);  // 10 own + 7 candidate features
  CHECK(a->actor_layers()[0].weights.cols() == 128);

  const std::string path = "/tmp/marlsim_ac_policy_ckpt.h5";
  nn::ActorCriticNetwork saved = *other;
  nn::save_checkpoint(path, {{"agent", &saved}}, nn::decentralized_ac_observation_layout());
  settings.checkpoint = path;
  const auto loaded = make_actor_critic_network(settings, 4);
  CHECK(loaded->actor_layers()[0].weights == other->actor_layers()[0].weights);
  CHECK(loaded->value_layers().back().weights == other->value_layers().back().weights);
  settings.hidden_widths = {32};  // a scenario whose shapes differ from the checkpoint's
  CHECK_THROWS_AS(make_actor_critic_network(settings, 4), InputError);
  std::remove(path.c_str());
}

TEST_CASE("decentralized-ac: a non-finite input is reported with the deciding agent and time", "[actor-critic]") {
  const ClusterSpec c = varied_cluster();
  ClusterView v(c);
  load_view(v);
  v.edit_state(3).free_cores = std::numeric_limits<double>::quiet_NaN();
  const auto policy = make_scheduling_policy("decentralized-ac");
  RngStream rng(1, 1);
  DispatchContext ctx{from_seconds(2.5), 9, &rng};
  const TaskSpec t = task_of(1);
  const std::vector<NodeId> cands{1, 3, 4};
  CHECK_THROWS_WITH(policy->choose(t, cands, v, ctx),
                    Catch::Contains("decentralized-ac deciding at node 9, t = 2.5") && Catch::Contains("row"));
}

TEST_CASE("decentralized-ac: agents.mask_unfit leaves no probability where the task does not fit now, if any fits",
          "[actor-critic]") {
  const ClusterSpec c = varied_cluster();
  ClusterView v(c);
  load_view(v);
  constexpr std::size_t kTasks = 40;
  std::vector<TaskSpec> tasks;
  for (std::size_t i = 0; i < kTasks; ++i) tasks.push_back(task_of(i));
  const auto sets = candidate_sets(kTasks);
  AgentSettings agents;
  const auto network = make_actor_critic_network(agents.actor_critic, 11);
  const int threads_before = omp_get_max_threads();
  auto requests_of = [&](RngStream& rng, ClusterView& view) {
    std::vector<DecisionRequest> r(kTasks);
    for (std::size_t i = 0; i < kTasks; ++i)
      r[i] = {&tasks[i], sets[i], &view, DispatchContext{from_seconds(40.0), kNoNode, &rng, nullptr}, kNoNode};
    return r;
  };
  RngStream rng(4, 2);
  const std::vector<DecisionRequest> requests = requests_of(rng, v);
  const nn::DecisionBatch plain = actor_critic_batch(requests);
  nn::DecisionBatch masked = plain;
  mask_unfit_candidates(masked);
  const nn::DecisionOutputs open = network->forward(plain), shut = network->forward(masked);
  std::size_t some_fit = 0, none_fit = 0, masked_rows = 0;
  for (std::size_t i = 0; i < kTasks; ++i) {
    INFO("task " << i);
    bool any = false;
    for (const NodeId n : sets[i]) any |= v.fits_now(tasks[i], n);
    (any ? some_fit : none_fit) += 1;
    for (std::size_t k = 0; k < sets[i].size(); ++k) {
      const Eigen::Index row = plain.offsets[i] + static_cast<Eigen::Index>(k);
      const bool fits = v.fits_now(tasks[i], sets[i][k]);
      CHECK(masked.masked[static_cast<std::size_t>(row)] == (any && !fits ? 1 : 0));
      CHECK(open.probabilities[row] > 0.0f);  // without the mask every candidate can be drawn
      if (any && !fits) {
        CHECK(shut.probabilities[row] == 0.0f);
        ++masked_rows;
      } else if (!any) {
        CHECK(same_bits(shut.probabilities[row], open.probabilities[row]));  // nothing fits: all stay
      } else {
        CHECK(shut.probabilities[row] >= open.probabilities[row]);  // the masked mass moves to the fitting ones
      }
    }
    if (any) CHECK(v.fits_now(tasks[i], sets[i][static_cast<std::size_t>(shut.actions[i])]));
  }
  CHECK(some_fit > 0);  // both cases occur, and the mask removes something
  CHECK(none_fit > 0);
  CHECK(masked_rows > 0);

  // Through the policy at 1, 2 and 4 threads: decide (batched) and choose (one at a time) pick
  // the same fitting candidates, and the sampled log-probabilities are the masked network's.
  agents.actor_critic.mask_unfit = true;
  const auto policy = make_scheduling_policy("decentralized-ac", {"central", 11, &agents, nullptr});
  std::vector<NodeId> first;
  for (const int threads : {1, 2, 4}) {
    INFO("threads " << threads);
    omp_set_num_threads(threads);
    ClusterView committed = v;
    RngStream rng_a(3, 8), rng_b(3, 8);
    std::vector<DecisionRequest> batch = requests_of(rng_a, committed);
    policy->decide(batch);
    std::vector<NodeId> batched, single;
    DispatchContext b{from_seconds(40.0), kNoNode, &rng_b, nullptr};
    for (std::size_t i = 0; i < kTasks; ++i) {
      batched.push_back(batch[i].chosen);
      single.push_back(policy->choose(tasks[i], sets[i], v, b));
    }
    CHECK(batched == single);
    if (first.empty()) first = batched;
    CHECK(batched == first);
  }
  omp_set_num_threads(threads_before);
  for (std::size_t i = 0; i < kTasks; ++i) {
    bool any = false;
    for (const NodeId n : sets[i]) any |= v.fits_now(tasks[i], n);
    if (any) CHECK(v.fits_now(tasks[i], first[i]));
  }
}

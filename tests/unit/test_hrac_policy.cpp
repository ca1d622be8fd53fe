// The hrac policy (agents/hrac_policy.cpp): roles from the deciding node's tier (plus the
// scheduler), role attention over a decision's own candidates (weights sum to 1, recorded per
// batch), one forward per role network that decides bitwise as each decision alone at 1, 2 and
// 4 threads, and checkpoints holding every role by name.
#include <catch2/catch.hpp>

#include <omp.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "agents/actor_critic_features.hpp"
#include "agents/hrac_attention.hpp"
#include "agents/hrac_policy.hpp"
#include "agents/hrac_roles.hpp"
#include "agents/nn/checkpoint.hpp"
#include "agents/nn/observation_layout.hpp"
#include "agents/policy_registry.hpp"
#include "engine/support/input_error.hpp"
#include "loaded_view.hpp"

using namespace marlsim;

namespace {

using marlsim::test::load_view;

// 30 nodes in three tiers (node i in tier i % 3), varied sizes and loads.
ClusterSpec tiered_cluster() {
  ClusterSpec c;
  for (int i = 0; i < 30; ++i)
    c.nodes.push_back(NodeSpec{static_cast<double>(2 + i % 7 * 4), 8.0 + i % 5 * 16, 0.6 + 0.1 * (i % 8), 0, 0,
                               static_cast<std::uint8_t>(i % 3)});
  c.tier_names = {"high", "medium", "low"};
  return c;
}

TaskSpec task_of(std::uint64_t id) {
  TaskSpec t;
  t.id = id;
  t.arrival_s = 1.0 + static_cast<double>(id);
  t.work_core_s = 20.0 + 13.0 * static_cast<double>(id);
  t.cores = 1.0 + static_cast<double>(id % 4);
  t.memory_gb = 2.0 + static_cast<double>(id % 3);
  return t;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Decision i: decided by node i % 31 (30: the scheduler), candidates of a varying count and mix
// of tiers, its own view (an LP's) and stream.
struct Decisions {
  static constexpr std::size_t kCount = 41;
  std::vector<TaskSpec> tasks;
  std::vector<std::vector<NodeId>> candidates;
  std::vector<ClusterView> views;
  std::vector<RngStream> streams;

  explicit Decisions(const ClusterSpec& c) {
    ClusterView v(c);
    load_view(v);
    for (std::size_t i = 0; i < kCount; ++i) {
      tasks.push_back(task_of(i));
      candidates.emplace_back();
      for (std::size_t k = 0; k < 2 + i % 8; ++k) candidates[i].push_back(static_cast<NodeId>((i * 5 + k * 4) % 30));
      views.push_back(v);
      streams.emplace_back(3, i);
    }
  }
  NodeId decider(std::size_t i) const { return i % 31 == 30 ? kNoNode : static_cast<NodeId>(i % 31); }
  DecisionRequest request(std::size_t i) {
    return {&tasks[i], candidates[i], &views[i], DispatchContext{from_seconds(40.0), decider(i), &streams[i], nullptr},
            kNoNode};
  }
};

DecisionLog hrac_log() {
  DecisionLog log;
  log.own_width = nn::hrac_observation_layout().own.size();
  log.candidate_width = nn::hrac_observation_layout().candidate.size();
  return log;
}

}  // namespace

TEST_CASE("hrac: roles follow the deciding node's tier, plus the scheduler", "[hrac]") {
  const ClusterSpec c = tiered_cluster();
  const ClusterView v(c);
  const RoleMap central(RoleMapKind::Tier, c.tier_names, true);
  CHECK(central.names() == std::vector<std::string>{"high", "medium", "low", "scheduler"});
  CHECK(central.role_of_decider(v, 0) == 0);
  CHECK(central.role_of_decider(v, 4) == 1);
  CHECK(central.role_of_decider(v, 5) == 2);
  CHECK(central.role_of_decider(v, kNoNode) == 3);
  CHECK(central.role_of_node(v, 29) == 2);

  const RoleMap nodes(RoleMapKind::Tier, c.tier_names, false);
  CHECK(nodes.names() == std::vector<std::string>{"high", "medium", "low"});
  CHECK_THROWS_AS(nodes.role_of_decider(v, kNoNode), std::logic_error);

  const RoleMap single(RoleMapKind::Single, c.tier_names, true);
  CHECK(single.names() == std::vector<std::string>{"agent"});
  CHECK(single.role_of_decider(v, 5) == 0);
  CHECK(single.role_of_decider(v, kNoNode) == 0);

  ClusterSpec beyond = c;
  beyond.nodes[7].tier = 3;  // a tier the map was not built with
  CHECK_THROWS_AS(central.role_of_decider(ClusterView(beyond), 7), std::logic_error);
  CHECK_THROWS_AS(RoleMap(RoleMapKind::Tier, std::vector<std::string>(255, "t"), true), std::invalid_argument);

  // The policy needs the cluster to name its roles.
  CHECK_THROWS_AS(make_scheduling_policy("hrac"), std::invalid_argument);
}

TEST_CASE("hrac: attention weights over the other present roles sum to 1", "[hrac]") {
  constexpr std::size_t kWidth = 10, kRoles = 4;
  std::vector<std::vector<nn::DenseLayer>> attention;
  for (std::size_t r = 0; r < kRoles; ++r) attention.push_back(make_role_attention(kWidth, 100 + r));
  std::vector<float> own(kWidth), summaries(kRoles * kWidth);
  for (std::size_t f = 0; f < kWidth; ++f) own[f] = 0.1f * static_cast<float>(f);
  for (std::size_t i = 0; i < summaries.size(); ++i) summaries[i] = std::sin(0.7f * static_cast<float>(i));
  std::vector<float> weights(kRoles), attended(kWidth);

  // Role 1 decides; roles 0 and 2 are among its candidates, role 3 (the scheduler) is not.
  const std::vector<std::uint8_t> present{1, 1, 1, 0};
  attend_roles(attention, 1, own, summaries, present, weights, attended);
  CHECK(weights[1] == 0.0f);
  CHECK(weights[3] == 0.0f);
  CHECK(weights[0] > 0.0f);
  CHECK(weights[2] > 0.0f);
  CHECK(weights[0] + weights[2] == Approx(1.0f).epsilon(1e-6));
  CHECK(weights[0] != weights[2]);  // learned scores, not a plain mean
  for (std::size_t f = 0; f < kWidth; ++f)
    CHECK(attended[f] == Approx(weights[0] * summaries[f] + weights[2] * summaries[2 * kWidth + f]).margin(1e-6));

  // The query reads the own observation: another state, other weights.
  std::vector<float> other_weights(kRoles), other_attended(kWidth), other_own(kWidth, 3.0f);
  attend_roles(attention, 1, other_own, summaries, present, other_weights, other_attended);
  CHECK(other_weights[0] != weights[0]);

  // No other role present: no weights, nothing attended.
  attend_roles(attention, 1, own, summaries, std::vector<std::uint8_t>{0, 1, 0, 0}, weights, attended);
  for (float w : weights) CHECK(w == 0.0f);
  for (float a : attended) CHECK(a == 0.0f);
}

TEST_CASE("hrac: the attention's parameter gradients match finite differences", "[hrac]") {
  constexpr std::size_t kWidth = 6, kRoles = 4;
  std::vector<std::vector<nn::DenseLayer>> attention;
  for (std::size_t r = 0; r < kRoles; ++r) {
    attention.push_back(make_role_attention(kWidth, 200 + r));
    for (nn::DenseLayer& l : attention.back()) {
      l.weights *= 1.5f;  // scores away from 0: a softmax that is not nearly uniform
      for (Eigen::Index j = 0; j < l.bias.size(); ++j) l.bias[j] = 0.1f * static_cast<float>(j) - 0.3f;
    }
  }
  std::vector<float> own(kWidth), summaries(kRoles * kWidth), c(kWidth);
  for (std::size_t f = 0; f < kWidth; ++f) own[f] = std::cos(1.3f * static_cast<float>(f));
  for (std::size_t i = 0; i < summaries.size(); ++i) summaries[i] = std::sin(0.7f * static_cast<float>(i) + 0.2f);
  for (std::size_t f = 0; f < kWidth; ++f) c[f] = 0.5f - 0.3f * static_cast<float>(f);
  const std::vector<std::uint8_t> present{1, 1, 1, 0};  // role 1 decides over roles 0 and 2
  // L = c . attended
  const auto loss = [&] {
    std::vector<float> weights(kRoles), attended(kWidth);
    attend_roles(attention, 1, own, summaries, present, weights, attended);
    double l = 0;
    for (std::size_t f = 0; f < kWidth; ++f) l += static_cast<double>(c[f]) * attended[f];
    return l;
  };
  std::vector<std::vector<nn::LayerGradients>> grads;
  for (const auto& layers : attention) grads.push_back(nn::zero_gradients(layers));
  attend_roles_backward(attention, 1, own, summaries, present, c, grads);

  constexpr float kStep = 1e-3f;
  double largest = 0;
  for (std::size_t r = 0; r < kRoles; ++r)
    for (std::size_t l = 0; l < 2; ++l) {
      nn::DenseLayer& layer = attention[r][l];
      const nn::LayerGradients& g = grads[r][l];
      const auto check = [&](float& parameter, float analytic) {
        const float saved = parameter;
        parameter = saved + kStep;
        const double up = loss();
        parameter = saved - kStep;
        const double down = loss();
        parameter = saved;
        const double numeric = (up - down) / (2.0 * kStep);
        largest = std::max(largest, std::abs(numeric));
        CHECK(analytic == Approx(numeric).margin(2e-3).epsilon(2e-2));
      };
      for (Eigen::Index i = 0; i < layer.weights.rows(); ++i)
        for (Eigen::Index j = 0; j < layer.weights.cols(); ++j) check(layer.weights(i, j), g.weights(i, j));
      for (Eigen::Index j = 0; j < layer.bias.size(); ++j) check(layer.bias[j], g.bias[j]);
      // Only the decider's query and the attended roles' keys get a gradient.
      const bool used = (l == 0 && r == 1) || (l == 1 && (r == 0 || r == 2));
      if (!used) CHECK(g.weights.isZero(0.0f));
    }
  INFO("largest gradient " << largest);
  CHECK(largest > 1e-2);  // the check compared real gradients, not zeros
}

TEST_CASE("hrac: a batch decides bitwise as each decision alone, at 1, 2 and 4 threads, and is recorded", "[hrac]") {
  const ClusterSpec c = tiered_cluster();
  AgentSettings agents;
  agents.actor_critic.hidden_widths = {64, 160};  // inner dimension > 128: where plain GEMM rows differ by batch
  agents.actor_critic.hidden_activations = {nn::Activation::Tanh, nn::Activation::Relu};
  const std::size_t own_w = nn::hrac_observation_layout().own.size();

  // Each decision alone (a batch of one), on one thread.
  const int threads_before = omp_get_max_threads();
  omp_set_num_threads(1);
  DecisionLog alone = hrac_log();
  const LearnerLink alone_link{nullptr, {&alone, 1}, nullptr};
  const auto alone_policy = make_scheduling_policy("hrac", {"central", 11, &agents, &alone_link, &c});
  Decisions one_by_one(c);
  for (std::size_t i = 0; i < Decisions::kCount; ++i) {
    DecisionRequest r = one_by_one.request(i);
    alone_policy->decide({&r, 1});
  }
  REQUIRE(alone.decisions() == Decisions::kCount);
  REQUIRE(alone.role_names == std::vector<std::string>{"high", "medium", "low", "scheduler"});
  REQUIRE(alone.role_attention.size() == Decisions::kCount * 16);

  for (const int threads : {1, 2, 4}) {
    INFO("threads " << threads);
    omp_set_num_threads(threads);
    DecisionLog log = hrac_log();
    const LearnerLink link{nullptr, {&log, 1}, nullptr};
    const auto policy = make_scheduling_policy("hrac", {"central", 11, &agents, &link, &c});
    Decisions together(c);
    std::vector<DecisionRequest> requests;
    for (std::size_t i = 0; i < Decisions::kCount; ++i) requests.push_back(together.request(i));
    policy->decide(requests);
    REQUIRE(log.decisions() == Decisions::kCount);
    REQUIRE(log.role_attention.size() == 16);  // one batch: roles x roles
    REQUIRE(log.own.size() == alone.own.size());
    REQUIRE(log.candidates.size() == alone.candidates.size());
    for (std::size_t i = 0; i < Decisions::kCount; ++i) {
      INFO("decision " << i);
      REQUIRE(log.actions[i] == alone.actions[i]);
      CHECK(log.roles[i] == alone.roles[i]);
      CHECK(same_bits(log.log_probs[i], alone.log_probs[i]));
      CHECK(requests[i].chosen == requests[i].candidates[static_cast<std::size_t>(log.actions[i])]);
    }
    bool own_same = true, candidates_same = true;
    for (std::size_t k = 0; k < log.own.size(); ++k) own_same = own_same && same_bits(log.own[k], alone.own[k]);
    for (std::size_t k = 0; k < log.candidates.size(); ++k)
      candidates_same = candidates_same && same_bits(log.candidates[k], alone.candidates[k]);
    CHECK(own_same);
    CHECK(candidates_same);
  }
  omp_set_num_threads(threads_before);

  // The roles: the deciding node's tier, or the scheduler; every role decided, and the sampling
  // is live (not always the first candidate).
  const ClusterView v(c);
  std::vector<std::size_t> per_role(4, 0);
  std::size_t not_first = 0;
  for (std::size_t i = 0; i < Decisions::kCount; ++i) {
    const NodeId d = one_by_one.decider(i);
    CHECK(alone.roles[i] == (d == kNoNode ? 3 : d % 3));
    ++per_role[alone.roles[i]];
    not_first += alone.actions[i] != 0;
  }
  for (std::size_t n : per_role) CHECK(n >= 1);
  CHECK(not_first > 0);

  // The attention: in each decision's input (own, then attended), and per batch; a role's
  // weights over the other roles sum to 1 (every decision here sees another tier among its
  // candidates), the own role and the scheduler (never a candidate) get none.
  for (std::size_t i = 0; i < Decisions::kCount; ++i) {
    INFO("decision " << i);
    const std::size_t a = alone.roles[i];
    const float* w = alone.role_attention.data() + i * 16 + a * 4;
    CHECK(w[a] == 0.0f);
    CHECK(w[3] == 0.0f);
    CHECK(w[0] + w[1] + w[2] + w[3] == Approx(1.0f).epsilon(1e-5));
    float attended_sum = 0.0f;
    for (std::size_t f = 0; f < own_w / 2; ++f) attended_sum += std::abs(alone.own[i * own_w + own_w / 2 + f]);
    CHECK(attended_sum > 0.0f);
    for (std::size_t other = 0; other < 4; ++other)  // rows of roles that did not decide in this batch are 0
      if (other != a)
        for (std::size_t b = 0; b < 4; ++b) CHECK(alone.role_attention[i * 16 + other * 4 + b] == 0.0f);
  }
}

TEST_CASE("hrac: checkpoints hold every role by name and refuse other roles", "[hrac]") {
  AgentSettings agents;
  agents.actor_critic.hidden_widths = {32};
  const std::vector<std::string> roles{"high", "medium", "low", "scheduler"};
  const auto a = make_hrac_networks(agents, roles, 4);
  const auto b = make_hrac_networks(agents, roles, 5);
  // Shapes: own input doubled (10 own + 10 attended) plus 7 candidate features.
  CHECK(a->networks[0].actor_layers()[0].weights.rows() == 27);
  CHECK(a->networks[0].value_layers()[0].weights.rows() == 20);
  CHECK(a->attention[0][0].weights.rows() == 10);
  CHECK(a->attention[0][1].weights.cols() == kRoleAttentionWidth);
  // Roles differ from each other, and a role's weights do not depend on the other roles.
  CHECK(a->networks[0].actor_layers()[0].weights != a->networks[1].actor_layers()[0].weights);
  const auto just_low = make_hrac_networks(agents, {"low"}, 4);
  CHECK(just_low->networks[0].actor_layers()[0].weights == a->networks[2].actor_layers()[0].weights);
  CHECK(just_low->attention[0][1].weights == a->attention[2][1].weights);

  const std::string path = "/tmp/marlsim_hrac_policy_ckpt.h5";
  save_hrac_checkpoint(path, *b);
  agents.actor_critic.checkpoint = path;
  const auto loaded = make_hrac_networks(agents, roles, 4);
  for (std::size_t r = 0; r < roles.size(); ++r) {
    CHECK(loaded->networks[r].actor_layers()[0].weights == b->networks[r].actor_layers()[0].weights);
    CHECK(loaded->networks[r].value_layers().back().weights == b->networks[r].value_layers().back().weights);
    CHECK(loaded->attention[r][0].weights == b->attention[r][0].weights);
    CHECK(loaded->attention[r][1].weights == b->attention[r][1].weights);
  }
  // Through agents.checkpoint, the policy decides with the checkpoint's weights.
  const ClusterSpec c = tiered_cluster();
  const auto from_checkpoint = make_scheduling_policy("hrac", {"central", 4, &agents, nullptr, &c});
  const LearnerLink saved{nullptr, {}, b};
  const auto from_networks = make_scheduling_policy("hrac", {"central", 4, &agents, &saved, &c});
  Decisions x(c), y(c);
  for (std::size_t i = 0; i < Decisions::kCount; ++i) {
    DecisionRequest p = x.request(i), q = y.request(i);
    from_checkpoint->decide({&p, 1});
    from_networks->decide({&q, 1});
    CHECK(p.chosen == q.chosen);
  }

  // A checkpoint with other roles (decentralized topology: no scheduler) is refused naming both.
  try {
    make_hrac_networks(agents, {"high", "medium", "low"}, 4);
    FAIL("no InputError for other roles");
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK(what.find("[high,medium,low,scheduler] in the checkpoint") != std::string::npos);
    CHECK(what.find("[high,medium,low] in the scenario") != std::string::npos);
  }
  // decentralized-ac's checkpoint (one role, "agent", another layout) is refused too.
  nn::ActorCriticNetwork ac({10, 7, {32}, {nn::Activation::Relu}}, 1);
  nn::save_checkpoint(path, {{"agent", &ac}}, nn::decentralized_ac_observation_layout());
  CHECK_THROWS_AS(make_hrac_networks(agents, roles, 4), InputError);
  std::remove(path.c_str());
}

TEST_CASE("hrac: a non-finite input is reported with the role, the deciding agent and time", "[hrac]") {
  const ClusterSpec c = tiered_cluster();
  ClusterView v(c);
  load_view(v);
  v.edit_state(3).free_cores = std::numeric_limits<double>::quiet_NaN();
  const auto policy = make_scheduling_policy("hrac", {.role = "node-agent", .cluster = &c});
  RngStream rng(1, 1);
  DispatchContext ctx{from_seconds(2.5), 4, &rng};
  const TaskSpec t = task_of(1);
  const std::vector<NodeId> cands{1, 3, 5};
  CHECK_THROWS_WITH(policy->choose(t, cands, v, ctx), Catch::Contains("hrac role medium") &&
                                                          Catch::Contains("node 4, t = 2.5") &&
                                                          Catch::Contains("NaN or Inf"));
}

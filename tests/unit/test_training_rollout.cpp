// The trainer's view of episodes (engine/training/rollout): what a learned policy records,
// the rewards assigned from task outcomes, trajectories per agent and GAE over them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "agents/actor_critic_policy.hpp"
#include "agents/nn/observation_layout.hpp"
#include "engine/experiment/episode_inputs.hpp"
#include "engine/experiment/scenario.hpp"
#include "engine/training/rollout.hpp"

using namespace marlsim;

namespace {

// Three decisions by hand: agent 0 at 1 s (task 0), agent 1 at 2 s (task 1), agent 0 at 3 s
// (task 2); one own feature, one candidate feature, two candidates each, one global feature.
DecisionLog hand_log() {
  DecisionLog log;
  log.own_width = 1;
  log.candidate_width = 1;
  log.global_width = 1;
  log.own = {10, 20, 30};
  log.candidate_begin = {0, 2, 4, 6};
  log.candidates = {1, 2, 3, 4, 5, 6};
  log.actions = {1, 0, 1};
  log.log_probs = {-0.5f, -0.7f, -0.1f};
  log.tasks = {0, 1, 2};
  log.agents = {0, 1, 0};
  log.time_s = {1, 2, 3};
  log.global_state = {0, 1, 1};
  log.global_states = {-1, -2};
  return log;
}

// The hand log's three tasks, arriving at 0.5, 1.5 and 2.5 s.
std::vector<TaskSpec> hand_tasks() {
  std::vector<TaskSpec> t(3);
  for (std::size_t i = 0; i < 3; ++i) t[i].id = i, t[i].arrival_s = 0.5 + static_cast<double>(i);
  return t;
}

EpisodeResult hand_result(std::uint64_t incomplete) {
  EpisodeResult r;
  r.metrics.makespan_s = 20;
  r.metrics.incomplete = incomplete;
  TaskRecord t0, t1;
  t0.task = 0, t0.end = from_seconds(11);
  t1.task = 1, t1.end = from_seconds(5);
  r.tasks = {t0, t1};  // task 2 never finished
  return r;
}

}  // namespace

TEST_CASE(
    "rewards are minus the time from each decision to its task's end; each agent's last decision ends its "
    "trajectory",
    "[training]") {
  const ScoredEpisode e = score_episode(0, hand_log(), hand_result(0), hand_tasks(), 10.0);
  REQUIRE(e.rewards.size() == 3);
  CHECK(e.rewards[0] == Approx(-1.0));  // (11 - 1) / 10
  CHECK(e.rewards[1] == Approx(-0.3));  // (5 - 2) / 10
  CHECK(e.rewards[2] == Approx(-1.7));  // unfinished: up to the makespan, (20 - 3) / 10
  CHECK(e.terminals == std::vector<std::uint8_t>{0, 1, 1});
  CHECK(e.timeouts == std::vector<std::uint8_t>{0, 0, 0});

  // Cut by the time limit: the trajectories end in timeouts (bootstrapped), not terminals.
  const ScoredEpisode cut = score_episode(0, hand_log(), hand_result(1), hand_tasks(), 10.0);
  CHECK(cut.terminals == std::vector<std::uint8_t>{0, 0, 0});
  CHECK(cut.timeouts == std::vector<std::uint8_t>{0, 1, 1});
}

TEST_CASE("with a warm-up, decisions for tasks that arrived before it are simulated but not trained on", "[training]") {
  // Task 0 arrived at 0.5 s, before a 1 s warm-up: its decision goes; the others keep their
  // inputs, candidates and rewards, and agent 0's trajectory is its one decision left.
  const ScoredEpisode e = score_episode(0, hand_log(), hand_result(0), hand_tasks(), 10.0, 1.0);
  REQUIRE(e.log.decisions() == 2);
  CHECK(e.log.own == std::vector<float>{20, 30});
  CHECK(e.log.candidate_begin == std::vector<std::uint64_t>{0, 2, 4});
  CHECK(e.log.candidates == std::vector<float>{3, 4, 5, 6});
  CHECK(e.log.actions == std::vector<std::int32_t>{0, 1});
  CHECK(e.log.tasks == std::vector<std::uint64_t>{1, 2});
  CHECK(e.log.time_s == std::vector<double>{2, 3});
  CHECK(e.log.global_state == std::vector<std::uint32_t>{1, 1});
  CHECK(e.log.global_states == std::vector<float>{-1, -2});  // the table stays whole
  REQUIRE(e.rewards.size() == 2);
  CHECK(e.rewards[0] == Approx(-0.3));
  CHECK(e.rewards[1] == Approx(-1.7));
  CHECK(e.terminals == std::vector<std::uint8_t>{1, 1});
  // Up to the warm-up's own start nothing changes.
  CHECK(score_episode(0, hand_log(), hand_result(0), hand_tasks(), 10.0, 0.5).log.decisions() == 3);
}

TEST_CASE(
    "the rollout runs GAE per agent trajectory and joins the global state to the own observation for the "
    "critic",
    "[training]") {
  std::vector<ScoredEpisode> episodes;
  episodes.push_back(score_episode(0, hand_log(), hand_result(0), hand_tasks(), 10.0));
  episodes.push_back(score_episode(0, hand_log(), hand_result(0), hand_tasks(), 10.0));
  nn::RowMatrixF seen;
  const auto zero_critic = [&](const nn::RowMatrixF& x) {
    seen = x;
    return Eigen::VectorXf::Zero(x.rows()).eval();
  };
  const nn::ValueNorm norm;
  RolloutStats stats;
  const nn::GaeSettings gae{0.99f, 0.95f};
  const nn::PpoRollout r = build_rollout(episodes, zero_critic, norm, gae, stats);

  REQUIRE(stats.decisions == 6);
  CHECK(stats.trajectories == 4);
  CHECK(stats.reward_sum == Approx(2 * (-1.0 - 0.3 - 1.7)));
  REQUIRE(seen.rows() == 6);
  REQUIRE(seen.cols() == 2);
  CHECK(seen(0, 0) == -1);  // global state of cycle 0
  CHECK(seen(0, 1) == 10);  // own observation
  CHECK(seen(2, 0) == -2);
  CHECK(seen(5, 1) == 30);
  CHECK(r.decisions.offsets == std::vector<Eigen::Index>{0, 2, 4, 6, 8, 10, 12});
  CHECK(r.decisions.candidates(7, 0) == 2);  // second episode's first decision, second candidate
  CHECK(r.actions == std::vector<Eigen::Index>{1, 0, 1, 1, 0, 1});

  // Agent 0's trajectory is decisions 0 then 2; agent 1's is decision 1 alone. Values are 0.
  const float a2 = -1.7f, a1 = -0.3f, a0 = -1.0f + 0.99f * 0.95f * a2;
  for (int e = 0; e < 2; ++e) {
    CHECK(r.advantages[3 * e + 0] == Approx(a0));
    CHECK(r.advantages[3 * e + 1] == Approx(a1));
    CHECK(r.advantages[3 * e + 2] == Approx(a2));
  }
  CHECK(r.returns[0] == Approx(a0));  // return units: the caller normalises
}

TEST_CASE("a learned policy records every decision of an episode without changing it", "[training]") {
  const Scenario s = load_scenario(MARLSIM_SOURCE_DIR "/configs/seed-study-u80-ac.toml",
                                   {"workload.tasks=150", "agents.decision_period_s=1"});
  const ClusterSpec cluster = build_cluster(s, nullptr, 0);
  const std::vector<TaskSpec> tasks = build_tasks(s, cluster, nullptr, 3);
  const Communicator self(MPI_COMM_SELF);
  EpisodeInput input;
  input.settings = &s;
  input.cluster = &cluster;
  const TaskTable table = TaskTable::view(tasks, cluster);
  input.tasks = &table;
  input.policy = "decentralized-ac";
  input.episode = 3;
  const EpisodeResult plain = run_episode(self, input);

  DecisionLog log;
  log.own_width = nn::decentralized_ac_observation_layout().own.size();
  log.candidate_width = nn::decentralized_ac_observation_layout().candidate.size();
  const LearnerLink link{nullptr, {&log, 1}};
  const EpisodeResult logged = run_episode(self, input, &link);
  CHECK(logged.checksum == plain.checksum);
  CHECK(logged.metrics.mean_completion_s == plain.metrics.mean_completion_s);

  REQUIRE(log.decisions() == logged.metrics.decisions);
  REQUIRE(log.decisions() > 0);
  CHECK(log.cycles() == logged.metrics.decision_batches);
  CHECK(log.global_width == nn::decentralized_ac_observation_layout().global.size());
  CHECK(log.own.size() == log.decisions() * log.own_width);
  CHECK(log.candidates.size() == log.candidate_begin.back() * log.candidate_width);
  for (std::size_t d = 0; d < log.decisions(); ++d) {
    const auto k = static_cast<std::int32_t>(log.candidate_begin[d + 1] - log.candidate_begin[d]);
    CHECK(k > 0);
    CHECK(log.actions[d] >= 0);
    CHECK(log.actions[d] < k);
    CHECK(log.log_probs[d] <= 0.0f);
    CHECK(log.global_state[d] < log.cycles());
    CHECK(log.agents[d] < cluster.nodes.size());  // decentralized: a node decides
  }
  for (float g : log.global_states) CHECK(std::isfinite(g));
  // Cycles come in time order, and a cycle's decisions share its time.
  for (std::size_t d = 1; d < log.decisions(); ++d) CHECK(log.time_s[d] >= log.time_s[d - 1]);

  // Every deciding agent's trajectory ends once.
  const ScoredEpisode scored = score_episode(3, std::move(log), logged, tasks, 60.0);
  CHECK(std::count(scored.terminals.begin(), scored.terminals.end(), 1) > 1);
}

TEST_CASE("agents.mask_unfit: the rollout rebuilds the mask the policy sampled under, so the log-probs are exact",
          "[training]") {
  const Scenario s = load_scenario(MARLSIM_SOURCE_DIR "/configs/seed-study-u80-ac.toml",
                                   {"workload.tasks=150", "agents.decision_period_s=1", "agents.mask_unfit=true"});
  const ClusterSpec cluster = build_cluster(s, nullptr, 0);
  const std::vector<TaskSpec> tasks = build_tasks(s, cluster, nullptr, 3);
  const Communicator self(MPI_COMM_SELF);
  EpisodeInput input;
  input.settings = &s;
  input.cluster = &cluster;
  const TaskTable table = TaskTable::view(tasks, cluster);
  input.tasks = &table;
  input.policy = "decentralized-ac";
  input.episode = 3;
  DecisionLog log;
  log.own_width = nn::decentralized_ac_observation_layout().own.size();
  log.candidate_width = nn::decentralized_ac_observation_layout().candidate.size();
  const auto network = make_actor_critic_network(s.agents.actor_critic, s.run.seed);
  const LearnerLink link{network, std::span<DecisionLog>(&log, 1)};
  const EpisodeResult result = run_episode(self, input, &link);
  REQUIRE(log.decisions() > 0);
  std::vector<ScoredEpisode> episodes;
  episodes.push_back(score_episode(3, std::move(log), result, tasks, 60.0));
  const auto zero_critic = [](const nn::RowMatrixF& x) { return Eigen::VectorXf::Zero(x.rows()).eval(); };
  const nn::ValueNorm norm;
  RolloutStats stats;
  const nn::PpoRollout masked = build_rollout(episodes, zero_critic, norm, {0.99f, 0.95f}, stats, 1.0, true);
  const nn::PpoRollout open = build_rollout(episodes, zero_critic, norm, {0.99f, 0.95f}, stats, 1.0, false);
  CHECK(open.decisions.masked.empty());
  REQUIRE(masked.decisions.masked.size() == static_cast<std::size_t>(masked.decisions.candidates.rows()));

  // The update's distribution is the one that acted: every logged log-prob recomputed (to float
  // rounding: the trainer's categorical sums in its own order) under the rebuilt mask, no action
  // on a masked candidate; without the mask they are lower wherever the mask removed candidates.
  const nn::DecisionOutputs again = network->forward(masked.decisions);
  const nn::DecisionOutputs unmasked = network->forward(open.decisions);
  std::size_t decisions_masked = 0;
  for (std::size_t d = 0; d + 1 < masked.decisions.offsets.size(); ++d) {
    const Eigen::Index row = masked.decisions.offsets[d] + masked.actions[d];
    const float logged = masked.old_log_probs[static_cast<Eigen::Index>(d)];
    INFO("decision " << d);
    CHECK(masked.decisions.masked[static_cast<std::size_t>(row)] == 0);
    CHECK(std::log(again.probabilities[row]) == Approx(logged).margin(1e-5));
    bool any = false;
    for (Eigen::Index i = masked.decisions.offsets[d]; i < masked.decisions.offsets[d + 1]; ++i)
      any |= masked.decisions.masked[static_cast<std::size_t>(i)] != 0;
    if (any) {
      ++decisions_masked;
      CHECK(std::log(unmasked.probabilities[row]) < logged - 1e-3f);
    }
  }
  CHECK(decisions_masked > 0);

  // The PPO update sees ratio 1 before its first step with the mask (KL ~0, nothing clipped),
  // and not without it.
  const auto first_step = [&](const nn::PpoRollout& r) {
    nn::ActorCriticNetwork actor = *network;
    nn::CentralCritic critic(r.global_states.cols(), {8}, {nn::Activation::Relu}, 1);
    nn::PpoSettings settings;
    settings.epochs = 1;
    settings.minibatch = static_cast<Eigen::Index>(r.actions.size());
    nn::PpoTrainer trainer(actor, critic, settings);
    return trainer.update(r, 1, [](std::span<float>) {});
  };
  const nn::PpoStats same = first_step(masked), other = first_step(open);
  CHECK(std::abs(same.approx_kl) < 1e-6);
  CHECK(same.clip_fraction == 0);
  CHECK(other.approx_kl > 1e-3);
}

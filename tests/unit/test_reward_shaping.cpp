// Local-global reward shaping (engine/training/reward_shaping): the formula on hand-computed
// numbers, alone and between the rollout's critic evaluation and GAE.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "engine/training/reward_shaping.hpp"
#include "engine/training/rollout.hpp"

using namespace marlsim;

TEST_CASE("shaping mixes the local reward with the critic's change of value", "[training]") {
  std::vector<float> r{-1.0f, -0.3f, -1.7f};
  const std::vector<float> v{2, 4, 6}, next{6, 0, 0};
  shape_rewards(r, v, next, 0.5);
  CHECK(r[0] == Approx(0.5 * -1.0 + 0.5 * (6 - 2)));  // 1.5
  CHECK(r[1] == Approx(-2.15));                       // -0.15 + 0.5 * (0 - 4)
  CHECK(r[2] == Approx(-3.85));                       // -0.85 + 0.5 * (0 - 6)

  std::vector<float> global{-1.0f, -0.3f, -1.7f};
  shape_rewards(global, v, next, 0.0);  // the global term alone
  CHECK(global == std::vector<float>{4, -4, -6});

  std::vector<float> same{-1.0f, -0.3f, -1.7f};
  shape_rewards(same, v, next, 1.0);  // no shaping: untouched
  CHECK(same == std::vector<float>{-1.0f, -0.3f, -1.7f});

  CHECK_THROWS_AS(shape_rewards(same, v, next, 1.5), std::invalid_argument);
  CHECK_THROWS_AS(shape_rewards(same, v, std::vector<float>{0, 0}, 0.5), std::invalid_argument);
}

TEST_CASE("the rollout shapes rewards with denormalised values before GAE, and reports the unshaped return",
          "[training]") {
  // Agent 0 decides at 1 s (task 0, ends 11 s) and 3 s (task 2, unfinished at the 20 s stop);
  // agent 1 at 2 s (task 1, ends 5 s). Rewards in 10 s units: -1, -0.3, -1.7.
  DecisionLog log;
  log.own_width = 1, log.candidate_width = 1, log.global_width = 1;
  log.own = {1, 2, 3};
  log.candidate_begin = {0, 1, 2, 3};
  log.candidates = {0, 0, 0};
  log.actions = {0, 0, 0};
  log.log_probs = {0, 0, 0};
  log.tasks = {0, 1, 2};
  log.agents = {0, 1, 0};
  log.time_s = {1, 2, 3};
  log.global_state = {0, 0, 0};
  log.global_states = {0};
  EpisodeResult result;
  result.metrics.makespan_s = 20;
  TaskRecord t0, t1;
  t0.task = 0, t0.end = from_seconds(11);
  t1.task = 1, t1.end = from_seconds(5);
  result.tasks = {t0, t1};
  const std::vector<TaskSpec> tasks(3);  // arrival times matter only with a warm-up
  const std::vector<ScoredEpisode> episodes{score_episode(0, log, result, tasks, 10.0)};

  // The critic outputs the own feature (normalised units); the value normalisation has mean 1
  // and variance 4 (mean_sq 5), so the values in return units are 2 y + 1: 3, 5, 7.
  const auto critic = [](const nn::RowMatrixF& x) { return Eigen::VectorXf(x.col(1)); };
  nn::ValueNorm norm;
  norm.running_mean = 1, norm.running_mean_sq = 5, norm.debiasing_term = 1;
  const nn::GaeSettings one_step{1.0f, 0.0f};  // advantage = r' + V(next) - V
  RolloutStats stats;
  const nn::PpoRollout r = build_rollout(episodes, critic, norm, one_step, stats, 0.5);
  // r'0 = 0.5 (-1) + 0.5 (7 - 3) = 1.5 (agent 0's next decision is decision 2, V 7);
  // r'1 = 0.5 (-0.3) + 0.5 (0 - 5) = -2.65 (terminal); r'2 = 0.5 (-1.7) + 0.5 (0 - 7) = -4.35.
  CHECK(r.advantages[0] == Approx(1.5 + 7 - 3));
  CHECK(r.advantages[1] == Approx(-2.65 - 5));
  CHECK(r.advantages[2] == Approx(-4.35 - 7));
  CHECK(stats.reward_sum == Approx(-3.0));  // unshaped
  CHECK(stats.values == std::vector<float>{3, 5, 7});

  RolloutStats plain_stats;
  const nn::PpoRollout plain = build_rollout(episodes, critic, norm, one_step, plain_stats);  // lambda 1
  CHECK(plain.advantages[0] == Approx(-1.0 + 7 - 3));
  CHECK(plain.advantages[1] == Approx(-0.3 - 5));
}

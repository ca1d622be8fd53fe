// hrac's local-global reward shaping parts on hand-computed numbers: the node-wait local reward
// (engine/training/local_reward), the shaping along each agent's trajectory
// (engine/training/reward_shaping), and the global value estimator's targets and fit
// (engine/training/global_critic).
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "engine/support/input_error.hpp"
#include "engine/training/global_critic.hpp"
#include "engine/training/local_reward.hpp"
#include "engine/training/reward_shaping.hpp"
#include "engine/training/role_attention_stats.hpp"

using namespace marlsim;

namespace {

TaskRecord record(std::uint64_t task, NodeId node, double ready, double start, double end) {
  TaskRecord t;
  t.task = task, t.node = node, t.ready = from_seconds(ready), t.start = from_seconds(start), t.end = from_seconds(end);
  return t;
}

}  // namespace

TEST_CASE("node-wait rewards an agent by its own node's queueing between its decisions", "[training][shaping]") {
  // Node 0 decides at 1 s and 6 s, node 1 at 2 s; the episode stops at 20 s.
  DecisionLog log;
  log.agents = {0, 1, 0};
  log.time_s = {1, 2, 6};
  log.actions = {0, 0, 0};
  EpisodeResult result;
  result.metrics.makespan_s = 20;
  // Node 0's queue: task 0 waits [0, 3), task 1 [4, 8). Node 1's: task 2 waits [10, 12); task 3
  // starts at once (no wait).
  result.tasks = {record(0, 0, 0, 3, 9), record(1, 0, 4, 8, 15), record(2, 1, 10, 12, 14), record(3, 1, 2, 2, 5)};
  const std::vector<float> r = node_wait_rewards(log, result, 10.0);
  REQUIRE(r.size() == 3);
  CHECK(r[0] == Approx(-(2.0 + 2.0) / 10));  // [1, 6): task 0 waits 1-3, task 1 waits 4-6
  CHECK(r[1] == Approx(-2.0 / 10));          // [2, 20): only task 2, on node 1; where node 1 sent work is irrelevant
  CHECK(r[2] == Approx(-2.0 / 10));          // [6, 20): task 1 waits 6-8

  // A central scheduler (kNoNode) owns every node's queue.
  log.agents = {kNoNode, kNoNode, kNoNode};
  const std::vector<float> s = node_wait_rewards(log, result, 1.0);
  CHECK(s[0] == Approx(-(1.0 + 0.0)));  // [1, 2): task 0 waits 1-2
  CHECK(s[1] == Approx(-(1.0 + 2.0)));  // [2, 6): task 0 2-3, task 1 4-6
  CHECK(s[2] == Approx(-(2.0 + 2.0)));  // [6, 20): task 1 6-8, task 2 10-12

  CHECK(parse_local_reward("node-wait", "--local-reward") == LocalReward::NodeWait);
  CHECK(local_reward_name(LocalReward::Task) == "task");
  CHECK_THROWS_AS(parse_local_reward("utilisation", "--local-reward"), InputError);
}

TEST_CASE("episode shaping takes V(S') from the same agent's next decision", "[training][shaping]") {
  // Agents 0, 1, 0, 1; agent 0's second decision is terminal, agent 1's second a timeout.
  std::vector<float> r{1, 2, 3, 4};
  const std::vector<NodeId> agents{0, 1, 0, 1};
  const std::vector<float> v{10, 20, 40, 70};
  const std::vector<std::uint8_t> terminals{0, 0, 1, 0}, timeouts{0, 0, 0, 1};
  shape_episode_rewards(r, agents, v, terminals, timeouts, 0.5);
  CHECK(r[0] == Approx(0.5 * 1 + 0.5 * (40 - 10)));  // next: agent 0's decision 2
  CHECK(r[1] == Approx(0.5 * 2 + 0.5 * (70 - 20)));  // next: agent 1's decision 3
  CHECK(r[2] == Approx(0.5 * 3 + 0.5 * (0 - 40)));   // terminal: V(S') = 0
  CHECK(r[3] == Approx(0.5 * 4));                    // timeout: V(S') = V(S), no global term
  CHECK_THROWS_AS(shape_episode_rewards(r, agents, std::vector<float>{1}, terminals, timeouts, 0.5),
                  std::invalid_argument);
}

TEST_CASE("the global estimator's targets are the discounted returns of the cycles' summed rewards",
          "[training][shaping]") {
  DecisionLog log;
  log.global_width = 1;
  log.global_states = {0.5f, 1.5f, 2.5f};  // three cycles
  log.actions = {0, 0, 0, 0};
  log.global_state = {0, 0, 2, 2};  // cycle 1 kept no decision (e.g. warm-up)
  const std::vector<float> rewards{-1, -2, -4, -0.5f};
  const std::vector<float> g = cycle_returns(log, rewards, 0.5);
  REQUIRE(g.size() == 3);
  CHECK(g[2] == Approx(-4.5));
  CHECK(g[1] == Approx(0 + 0.5 * -4.5));
  CHECK(g[0] == Approx(-3 + 0.5 * g[1]));
  const nn::RowMatrixF x = cycle_states(log);
  CHECK(x.rows() == 3);
  CHECK(x(2, 0) == 2.5f);
}

TEST_CASE("the global estimator learns V of the global state and resumes exactly", "[training][shaping]") {
  // Target: the return is -3 x the first feature (a "backlog"), plus the second feature.
  const Communicator self(MPI_COMM_SELF);
  nn::PpoSettings s;
  s.minibatch = 64, s.epochs = 4;
  s.adam.learning_rate = 3e-3f;
  nn::RowMatrixF x(256, 2);
  std::vector<float> y(256);
  for (Eigen::Index i = 0; i < 256; ++i) {
    x(i, 0) = static_cast<float>(i % 16) / 16, x(i, 1) = static_cast<float>(i / 16) / 16;
    y[static_cast<std::size_t>(i)] = -3 * x(i, 0) + x(i, 1);
  }
  GlobalCritic critic(2, {32}, s, 7);
  const auto error = [&](const GlobalCritic& c) {
    const Eigen::VectorXf v = c.values(x);
    double e = 0;
    for (Eigen::Index i = 0; i < 256; ++i) e += std::abs(v(i) - y[static_cast<std::size_t>(i)]);
    return e / 256;
  };
  double first = 0, last = 0;
  for (int it = 0; it < 40; ++it) {
    const double loss = critic.fit(self, x, y, static_cast<std::uint64_t>(it));
    if (it == 0) first = loss;
    last = loss;
  }
  CHECK(last < first / 10);
  CHECK(error(critic) < 0.15);  // values in return units (denormalised), mean |y| = 1.0

  // A copy of the state continues to the same bits.
  GlobalCritic copy(2, {32}, s, 99);
  copy.layers() = critic.layers();
  copy.set_optimizer_state(critic.optimizer_state());
  copy.norm() = critic.norm();
  critic.fit(self, x, y, 1234);
  copy.fit(self, x, y, 1234);
  CHECK(copy.values(x) == critic.values(x));
}

TEST_CASE("the role attention metric counts only the cycles of decisions kept for training", "[training][hrac]") {
  // Two roles, three cycles. Cycle 0's decision (role 0) was a warm-up one and dropped by
  // score_episode; cycle 1 has kept decisions of both roles; cycle 2 one of role 1.
  DecisionLog log;
  log.global_width = 1;
  log.global_states = {0, 0, 0};
  log.role_attention = {0, 1, 0, 0,  // cycle 0: role 0 attended role 1 (warm-up)
                        0, 1, 1, 0,  // cycle 1
                        0, 0, 1, 0};
  log.actions = {0, 0, 0};
  log.global_state = {1, 1, 2};
  log.roles = {0, 1, 1};
  std::vector<double> sum(4, 0.0), cycles(2, 0.0);
  add_role_attention(log, 2, sum, cycles);
  CHECK(cycles == std::vector<double>{1, 2});  // role 0: cycle 1 only, not the warm-up cycle 0
  CHECK(sum == std::vector<double>{0, 1, 2, 0});
  add_role_attention(DecisionLog{}, 2, sum, cycles);  // no role attention: nothing
  CHECK(cycles == std::vector<double>{1, 2});
}

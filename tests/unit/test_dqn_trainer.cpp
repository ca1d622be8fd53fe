// The DQN trainer (agents/nn/dqn_trainer.hpp): the gradient of the Huber TD loss through the
// scorer matches central finite differences of an independent double-precision forward; the
// target network follows the online one only every target_period steps; replay data and the
// trainer's state round-trip, and a trainer restored from state() continues bit for bit.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "agents/nn/dqn_trainer.hpp"
#include "double_mlp_reference.hpp"
#include "engine/support/rng.hpp"

using namespace marlsim;
using namespace marlsim::nn;

namespace {

// 40 decisions of 1-5 candidates; own 3, candidate 4; chains of 8 decisions ending terminal.
ReplayData random_replay(std::uint64_t seed) {
  RngStream rng(seed, 1, 1);
  ReplayData r;
  r.own_width = 3;
  r.candidate_width = 4;
  for (int d = 0; d < 40; ++d) {
    for (int j = 0; j < 3; ++j) r.own.push_back(static_cast<float>(rng.uniform(-1, 1)));
    const auto k = 1 + rng.below(5);
    for (std::uint64_t c = 0; c < k * 4; ++c) r.candidates.push_back(static_cast<float>(rng.uniform(-1, 1)));
    r.candidate_begin.push_back(r.candidate_begin.back() + k);
    r.actions.push_back(static_cast<std::int32_t>(rng.below(k)));
    r.rewards.push_back(static_cast<float>(rng.uniform(-3, 0)));
    r.next.push_back(d % 8 == 7 ? -1 : d + 1);
  }
  return r;
}

std::vector<DenseLayer> scorer(std::uint64_t seed) {
  return make_mlp(7, {16, 8}, {Activation::Tanh, Activation::Tanh}, 1, seed, 0);
}

double huber_d(double e, double delta) {
  const double a = std::abs(e);
  return a <= delta ? 0.5 * e * e : delta * (a - 0.5 * delta);
}

}  // namespace

TEST_CASE("dqn: the TD loss gradient matches finite differences", "[dqn][gradients]") {
  const ReplayData replay = random_replay(3);
  std::vector<DenseLayer> online = scorer(5);
  DqnSettings settings;
  settings.minibatch = 16;
  settings.huber_delta = 0.5f;  // both branches of the Huber loss occur
  settings.max_grad_norm = 1e9f;
  DqnTrainer trainer(online, settings);
  const std::vector<std::size_t> rows = trainer.minibatch_rows(replay.size(), 11);
  const Eigen::VectorXf y = trainer.targets(replay, rows);
  const std::vector<DenseLayer> before = online;

  std::vector<float> grad;
  trainer.train(replay, 1, 11, [&](std::span<float> g) { grad.assign(g.begin(), g.end()); });

  // The loss in double of the parameters `layers`, on the same rows and targets.
  const auto loss = [&](const std::vector<test::LayerD>& layers) {
    double sum = 0;
    RowMatrixF one;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      joined_rows(replay, rows[i], one);
      const test::RowMatrixD x = one.row(replay.actions[rows[i]]).cast<double>();
      sum += huber_d(test::forward_double(layers, x)(0, 0) - y[static_cast<Eigen::Index>(i)], settings.huber_delta);
    }
    return sum / static_cast<double>(rows.size());
  };
  std::vector<test::LayerD> d = test::to_double(before);
  std::size_t offset = 0;
  int checked = 0;
  for (std::size_t l = 0; l < d.size(); ++l) {
    for (auto* m : {&d[l].w, &d[l].b}) {
      for (Eigen::Index k = 0; k < m->size(); ++k) {
        const double h = 1e-6, keep = m->data()[k];
        m->data()[k] = keep + h;
        const double up = loss(d);
        m->data()[k] = keep - h;
        const double down = loss(d);
        m->data()[k] = keep;
        const double numeric = (up - down) / (2 * h);
        const double analytic = grad[offset + static_cast<std::size_t>(k)];
        INFO("layer " << l << " parameter " << k);
        REQUIRE(analytic == Approx(numeric).margin(2e-5).epsilon(2e-3));
        ++checked;
      }
      offset += static_cast<std::size_t>(m->size());
    }
  }
  REQUIRE(checked > 100);
  const double huber_grad = grad[offset];  // the averaged buffer carries the loss after the gradients
  REQUIRE(huber_grad == Approx(loss(test::to_double(before))).epsilon(1e-4));
}

TEST_CASE("dqn: the Huber loss and its derivative", "[dqn][gradients]") {
  Eigen::VectorXf q(4), y(4), d;
  q << 0.2f, -3.0f, 1.5f, 0.0f;
  y << 0.0f, 0.0f, 0.0f, 0.4f;
  const double l = DqnTrainer::huber_loss(q, y, 1.0f, d);
  REQUIRE(l == Approx((0.5 * 0.04 + 2.5 + 1.0 + 0.5 * 0.16) / 4).epsilon(1e-6));
  REQUIRE(d[0] == Approx(0.05f));
  REQUIRE(d[1] == Approx(-0.25f));
  REQUIRE(d[2] == Approx(0.25f));
  REQUIRE(d[3] == Approx(-0.1f));
}

TEST_CASE("dqn: the target network follows every target_period steps", "[dqn]") {
  const ReplayData replay = random_replay(4);
  std::vector<DenseLayer> online = scorer(6);
  DqnSettings settings;
  settings.target_period = 3;
  DqnTrainer trainer(online, settings);
  const auto none = [](std::span<float>) {};
  const RowMatrixF start = trainer.target()[0].weights;
  trainer.train(replay, 2, 1, none);
  REQUIRE(trainer.target()[0].weights == start);
  REQUIRE(online[0].weights != start);
  trainer.train(replay, 1, 1, none);
  REQUIRE(trainer.target()[0].weights == online[0].weights);
}

TEST_CASE("dqn: replay and trainer state round-trip, and a restored trainer continues bit for bit", "[dqn]") {
  ReplayData replay = random_replay(7);
  ReplayData twice = replay;
  twice.append(replay);
  REQUIRE(twice.size() == 80);
  REQUIRE(twice.next[47] == -1);
  REQUIRE(twice.next[40] == 41);
  const ReplayData back = ReplayData::from_doubles(twice.to_doubles());
  REQUIRE(back.own == twice.own);
  REQUIRE(back.candidates == twice.candidates);
  REQUIRE(back.next == twice.next);
  REQUIRE(back.rewards == twice.rewards);
  std::vector<double> torn = twice.to_doubles();
  torn.pop_back();
  REQUIRE_THROWS_AS(ReplayData::from_doubles(torn), std::invalid_argument);

  const auto none = [](std::span<float>) {};
  DqnSettings settings;
  settings.target_period = 4;
  std::vector<DenseLayer> a = scorer(8);
  DqnTrainer ta(a, settings);
  ta.train(twice, 5, 2, none);
  std::vector<DenseLayer> b = a;  // the weights a checkpoint holds
  DqnTrainer tb(b, settings);
  tb.restore(ta.state());
  ta.train(twice, 6, 2, none);
  tb.train(twice, 6, 2, none);
  for (std::size_t l = 0; l < a.size(); ++l) {
    REQUIRE(std::memcmp(a[l].weights.data(), b[l].weights.data(), sizeof(float) * a[l].weights.size()) == 0);
    REQUIRE(std::memcmp(a[l].bias.data(), b[l].bias.data(), sizeof(float) * a[l].bias.size()) == 0);
  }
}

TEST_CASE("dqn: n-step targets sum the agent's next rewards and bootstrap n decisions on, cut at a terminal", "[dqn]") {
  const ReplayData replay = random_replay(4);
  std::vector<DenseLayer> online = scorer(6);
  DqnSettings settings;
  settings.gamma = 0.8f;
  settings.n_step = 3;
  const DqnTrainer trainer(online, settings);
  // The target network's best Q at decision d, by hand.
  const auto best_q = [&](std::size_t d) {
    RowMatrixF one;
    joined_rows(replay, d, one);
    return mlp_output(trainer.target(), std::move(one)).col(0).maxCoeff();
  };
  // Chains are decisions 8c..8c+7 (7 terminal): 0 bootstraps from 3; 5 sums 5, 6, 7 and stops.
  const std::vector<std::size_t> rows{0, 5, 6};
  const Eigen::VectorXf y = trainer.targets(replay, rows);
  const auto& r = replay.rewards;
  const float g = settings.gamma;
  CHECK(y[0] == Approx(r[0] + g * r[1] + g * g * r[2] + g * g * g * best_q(3)).epsilon(1e-5));
  CHECK(y[1] == Approx(r[5] + g * r[6] + g * g * r[7]).epsilon(1e-5));
  CHECK(y[2] == Approx(r[6] + g * r[7]).epsilon(1e-5));
  // n_step = 1 is one-step Q-learning.
  settings.n_step = 1;
  const DqnTrainer one_step(online, settings);
  const Eigen::VectorXf y1 = one_step.targets(replay, rows);
  CHECK(y1[0] == Approx(r[0] + g * best_q(1)).epsilon(1e-5));
  CHECK(y1[2] == Approx(r[6] + g * best_q(7)).epsilon(1e-5));
}

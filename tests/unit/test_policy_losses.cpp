// The policy-gradient losses (agents/nn/categorical.hpp, ppo_clip_loss.hpp, value_loss.hpp) in
// double against central finite differences on random shapes, the actor's whole loss chain
// (scores -> masked categorical -> PPO + entropy bonus) included; GAE (gae.hpp) and ValueNorm
// (value_norm.hpp) against hand-computed examples.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "agents/nn/categorical.hpp"
#include "agents/nn/gae.hpp"
#include "agents/nn/ppo_clip_loss.hpp"
#include "agents/nn/value_loss.hpp"
#include "agents/nn/value_norm.hpp"

using namespace marlsim::nn;
using Eigen::Index;

namespace {

// In double with step 1e-6 the central difference is accurate to ~1e-9 on these smooth
// functions; 1e-6 (relative above 1) leaves room and still catches any wrong term.
constexpr double kTolerance = 1e-6;

template <class Loss>
void check_gradient(Eigen::Ref<Eigen::VectorXd> p, const Eigen::VectorXd& analytic, Loss loss, const char* what) {
  INFO(what);
  REQUIRE(analytic.size() == p.size());
  for (Index i = 0; i < p.size(); ++i) {
    const double saved = p(i), h = 1e-6;
    p(i) = saved + h;
    const double up = loss();
    p(i) = saved - h;
    const double down = loss();
    p(i) = saved;
    const double numeric = (up - down) / (2 * h);
    INFO("entry " << i << ": analytic " << analytic(i) << ", finite difference " << numeric);
    REQUIRE(std::abs(analytic(i) - numeric) <= kTolerance * (1 + std::abs(numeric)));
  }
}

struct Candidates {
  RowMatrix<double> scores;
  CandidateMask mask;
  Eigen::VectorXi actions;
};

// n samples of k candidates, about a quarter masked (never all of a row), actions valid.
Candidates random_candidates(Index n, Index k, std::mt19937& gen) {
  std::uniform_real_distribution<double> u(-2, 2);
  std::bernoulli_distribution masked(0.25);
  Candidates c{RowMatrix<double>(n, k), CandidateMask(n, k), Eigen::VectorXi(n)};
  for (Index i = 0; i < n; ++i) {
    std::vector<int> valid;
    for (Index j = 0; j < k; ++j) {
      c.scores(i, j) = u(gen);
      c.mask(i, j) = j == 0 || !masked(gen);
      if (c.mask(i, j)) valid.push_back(static_cast<int>(j));
    }
    c.actions(i) = valid[std::uniform_int_distribution<std::size_t>(0, valid.size() - 1)(gen)];
  }
  return c;
}

Eigen::VectorXd random_vector(Index n, std::mt19937& gen, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  Eigen::VectorXd v(n);
  for (Index i = 0; i < n; ++i) v(i) = u(gen);
  return v;
}

}  // namespace

TEST_CASE("categorical: log-prob and entropy gradients w.r.t. masked scores match finite differences", "[gradients]") {
  std::mt19937 gen(21);
  for (int trial = 0; trial < 5; ++trial) {
    const Index n = std::uniform_int_distribution<Index>(1, 30)(gen),
                k = std::uniform_int_distribution<Index>(1, 17)(gen);
    INFO(n << " samples x " << k << " candidates");
    Candidates c = random_candidates(n, k, gen);
    // L = sum_i a_i log p_{i,a_i} + b_i H_i with random weights a, b.
    const Eigen::VectorXd a = random_vector(n, gen, -1, 1), b = random_vector(n, gen, -1, 1);
    const auto dist = masked_categorical(c.scores, c.mask);
    const RowMatrix<double> d_scores = masked_categorical_backward(dist, c.mask, c.actions, a, b);
    const auto loss = [&] {
      const auto d = masked_categorical(c.scores, c.mask);
      return a.dot(action_log_probs(d, c.actions)) + b.dot(d.entropy);
    };
    Eigen::Map<Eigen::VectorXd> flat(c.scores.data(), c.scores.size());
    check_gradient(flat, Eigen::Map<const Eigen::VectorXd>(d_scores.data(), d_scores.size()), loss, "d scores");
    for (Index i = 0; i < n; ++i) {
      double total = 0;
      for (Index j = 0; j < k; ++j) {
        if (!c.mask(i, j)) CHECK(d_scores(i, j) == 0.0);  // masked candidates get no gradient
        if (c.mask(i, j)) total += std::exp(dist.log_probs(i, j));
      }
      CHECK(total == Approx(1.0).epsilon(1e-12));
    }
  }
}

TEST_CASE("categorical: a sample without a valid candidate or an action on a masked one is refused", "[gradients]") {
  RowMatrix<float> scores = RowMatrix<float>::Zero(2, 3);
  CandidateMask mask(2, 3);
  mask << true, false, true, false, false, false;
  CHECK_THROWS_AS(masked_categorical(scores, mask), std::invalid_argument);
  mask(1, 2) = true;
  const auto d = masked_categorical(scores, mask);
  CHECK(d.log_probs(0, 0) == Approx(std::log(0.5f)));
  Eigen::VectorXi actions(2);
  actions << 1, 2;
  const Vector<float> ones = Vector<float>::Ones(2);
  CHECK_THROWS_AS(masked_categorical_backward(d, mask, actions, ones, ones), std::invalid_argument);
}

TEST_CASE("PPO clipped surrogate: gradient w.r.t. log-probs matches finite differences, clipped ones get none",
          "[gradients]") {
  std::mt19937 gen(8);
  for (int trial = 0; trial < 5; ++trial) {
    const Index n = std::uniform_int_distribution<Index>(20, 200)(gen);
    const Eigen::VectorXd old_log_prob = random_vector(n, gen, -3, -0.1);
    Eigen::VectorXd log_prob = old_log_prob + random_vector(n, gen, -0.5, 0.5);
    const Eigen::VectorXd advantages = random_vector(n, gen, -2, 2);
    const double eps = 0.2;
    const auto result = ppo_clip_loss(log_prob, old_log_prob, advantages, eps);
    // Both branches are exercised.
    CHECK(result.clip_fraction > 0.1);
    CHECK(result.clip_fraction < 0.9);
    check_gradient(
        log_prob, result.d_log_prob, [&] { return ppo_clip_loss(log_prob, old_log_prob, advantages, eps).loss; },
        "d log_prob");
    CHECK(result.approx_kl == Approx((old_log_prob - log_prob).mean()));
  }
  // Hand-computed, eps 0.2, N = 4: ratio 1.5 with A = 1 is clipped (min(1.5, 1.2) = 1.2, no
  // gradient); with A = -1 it is not (min(-1.5, -1.2) = -1.5, gradient 1.5 / 4); ratio 0.5 with
  // A = 1 is not (min(0.5, 0.8) = 0.5, gradient -0.5 / 4); with A = -1 it is (min(-0.5, -0.8)).
  // Loss = -(1.2 - 1.5 + 0.5 - 0.8) / 4 = 0.15.
  Vector<double> ratio_log(4), old_zero = Vector<double>::Zero(4), signs(4);
  ratio_log << std::log(1.5), std::log(1.5), std::log(0.5), std::log(0.5);
  signs << 1, -1, 1, -1;
  const auto hand = ppo_clip_loss(ratio_log, old_zero, signs, 0.2);
  CHECK(hand.loss == Approx(0.15));
  CHECK(hand.d_log_prob(0) == 0.0);
  CHECK(hand.d_log_prob(1) == Approx(0.375));
  CHECK(hand.d_log_prob(2) == Approx(-0.125));
  CHECK(hand.d_log_prob(3) == 0.0);
  CHECK(hand.clip_fraction == Approx(0.5));
  // At ratio 1 the loss is -mean(A) and the gradient -A/N.
  Vector<float> zero = Vector<float>::Zero(2), adv(2);
  adv << 1.0f, -3.0f;
  const auto at_one = ppo_clip_loss(zero, zero, adv, 0.2f);
  CHECK(at_one.loss == Approx(1.0f));
  CHECK(at_one.d_log_prob(0) == Approx(-0.5f));
  CHECK(at_one.d_log_prob(1) == Approx(1.5f));
}

TEST_CASE("actor loss chain: scores -> masked categorical -> PPO + entropy bonus matches finite differences",
          "[gradients]") {
  std::mt19937 gen(31);
  const Index n = 40, k = 16;
  Candidates c = random_candidates(n, k, gen);
  const double eps = 0.2, entropy_coef = 0.01;
  // Old log-probs from slightly different scores, so that some ratios leave the clip range.
  RowMatrix<double> old_scores = c.scores;
  for (Index i = 0; i < old_scores.size(); ++i) old_scores.data()[i] += random_vector(1, gen, -0.6, 0.6)(0);
  const Eigen::VectorXd old_log_prob = action_log_probs(masked_categorical(old_scores, c.mask), c.actions);
  const Eigen::VectorXd advantages = random_vector(n, gen, -1, 1);
  // L = ppo_clip_loss - entropy_coef * mean(H)
  const auto loss = [&] {
    const auto d = masked_categorical(c.scores, c.mask);
    return ppo_clip_loss(Eigen::VectorXd(action_log_probs(d, c.actions)), old_log_prob, advantages, eps).loss -
           entropy_coef * d.entropy.mean();
  };
  const auto d = masked_categorical(c.scores, c.mask);
  const auto ppo = ppo_clip_loss(Eigen::VectorXd(action_log_probs(d, c.actions)), old_log_prob, advantages, eps);
  CHECK(ppo.clip_fraction > 0);
  const Eigen::VectorXd d_entropy = Eigen::VectorXd::Constant(n, -entropy_coef / static_cast<double>(n));
  const RowMatrix<double> d_scores = masked_categorical_backward(d, c.mask, c.actions, ppo.d_log_prob, d_entropy);
  Eigen::Map<Eigen::VectorXd> flat(c.scores.data(), c.scores.size());
  check_gradient(flat, Eigen::Map<const Eigen::VectorXd>(d_scores.data(), d_scores.size()), loss, "d scores");
}

TEST_CASE("value loss: plain and MAPPO-clipped MSE gradients match finite differences", "[gradients]") {
  std::mt19937 gen(4);
  for (double clip : {0.0, 0.2}) {
    INFO("clip " << clip);
    const Index n = 150;
    const Eigen::VectorXd old_values = random_vector(n, gen, -1, 1), returns = random_vector(n, gen, -1.5, 1.5);
    Eigen::VectorXd values = old_values + random_vector(n, gen, -0.5, 0.5);
    const auto result = value_loss(values, old_values, returns, clip);
    check_gradient(
        values, result.d_value, [&] { return value_loss(values, old_values, returns, clip).loss; }, "d value");
    int blocked = 0;
    for (Index i = 0; i < n; ++i) blocked += result.d_value(i) == 0.0;
    if (clip > 0) CHECK(blocked > 0);  // the clipped branch is exercised
    else CHECK(result.loss == Approx((values - returns).squaredNorm() / (2.0 * n)));
  }
}

TEST_CASE("GAE: a hand-computed trajectory with a timeout (bootstraps) and a terminal (does not)", "[gradients]") {
  // gamma 0.9, lambda 0.5, so gamma * lambda = 0.45. Backwards:
  //  t4 (continues):  delta = 0.5 + 0.9*0.4 - 0.2 = 0.66                  A = 0.66          R = 0.86
  //  t3 (terminal):   delta = 1 + 0 - 0.8 = 0.2 (next value 5 ignored)    A = 0.2           R = 1.0
  //  t2:              delta = 2 + 0.9*0.8 - 1 = 1.72                      A = 1.72+0.45*0.2 = 1.81, R = 2.81
  //  t1 (timeout):    delta = 0 + 0.9*0.7 - 0.6 = 0.03 (bootstraps)       A = 0.03 (no carry), R = 0.63
  //  t0:              delta = 1 + 0.9*0.6 - 0.5 = 1.04                    A = 1.04+0.45*0.03 = 1.0535, R = 1.5535
  const std::vector<float> rewards = {1, 0, 2, 1, 0.5f}, values = {0.5f, 0.6f, 1.0f, 0.8f, 0.2f},
                           next_values = {0.6f, 0.7f, 0.8f, 5.0f, 0.4f};
  const std::vector<std::uint8_t> terminals = {0, 0, 0, 1, 0}, timeouts = {0, 1, 0, 0, 0};
  const GaeResult r = compute_gae(rewards, values, next_values, terminals, timeouts, {0.9f, 0.5f});
  const std::vector<double> advantages = {1.0535, 0.03, 1.81, 0.2, 0.66}, returns = {1.5535, 0.63, 2.81, 1.0, 0.86};
  for (std::size_t t = 0; t < 5; ++t) {
    INFO("t" << t);
    CHECK(r.advantages[t] == Approx(advantages[t]).margin(1e-6));
    CHECK(r.returns[t] == Approx(returns[t]).margin(1e-6));
  }
  const std::vector<std::uint8_t> both = {0, 1, 0, 1, 0};
  CHECK_THROWS_AS(compute_gae(rewards, values, next_values, both, both, {}), std::invalid_argument);
  CHECK_THROWS_AS(compute_gae(rewards, values, {1.0f}, terminals, timeouts, {}), std::invalid_argument);
}

TEST_CASE("value norm: MAPPO's debiased running mean and variance, hand-computed", "[gradients]") {
  ValueNorm norm(0.9, 1e-5);
  const std::vector<float> first = {1, 3};  // batch mean 2, mean square 5
  norm.update(first);
  // running 0.2 / 0.5, debias 0.1: mean 2, variance 5 - 4 = 1
  CHECK(norm.mean() == Approx(2.0));
  CHECK(norm.variance() == Approx(1.0));
  std::vector<float> v = {4.0f};
  norm.normalize(v);
  CHECK(v[0] == Approx(2.0f));
  norm.denormalize(v);
  CHECK(v[0] == Approx(4.0f));
  const std::vector<float> second = {0, 0};
  norm.update(second);
  // running 0.18 / 0.45, debias 0.19: mean 0.18/0.19, variance 0.45/0.19 - (0.18/0.19)^2
  CHECK(norm.mean() == Approx(0.18 / 0.19));
  CHECK(norm.variance() == Approx(0.45 / 0.19 - (0.18 / 0.19) * (0.18 / 0.19)));
  ValueNorm constant(0.9, 1e-5);
  const std::vector<float> fives = {5, 5};
  constant.update(fives);
  CHECK(constant.variance() == Approx(1e-2));  // the floor MAPPO clamps to
}

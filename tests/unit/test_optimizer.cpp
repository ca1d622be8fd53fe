// Adam (agents/nn/adam.hpp) against hand-computed steps, and global gradient-norm clipping
// (agents/nn/gradient_clipping.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <span>
#include <vector>

#include "agents/nn/adam.hpp"
#include "agents/nn/gradient_clipping.hpp"

using namespace marlsim::nn;

TEST_CASE("Adam: two bias-corrected steps with MAPPO's defaults, hand-computed", "[gradients]") {
  // lr 5e-4, betas 0.9 / 0.999, eps 1e-5; p = 0, gradients 0.01 then -0.02 (small, so that
  // eps matters: PyTorch's 1e-8 would differ in the third digit).
  //  t1: m = 0.001, v = 1e-7; step size 5e-4 / 0.1 = 0.005, denominator sqrt(1e-7) / sqrt(0.001)
  //      + 1e-5 = 0.01001: p = -0.005 * 0.001 / 0.01001 = -4.995005e-4
  //  t2: m = 0.0009 - 0.002 = -0.0011, v = 0.999e-7 + 4e-7 = 4.999e-7; step size 5e-4 / 0.19 =
  //      0.00263158, denominator sqrt(4.999e-7) / sqrt(0.001999) + 1e-5 = 0.0158238:
  //      p = -4.995005e-4 + 0.00263158 * 0.0011 / 0.0158238 = -3.165644e-4
  Adam adam({1});
  CHECK(adam.settings().learning_rate == 5e-4f);
  CHECK(adam.settings().epsilon == 1e-5f);
  std::vector<float> p = {0.0f}, g = {0.01f};
  const std::vector<std::span<float>> params = {p};
  const std::vector<std::span<const float>> grads = {g};
  adam.step(params, grads);
  CHECK(p[0] == Approx(-4.995005e-4).epsilon(1e-6));
  g[0] = -0.02f;
  adam.step(params, grads);
  CHECK(p[0] == Approx(-3.165644e-4).epsilon(1e-6));
  CHECK(adam.steps_taken() == 2);
}

TEST_CASE("Adam: the same bits whatever the grouping of parameters into tensors, and wrong sizes refused",
          "[gradients]") {
  std::mt19937 gen(2);
  std::normal_distribution<float> normal;
  std::vector<float> whole(37), a(20), b(17);
  for (float& x : whole) x = normal(gen);
  std::copy(whole.begin(), whole.begin() + 20, a.begin());
  std::copy(whole.begin() + 20, whole.end(), b.begin());
  Adam one({37}), two({20, 17});
  for (int step = 0; step < 5; ++step) {
    std::vector<float> g(37);
    for (float& x : g) x = normal(gen);
    const std::vector<std::span<float>> p1 = {whole}, p2 = {a, b};
    const std::vector<std::span<const float>> g1 = {g}, g2 = {std::span<const float>(g).first(20),
                                                              std::span<const float>(g).subspan(20)};
    one.step(p1, g1);
    two.step(p2, g2);
  }
  CHECK(std::memcmp(whole.data(), a.data(), 20 * sizeof(float)) == 0);
  CHECK(std::memcmp(whole.data() + 20, b.data(), 17 * sizeof(float)) == 0);
  std::vector<float> short_grad(36);
  const std::vector<std::span<float>> p1 = {whole};
  const std::vector<std::span<const float>> bad = {short_grad};
  CHECK_THROWS_AS(one.step(p1, bad), std::invalid_argument);
}

TEST_CASE("gradient clipping: the global norm over all tensors, scaled only above the limit", "[gradients]") {
  std::vector<float> a = {3.0f}, b = {0.0f, 4.0f};
  const std::vector<std::span<float>> grads = {a, b};
  CHECK(global_gradient_norm(grads) == Approx(5.0));
  CHECK(clip_gradient_norm(grads, 10.0) == Approx(5.0));
  CHECK(a[0] == 3.0f);  // under the limit: untouched
  CHECK(b[1] == 4.0f);
  CHECK(clip_gradient_norm(grads, 1.0) == Approx(5.0));
  CHECK(a[0] == Approx(0.6f));  // scaled by 1 / (5 + 1e-6)
  CHECK(b[1] == Approx(0.8f));
  CHECK(global_gradient_norm(grads) == Approx(1.0));
}

// The multilayer network's training passes (agents/nn/mlp.hpp): the forward bitwise the
// dense_forward chain, every layer's parameter gradient against central finite differences of
// a double-precision forward for every activation, accumulation across calls, the same bits at
// 1 and 2 threads, the initialiser's streams, and bad shapes refused.
#include <omp.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "agents/nn/actor_critic_network.hpp"
#include "agents/nn/dense_backward.hpp"
#include "agents/nn/mlp.hpp"
#include "double_mlp_reference.hpp"

using namespace marlsim::nn;
using Eigen::Index;
using marlsim::test::forward_double;
using marlsim::test::LayerD;
using marlsim::test::RowMatrixD;
using marlsim::test::to_double;

namespace {

RowMatrixF random_matrix(Index rows, Index cols, std::mt19937& gen, float scale = 1.0f) {
  std::uniform_real_distribution<float> u(-scale, scale);
  RowMatrixF m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = u(gen);
  return m;
}

// Random biases too (make_mlp's are zero), so that they matter in the gradients.
std::vector<DenseLayer> random_mlp(Index in, std::vector<Index> hidden, std::vector<Activation> acts, Index out,
                                   Activation output_activation, std::uint64_t seed) {
  std::vector<DenseLayer> layers = make_mlp(in, std::move(hidden), std::move(acts), out, seed, 7);
  std::mt19937 gen(static_cast<unsigned>(seed));
  for (DenseLayer& l : layers) l.bias = random_matrix(1, l.bias.size(), gen, 0.3f);
  layers.back().activation = output_activation;
  return layers;
}

bool same_bits(const RowMatrixF& a, const RowMatrixF& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0;
}

bool same_gradients(const std::vector<LayerGradients>& a, const std::vector<LayerGradients>& b) {
  for (std::size_t l = 0; l < a.size(); ++l)
    if (!same_bits(a[l].weights, b[l].weights) || !same_bits(RowMatrixF(a[l].bias), RowMatrixF(b[l].bias)))
      return false;
  return true;
}

}  // namespace

TEST_CASE("mlp forward: bitwise the dense_forward chain and mlp_output, also with the input in the cache",
          "[gradients]") {
  std::mt19937 gen(3);
  const auto layers = random_mlp(7, {33, 17}, {Activation::Tanh, Activation::Relu}, 5, Activation::Identity, 3);
  const RowMatrixF x = random_matrix(70, 7, gen);
  RowMatrixF chain = x;
  for (const DenseLayer& l : layers) {
    RowMatrixF y(chain.rows(), l.weights.cols());
    dense_forward(chain, l.weights, l.bias, l.activation, y);
    chain = y;
  }
  MlpCache cache;
  mlp_forward(layers, x, cache);
  REQUIRE(cache.activations.size() == 4);
  CHECK(same_bits(cache.activations[0], x));
  CHECK(same_bits(cache.activations.back(), chain));
  CHECK(same_bits(mlp_output(layers, x), chain));

  MlpCache in_place;
  in_place.activations.resize(1);
  in_place.activations[0] = x;
  mlp_forward(layers, in_place.activations[0], in_place);
  CHECK(same_bits(in_place.activations.back(), chain));
}

TEST_CASE("mlp backward: every layer's dW and db match finite differences, for every activation", "[gradients]") {
  // L = sum(d_output .* output), so dL/d output = d_output. The analytic gradients are float
  // (eps 6e-8) through 3 layers of <= 9 terms each; central differences of the double forward
  // with h = 1e-6 are exact to ~1e-9. Observed errors stay below 1e-6; the tolerance leaves 2x
  // plus 1e-4 relative.
  const Activation all[] = {Activation::Identity, Activation::Relu, Activation::Tanh};
  for (Activation hidden : all)
    for (Activation output : all) {
      CAPTURE(activation_name(hidden), activation_name(output));
      std::mt19937 gen(11);
      const auto layers = random_mlp(4, {9, 6}, {hidden, hidden}, 3, output, 5);
      const RowMatrixF x = random_matrix(13, 4, gen);
      const RowMatrixF d_output = random_matrix(13, 3, gen);
      MlpCache cache;
      mlp_forward(layers, x, cache);
      auto grads = zero_gradients(layers);
      mlp_backward(layers, cache, d_output, grads);

      std::vector<LayerD> d = to_double(layers);
      const RowMatrixD xd = x.cast<double>(), dod = d_output.cast<double>();
      const auto loss = [&] { return forward_double(d, xd).cwiseProduct(dod).sum(); };
      const double h = 1e-6;
      for (std::size_t l = 0; l < d.size(); ++l)
        for (RowMatrixD* p : {&d[l].w, &d[l].b}) {
          const bool is_bias = p == &d[l].b;
          for (Index i = 0; i < p->size(); ++i) {
            const double saved = p->data()[i];
            p->data()[i] = saved + h;
            const double up = loss();
            p->data()[i] = saved - h;
            const double down = loss();
            p->data()[i] = saved;
            const double fd = (up - down) / (2 * h);
            const double analytic = is_bias ? grads[l].bias.data()[i] : grads[l].weights.data()[i];
            CAPTURE(l, is_bias, i);
            CHECK(std::abs(analytic - fd) <= 2e-6 + 1e-4 * std::abs(fd));
          }
        }
    }
}

TEST_CASE("mlp backward: adds to the gradients, and calls over chunk-aligned pieces give one call's bits",
          "[gradients]") {
  std::mt19937 gen(5);
  const auto layers = random_mlp(6, {20}, {Activation::Tanh}, 2, Activation::Identity, 9);
  const Index rows = 2 * kGradientRowChunk + 40;
  const RowMatrixF x = random_matrix(rows, 6, gen), d_output = random_matrix(rows, 2, gen);
  MlpCache cache;
  mlp_forward(layers, x, cache);
  auto whole = zero_gradients(layers);
  mlp_backward(layers, cache, d_output, whole);

  auto pieces = zero_gradients(layers);
  for (Index begin : {Index{0}, 2 * kGradientRowChunk}) {
    const Index n = begin == 0 ? 2 * kGradientRowChunk : 40;
    mlp_forward(layers, x.middleRows(begin, n), cache);
    mlp_backward(layers, cache, d_output.middleRows(begin, n), pieces);
  }
  CHECK(same_gradients(whole, pieces));
  // Twice the same call doubles the gradients (they accumulate, not overwrite).
  auto twice = whole;
  mlp_forward(layers, x, cache);
  mlp_backward(layers, cache, d_output, twice);
  CHECK(twice[0].weights.isApprox(2 * whole[0].weights));
}

TEST_CASE("mlp forward and backward: the same bits at 1 and 2 threads", "[gradients]") {
  std::mt19937 gen(8);
  const auto layers = random_mlp(24, {96, 64}, {Activation::Relu, Activation::Tanh}, 1, Activation::Identity, 4);
  const RowMatrixF x = random_matrix(1500, 24, gen), d_output = random_matrix(1500, 1, gen);
  const int saved = omp_get_max_threads();
  std::vector<std::vector<LayerGradients>> grads;
  std::vector<RowMatrixF> outputs;
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    MlpCache cache;
    mlp_forward(layers, x, cache);
    grads.push_back(zero_gradients(layers));
    mlp_backward(layers, cache, d_output, grads.back());
    outputs.push_back(cache.activations.back());
  }
  omp_set_num_threads(saved);
  CHECK(same_bits(outputs[0], outputs[1]));
  CHECK(same_gradients(grads[0], grads[1]));
}

TEST_CASE("make_mlp: shapes, Glorot bounds, zero biases, one stream per layer, and the actor-critic's init",
          "[gradients]") {
  const auto a = make_mlp(10, {30, 20}, {Activation::Relu, Activation::Tanh}, 4, 42, 1 << 16);
  REQUIRE(a.size() == 3);
  CHECK(a[0].weights.rows() == 10);
  CHECK(a[1].weights.rows() == 30);
  CHECK(a[2].weights.cols() == 4);
  CHECK(a[0].activation == Activation::Relu);
  CHECK(a[1].activation == Activation::Tanh);
  CHECK(a[2].activation == Activation::Identity);
  for (const DenseLayer& l : a) {
    const double bound = std::sqrt(6.0 / static_cast<double>(l.weights.rows() + l.weights.cols()));
    CHECK(l.weights.cwiseAbs().maxCoeff() <= bound);
    CHECK(l.weights.cwiseAbs().maxCoeff() > 0.8 * bound);
    CHECK(l.bias.isZero());
  }
  // Another output layer leaves the hidden layers' weights alone; another entity changes them.
  const auto b = make_mlp(10, {30, 20}, {Activation::Relu, Activation::Tanh}, 7, 42, 1 << 16);
  CHECK(same_bits(a[0].weights, b[0].weights));
  CHECK(same_bits(a[1].weights, b[1].weights));
  CHECK(!same_bits(make_mlp(10, {30}, {Activation::Relu}, 4, 42, 2 << 16)[0].weights, a[0].weights));
  // The actor-critic network is built by make_mlp: actor entity 0, value head 2^16.
  const ActorCriticNetwork net({3, 2, {8}, {Activation::Tanh}}, 42);
  const auto actor = make_mlp(5, {8}, {Activation::Tanh}, 1, 42, 0);
  const auto value = make_mlp(3, {8}, {Activation::Tanh}, 1, 42, 1 << 16);
  for (std::size_t l = 0; l < 2; ++l) {
    CHECK(same_bits(net.actor_layers()[l].weights, actor[l].weights));
    CHECK(same_bits(net.value_layers()[l].weights, value[l].weights));
  }
  CHECK_THROWS_AS(make_mlp(10, {30}, {}, 4, 1, 0), std::invalid_argument);
  CHECK_THROWS_AS(make_mlp(10, {0}, {Activation::Relu}, 4, 1, 0), std::invalid_argument);
}

TEST_CASE("mlp forward and backward: mismatched shapes are refused", "[gradients]") {
  std::mt19937 gen(1);
  const auto layers = random_mlp(4, {5}, {Activation::Relu}, 2, Activation::Identity, 1);
  MlpCache cache;
  CHECK_THROWS_AS(mlp_forward(layers, random_matrix(3, 5, gen), cache), std::invalid_argument);
  CHECK_THROWS_AS(mlp_forward({}, random_matrix(3, 4, gen), cache), std::invalid_argument);
  auto grads = zero_gradients(layers);
  CHECK_THROWS_AS(mlp_backward(layers, cache, random_matrix(3, 2, gen), grads), std::invalid_argument);
  mlp_forward(layers, random_matrix(3, 4, gen), cache);
  CHECK_THROWS_AS(mlp_backward(layers, cache, random_matrix(3, 1, gen), grads), std::invalid_argument);
  CHECK_THROWS_AS(mlp_backward(layers, cache, random_matrix(4, 2, gen), grads), std::invalid_argument);
  grads.pop_back();
  CHECK_THROWS_AS(mlp_backward(layers, cache, random_matrix(3, 2, gen), grads), std::invalid_argument);
}

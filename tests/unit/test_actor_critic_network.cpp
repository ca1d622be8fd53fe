// The actor-critic network (agents/nn/actor_critic_network.hpp): every request's outputs bitwise
// equal to its batch-of-1 result at any batch size and thread count; softmax, masking,
// sampling and NaN/Inf detection; deterministic initialisation from the seed.
#include <omp.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "agents/nn/actor_critic_network.hpp"
#include "agents/nn/mlp.hpp"

using namespace marlsim::nn;
using Eigen::Index;

namespace {

// The study's configuration: 50 inputs to the shared scorer (20 own + 30 per candidate), 128 hidden.
ActorCriticSettings study_settings() { return {20, 30, {128}, {Activation::Tanh}}; }

// `requests` requests with K varying from 1 to 16, random features, some candidates masked.
DecisionBatch random_batch(Index requests, unsigned seed, const ActorCriticSettings& s) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  DecisionBatch b;
  b.own.resize(requests, s.own_features);
  for (Index i = 0; i < b.own.size(); ++i) b.own.data()[i] = u(gen);
  b.offsets = {0};
  for (Index r = 0; r < requests; ++r) b.offsets.push_back(b.offsets.back() + 1 + static_cast<Index>(gen() % 16));
  b.candidates.resize(b.offsets.back(), s.candidate_features);
  for (Index i = 0; i < b.candidates.size(); ++i) b.candidates.data()[i] = u(gen);
  for (Index r = 0; r < requests; ++r)
    for (Index i = b.offsets[r]; i < b.offsets[r + 1]; ++i) b.masked.push_back(i > b.offsets[r] && gen() % 4 == 0);
  for (Index r = 0; r < requests; ++r) b.uniforms.push_back(std::uniform_real_distribution<double>(0, 1)(gen));
  return b;
}

DecisionBatch single_request(const DecisionBatch& b, Index r) {
  DecisionBatch one;
  const Index first = b.offsets[r], k = b.offsets[r + 1] - first;
  one.own = b.own.row(r);
  one.candidates = b.candidates.middleRows(first, k);
  one.offsets = {0, k};
  one.masked.assign(b.masked.begin() + first, b.masked.begin() + first + k);
  one.uniforms = {b.uniforms[r]};
  return one;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("forward into reused buffers: the same bits as a fresh forward, batch after batch of changing shape",
          "[network]") {
  const ActorCriticNetwork net(study_settings(), 7);
  DecisionOutputs out;
  ForwardBuffers work;
  for (Index requests : {1, 5, 1, 33, 2, 1}) {
    const DecisionBatch batch = random_batch(requests, static_cast<unsigned>(100 + requests), net.settings());
    const DecisionOutputs fresh = net.forward(batch);
    for (bool with_values : {true, false}) {
      INFO("requests " << requests << ", values " << with_values);
      net.forward(batch, out, work, with_values);
      CHECK(out.actions == fresh.actions);
      REQUIRE(out.probabilities.size() == fresh.probabilities.size());
      for (Index i = 0; i < out.probabilities.size(); ++i)
        CHECK(same_bits(out.probabilities[i], fresh.probabilities[i]));
      for (Index r = 0; r < requests; ++r) CHECK(same_bits(out.log_probs[r], fresh.log_probs[r]));
      if (!with_values) {
        CHECK(out.values.size() == 0);
        continue;
      }
      REQUIRE(out.values.size() == requests);
      for (Index r = 0; r < requests; ++r) CHECK(same_bits(out.values[r], fresh.values[r]));
    }
  }
}

TEST_CASE("actor scores: the own inputs' chains once per request equal the joined rows' product bitwise", "[network]") {
  // The reference: each candidate row joined with its request's own row, the whole actor MLP on
  // the joined rows (mlp_output). Random weights, biases and inputs with large and cancelling
  // values (so a different summation order would change last bits), every hidden activation,
  // one and two hidden layers, 0 candidate features, batches of 1 to 300 requests.
  std::mt19937 gen(11);
  std::uniform_real_distribution<float> wide(-8.0f, 8.0f);
  std::vector<ActorCriticSettings> shapes = {
      {10, 7, {128}, {Activation::Relu}},    {10, 7, {128}, {Activation::Tanh}},
      {10, 7, {33}, {Activation::Identity}}, {20, 30, {64, 17}, {Activation::Relu, Activation::Tanh}},
      {3, 0, {16}, {Activation::Relu}},      {1, 40, {200}, {Activation::Relu}}};
  for (std::size_t shape = 0; shape < shapes.size(); ++shape) {
    ActorCriticNetwork net(shapes[shape], 100 + shape);
    for (DenseLayer& layer : net.actor_layers()) {
      for (Index i = 0; i < layer.bias.size(); ++i) layer.bias[i] = wide(gen);
      for (Index i = 0; i < layer.weights.size(); ++i) layer.weights.data()[i] = wide(gen);
    }
    ForwardBuffers work;
    for (Index requests : {1, 4, 1, 300}) {
      DecisionBatch batch = random_batch(requests, static_cast<unsigned>(shape * 1000 + requests), net.settings());
      for (Index i = 0; i < batch.own.size(); ++i) batch.own.data()[i] *= 1000.0f * wide(gen);
      const Index own = net.settings().own_features, cand = net.settings().candidate_features;
      RowMatrixF joined(batch.candidates.rows(), own + cand);
      for (Index r = 0; r < requests; ++r)
        for (Index i = batch.offsets[r]; i < batch.offsets[r + 1]; ++i) {
          joined.row(i).head(own) = batch.own.row(r);
          joined.row(i).tail(cand) = batch.candidates.row(i);
        }
      const RowMatrixF reference = mlp_output(net.actor_layers(), joined);
      const RowMatrixF& scores = net.actor_scores(batch, work);
      INFO("shape " << shape << ", requests " << requests);
      REQUIRE(scores.rows() == reference.rows());
      REQUIRE(scores.cols() == 1);
      Index differing = 0;
      for (Index i = 0; i < scores.rows(); ++i) differing += same_bits(scores(i, 0), reference(i, 0)) ? 0 : 1;
      CHECK(differing == 0);
    }
  }
}

TEST_CASE("every request's outputs are bitwise its batch-of-1 outputs at any batch and thread count", "[network]") {
  const ActorCriticNetwork net(study_settings(), 42);
  const int saved = omp_get_max_threads();
  for (Index requests : {1, 3, 17, 257}) {
    const DecisionBatch batch = random_batch(requests, static_cast<unsigned>(requests), net.settings());
    omp_set_num_threads(1);
    std::vector<DecisionOutputs> alone;
    for (Index r = 0; r < requests; ++r) alone.push_back(net.forward(single_request(batch, r)));
    for (int threads : {1, 2, 4}) {
      omp_set_num_threads(threads);
      const DecisionOutputs all = net.forward(batch);
      for (Index r = 0; r < requests; ++r) {
        INFO("requests " << requests << ", threads " << threads << ", request " << r);
        const DecisionOutputs& one = alone[static_cast<std::size_t>(r)];
        CHECK(all.actions[static_cast<std::size_t>(r)] == one.actions[0]);
        CHECK(same_bits(all.log_probs[r], one.log_probs[0]));
        CHECK(same_bits(all.values[r], one.values[0]));
        for (Index i = 0; i < one.probabilities.size(); ++i)
          CHECK(same_bits(all.probabilities[batch.offsets[r] + i], one.probabilities[i]));
      }
    }
  }
  omp_set_num_threads(saved);
}

TEST_CASE("probabilities sum to one, masked candidates get none and are never sampled", "[network]") {
  const ActorCriticNetwork net(study_settings(), 7);
  const DecisionBatch batch = random_batch(200, 5, net.settings());
  const DecisionOutputs out = net.forward(batch);
  for (Index r = 0; r < 200; ++r) {
    double sum = 0;
    for (Index i = batch.offsets[r]; i < batch.offsets[r + 1]; ++i) {
      if (batch.masked[i]) CHECK(out.probabilities[i] == 0.0f);
      sum += out.probabilities[i];
    }
    CHECK(sum == Approx(1.0).epsilon(1e-5));
    const Index a = out.actions[static_cast<std::size_t>(r)];
    REQUIRE(a >= 0);
    REQUIRE(a < batch.offsets[r + 1] - batch.offsets[r]);
    CHECK_FALSE(batch.masked[batch.offsets[r] + a]);
    CHECK(out.log_probs[r] == Approx(std::log(out.probabilities[batch.offsets[r] + a])).margin(1e-5));
  }
}

TEST_CASE("sampling follows the caller's uniform draw by inverse CDF", "[network]") {
  const ActorCriticNetwork net(study_settings(), 3);
  DecisionBatch b = random_batch(1, 11, net.settings());
  b.masked.assign(b.masked.size(), 0);
  const Index k = b.offsets[1];
  b.uniforms = {0.0};
  CHECK(net.forward(b).actions[0] == 0);
  b.uniforms = {std::nextafter(1.0, 0.0)};
  CHECK(net.forward(b).actions[0] == k - 1);
  // Without draws: probabilities and values only.
  b.uniforms.clear();
  const DecisionOutputs out = net.forward(b);
  CHECK(out.actions[0] == -1);
}

TEST_CASE("the softmax is stable for huge scores", "[network]") {
  ActorCriticNetwork net(study_settings(), 9);
  net.actor_layers().back().weights *= 1.0e6f;  // scores of order 1e6: exp would overflow unshifted
  const DecisionOutputs out = net.forward(random_batch(17, 2, net.settings()));
  CHECK(out.probabilities.allFinite());
  CHECK(out.log_probs.allFinite());
}

TEST_CASE("NaN or Inf in inputs or outputs is reported with the request and row", "[network]") {
  ActorCriticNetwork net(study_settings(), 1);
  DecisionBatch b = random_batch(5, 4, net.settings());
  DecisionBatch nan_candidate = b;
  nan_candidate.candidates(b.offsets[3] + 0, 2) = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(net.forward(nan_candidate), Catch::Contains("request 3, candidate 0"));
  DecisionBatch inf_own = b;
  inf_own.own(2, 0) = std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH(net.forward(inf_own), Catch::Contains("own observation row 2"));
  net.value_layers().back().bias[0] = std::numeric_limits<float>::infinity();
  CHECK_THROWS_AS(net.forward(b), NonFiniteError);
  CHECK_THROWS_WITH(net.forward(b), Catch::Contains("values of request row 0"));
}

TEST_CASE("initialisation is a deterministic function of the seed", "[network]") {
  const ActorCriticNetwork a(study_settings(), 42), b(study_settings(), 42), c(study_settings(), 43);
  REQUIRE(a.actor_layers().size() == 2);
  CHECK(a.actor_layers()[0].weights.rows() == 50);
  CHECK(a.actor_layers()[0].weights.cols() == 128);
  CHECK(a.value_layers()[0].weights.rows() == 20);
  for (std::size_t l = 0; l < 2; ++l) {
    CHECK(a.actor_layers()[l].weights == b.actor_layers()[l].weights);
    CHECK(a.value_layers()[l].weights == b.value_layers()[l].weights);
    CHECK(a.actor_layers()[l].weights != c.actor_layers()[l].weights);
  }
  // Glorot bound sqrt(6 / (50 + 128)) and a spread that uses it.
  const float bound = static_cast<float>(std::sqrt(6.0 / 178.0));
  CHECK(a.actor_layers()[0].weights.cwiseAbs().maxCoeff() <= bound);
  CHECK(a.actor_layers()[0].weights.cwiseAbs().maxCoeff() > 0.9f * bound);
  CHECK(a.actor_layers()[0].bias.isZero());
}

TEST_CASE("inconsistent settings and batches are refused", "[network]") {
  CHECK_THROWS_AS(ActorCriticNetwork(ActorCriticSettings{20, 30, {128}, {}}, 1), std::invalid_argument);
  const ActorCriticNetwork net(study_settings(), 1);
  DecisionBatch b = random_batch(3, 1, net.settings());
  b.masked.assign(b.masked.size(), 1);
  CHECK_THROWS_WITH(net.forward(b), Catch::Contains("every candidate of request 0 is masked"));
}

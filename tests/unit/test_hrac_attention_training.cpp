// hrac's role attention trained by the PPO loss (agents/hrac_attention_trainer): the gradient
// that reaches the attention parameters through PpoTrainer's own-input gradient and
// attend_roles_backward matches finite differences of the actor loss (PPO clip - entropy
// bonus) as a function of those parameters, and step() moves them.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "agents/hrac_attention.hpp"
#include "agents/hrac_attention_trainer.hpp"
#include "agents/nn/ppo_trainer.hpp"
#include "engine/support/rng.hpp"

using namespace marlsim;

namespace {

constexpr std::size_t kRoles = 3, kOwn = 3, kDecisions = 6, kCandidates = 3;

struct Fixture {
  std::vector<float> own, summaries;  // per decision: own, roles x own
  std::vector<std::uint8_t> present;
  nn::PpoRollout rollout;

  Fixture() {
    RngStream rng(11, 0, 0);
    const auto u = [&] { return static_cast<float>(rng.uniform() * 2 - 1); };
    // Features of a few units: attention scores that differ, gradients well above float noise.
    for (std::size_t i = 0; i < kDecisions * kOwn; ++i) own.push_back(3 * u());
    for (std::size_t i = 0; i < kDecisions * kRoles * kOwn; ++i) summaries.push_back(4 * u());
    for (std::size_t d = 0; d < kDecisions; ++d)  // the deciding role 0, then roles 1 and 2 (one absent in decision 5)
      present.insert(present.end(), {1, 1, static_cast<std::uint8_t>(d == 5 ? 0 : 1)});
    nn::DecisionBatch& b = rollout.decisions;
    b.own.resize(kDecisions, 2 * kOwn);
    b.candidates.resize(kDecisions * kCandidates, 2);
    for (Eigen::Index i = 0; i < b.candidates.size(); ++i) b.candidates.data()[i] = u();
    b.offsets.clear();
    for (std::size_t d = 0; d <= kDecisions; ++d) b.offsets.push_back(static_cast<Eigen::Index>(d * kCandidates));
    rollout.actions = {0, 1, 2, 1, 0, 2};
    rollout.old_log_probs = Eigen::VectorXf::Constant(kDecisions, -1.1f);
    rollout.advantages.resize(kDecisions);
    rollout.old_values.resize(kDecisions);
    rollout.returns.resize(kDecisions);
    rollout.global_states.resize(kDecisions, 2);
    for (std::size_t d = 0; d < kDecisions; ++d) {
      const auto i = static_cast<Eigen::Index>(d);
      rollout.advantages(i) = u(), rollout.old_values(i) = u(), rollout.returns(i) = u();
      rollout.global_states(i, 0) = u(), rollout.global_states(i, 1) = u();
    }
  }

  // The own rows [own, attended] under `attention`, as hrac's policy builds them.
  void attend(const std::vector<std::vector<nn::DenseLayer>>& attention) {
    std::vector<float> weights(kRoles);
    for (std::size_t d = 0; d < kDecisions; ++d) {
      float* row = rollout.decisions.own.row(static_cast<Eigen::Index>(d)).data();
      std::copy_n(own.begin() + static_cast<std::ptrdiff_t>(d * kOwn), kOwn, row);
      attend_roles(attention, 0, {row, kOwn}, std::span(summaries).subspan(d * kRoles * kOwn, kRoles * kOwn),
                   std::span(present).subspan(d * kRoles, kRoles), weights, {row + kOwn, kOwn});
    }
  }
};

nn::ActorCriticSettings shapes() {
  nn::ActorCriticSettings s;
  s.own_features = 2 * kOwn, s.candidate_features = 2;
  s.hidden_widths = {8}, s.hidden_activations = {nn::Activation::Tanh};
  return s;
}

nn::PpoSettings ppo() {
  nn::PpoSettings s;
  s.epochs = 1, s.minibatch = kDecisions;
  s.clip = 100.0f;  // no clip kink inside the finite differences
  return s;
}

}  // namespace

TEST_CASE("hrac: the role attention's training gradient matches finite differences of the PPO actor loss",
          "[hrac][training]") {
  Fixture f;
  std::vector<std::vector<nn::DenseLayer>> attention;
  for (std::size_t r = 0; r < kRoles; ++r) attention.push_back(make_role_attention(kOwn, 100 + r));

  // The actor loss at the current attention (the update's forward, before its step), with the
  // same actor and critic every time.
  const auto loss = [&](RoleAttentionTrainer* trainer) {
    nn::ActorCriticNetwork actor(shapes(), 5);
    nn::CentralCritic critic(2, {4}, {nn::Activation::Relu}, 6);
    nn::PpoTrainer ppo_trainer(actor, critic, ppo());
    f.attend(attention);
    RoleAttentionInputs in{&f.rollout.decisions.own, f.summaries, f.present};
    if (trainer != nullptr)
      ppo_trainer.set_own_input_gradient([&](std::span<const Eigen::Index> rows, const nn::RowMatrixF& d_own) {
        trainer->accumulate(0, in, rows, d_own);
      });
    const nn::PpoStats s = ppo_trainer.update(f.rollout, 1, [](std::span<float>) {});
    return s.policy_loss - ppo().entropy_coef * s.entropy;
  };
  RoleAttentionTrainer trainer(attention, ppo());
  loss(&trainer);
  const auto grads = trainer.gradients();

  constexpr float kStep = 2e-3f;
  double largest = 0;
  for (std::size_t r = 0; r < kRoles; ++r)
    for (std::size_t l = 0; l < 2; ++l) {
      nn::DenseLayer& layer = attention[r][l];
      const nn::LayerGradients& g = grads[r][l];
      const auto check = [&](float& parameter, float analytic) {
        const float saved = parameter;
        parameter = saved + kStep;
        const double up = loss(nullptr);
        parameter = saved - kStep;
        const double down = loss(nullptr);
        parameter = saved;
        const double numeric = (up - down) / (2.0 * kStep);
        largest = std::max(largest, std::abs(numeric));
        CHECK(analytic == Approx(numeric).margin(2e-4).epsilon(3e-2));
      };
      for (Eigen::Index i = 0; i < layer.weights.rows(); ++i)
        for (Eigen::Index j = 0; j < layer.weights.cols(); ++j) check(layer.weights(i, j), g.weights(i, j));
      for (Eigen::Index j = 0; j < layer.bias.size(); ++j) check(layer.bias[j], g.bias[j]);
    }
  INFO("largest gradient " << largest);
  CHECK(largest > 2e-2);  // real gradients were compared, not zeros

  // One step moves the used parameters (role 0's query, the others' keys) and clears the sums.
  const std::vector<std::vector<nn::DenseLayer>> before = attention;
  CHECK(trainer.step([](std::span<float>) {}) > 0);
  CHECK(attention[0][0].weights != before[0][0].weights);
  CHECK(attention[1][1].weights != before[1][1].weights);
  CHECK(attention[1][0].weights == before[1][0].weights);  // role 1 decided nothing: its query is unused
  CHECK(trainer.step([](std::span<float>) {}) == 0);       // nothing accumulated since: no step
}

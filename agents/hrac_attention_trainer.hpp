#pragma once
// Training hrac's role attention (agents/hrac_attention.hpp) by the role actors' PPO loss.
//
// The attended summary is part of each role network's input, so the actor loss's gradient
// with respect to that input (PpoTrainer::set_own_input_gradient) flows back into the
// attention parameters through attend_roles_backward. Role rho's query serves rho's decisions
// and role r's key every OTHER role's decisions, so all roles' attention parameters are one
// learner: the gradients of every role's PPO minibatches of an iteration are accumulated, and
// step() takes ONE step per iteration: their mean over those minibatches, averaged over the
// ranks (every rank runs the same minibatches per role), global-norm clipped, Adam (the PPO
// settings' lr, eps, betas and max norm). One step per iteration, after every role's update,
// keeps the attended inputs PPO trains on exactly what the attention gives during the whole
// update (they were computed at collection with the same parameters).
//
// Bits: attend_roles_backward is scalar in a fixed order and decisions are accumulated in
// minibatch order, so the result does not depend on the thread count.
#include <functional>
#include <span>
#include <vector>

#include "agents/nn/adam.hpp"
#include "agents/nn/mlp.hpp"
#include "agents/nn/ppo_trainer.hpp"

namespace marlsim {

// What one role's rollout decisions' attention read, in rollout order: the attended-from own
// observation is the first half of the rollout's own row; summaries roles x own width and
// presence flags per decision (DecisionLog::role_summaries, role_present).
struct RoleAttentionInputs {
  const nn::RowMatrixF* own = nullptr;  // the rollout's own rows [own, attended]
  std::vector<float> summaries;
  std::vector<std::uint8_t> present;
};

class RoleAttentionTrainer {
 public:
  // Keeps a reference: `attention` (per role [query, key]) is what step() updates.
  RoleAttentionTrainer(std::vector<std::vector<nn::DenseLayer>>& attention, const nn::PpoSettings& settings);

  // Adds one PPO minibatch of role `role`: `rows` its decisions in `in`, d_own their dL/d(own
  // input) (rows x [own, attended] width).
  void accumulate(std::size_t role, const RoleAttentionInputs& in, std::span<const Eigen::Index> rows,
                  const nn::RowMatrixF& d_own);

  // Collective: every rank calls it after every role's update, with the same number of
  // accumulated minibatches (none: no step anywhere, returns 0). Returns the global gradient
  // norm before clipping. Throws nn::NonFiniteError on NaN or Inf (no step taken).
  double step(const std::function<void(std::span<float>)>& average);

  // The accumulated gradients, as step() would average them (tests).
  const std::vector<std::vector<nn::LayerGradients>>& gradients() const { return grads_; }

  std::vector<double> optimizer_state() const;
  void set_optimizer_state(std::span<const double> state);

 private:
  std::vector<std::vector<nn::DenseLayer>>& attention_;
  nn::PpoSettings settings_;
  nn::Adam adam_;
  std::vector<std::vector<nn::LayerGradients>> grads_;
  int minibatches_ = 0;
};

}  // namespace marlsim

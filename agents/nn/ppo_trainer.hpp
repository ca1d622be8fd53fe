#pragma once
// PPO-clip training of a decentralized actor with a centralized critic (CTDE, as MAPPO: Yu et
// al. 2022). Chosen over an off-policy V-trace actor-critic because every rank collects with
// the policy just broadcast, so the data is on-policy by construction and PPO's clipped ratio
// covers the few stale minibatch steps; V-trace would be added as another trainer next to
// this one, reusing mlp.hpp and the losses.
//
// One update = epochs x minibatches over the rollout. Each epoch shuffles the decisions from
// (seed, epoch) and cuts them into ceil(N / minibatch) nearly equal minibatches. Per minibatch:
//   forward:   actor scores of every candidate row -> masked categorical per decision ->
//              PPO clip on the minibatch-normalised advantages - entropy_coef * mean entropy;
//              critic values of the global states -> MAPPO-clipped value loss
//   backward:  hand-written gradients (categorical.hpp, ppo_clip_loss.hpp, value_loss.hpp,
//              mlp.hpp), copied into ONE flat buffer, then average(buffer) (the caller's
//              MPI_Allreduce mean; identity for one rank)
//   optimizer: global gradient-norm clipping over actor and critic together, one Adam step
// The actor trained is ActorCriticNetwork::actor_layers(); its own value head is not touched
// (the centralized critic replaces it in training).
//
// Bits: forward and backward are independent of the OpenMP thread count (dense kernel and
// backward contracts; per-decision categorical; serial loss sums), so one update is too.
// Across ranks: every rank must run the same number of minibatches (average() is collective):
// the caller gives every rank the same number of decisions, or the same ceil(N / minibatch).
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "agents/nn/actor_critic_network.hpp"
#include "agents/nn/adam.hpp"
#include "agents/nn/central_critic.hpp"
#include "agents/nn/mlp.hpp"

namespace marlsim::nn {

struct PpoSettings {
  float clip = 0.2f;           // PPO's and MAPPO's clip epsilon
  float entropy_coef = 0.01f;  // MAPPO's: enough to keep exploring early, small next to the advantages
  float value_clip = 0.2f;     // MAPPO clips the critic's step by the same 0.2 (use_clipped_value_loss)
  float max_grad_norm = 10.f;  // MAPPO's max_grad_norm: only stops rare exploding steps
  int epochs = 4;              // PPO's paper uses 3-10 passes; MAPPO's 15 (tiny MPE tasks) overfits the rollout
  // Decisions per minibatch. MAPPO takes the whole rollout (num_mini_batch 1); 1,024 gives
  // several Adam steps per epoch and bounds the actor's memory (x K candidate rows x width).
  Eigen::Index minibatch = 1024;
  AdamSettings adam;  // MAPPO's: lr 5e-4, eps 1e-5, betas 0.9 / 0.999
};

struct PpoRollout {                   // N decisions
  DecisionBatch decisions;            // own, candidates, offsets, masked (uniforms unused)
  std::vector<Eigen::Index> actions;  // chosen row relative to the request's first row
  // Advantages already computed (GAE) by the caller; the trainer normalises them per minibatch:
  // (A - mean) / (std + 1e-5), population std, as MAPPO does over its buffer.
  Eigen::VectorXf old_log_probs, advantages;
  RowMatrixF global_states;             // one row per decision (the caller may repeat a cycle's row)
  Eigen::VectorXf old_values, returns;  // critic outputs and return targets, both in the critic's normalised units
};

// Means over the update's minibatches of the values averaged across ranks (every rank gets the
// same); grad_norm is the global norm before clipping. Times are this rank's wall seconds:
// forward includes the losses' values, backward their gradients and the gradient averaging,
// optimizer the norm clipping and Adam.
struct PpoStats {
  double policy_loss = 0, value_loss = 0, entropy = 0, approx_kl = 0, clip_fraction = 0, grad_norm = 0;
  double forward_s = 0, backward_s = 0, optimizer_s = 0;
  int minibatches = 0;
};

class PpoTrainer {
 public:
  // Keeps references: actor and critic must outlive the trainer (checkpoint loads into them
  // are fine: the trainer reads their layers afresh on every step).
  PpoTrainer(ActorCriticNetwork& actor, CentralCritic& critic, PpoSettings settings);

  // `average` gets one flat buffer: every gradient (actor layers then critic layers, weights
  // then bias of each) followed by the minibatch's five loss statistics, so that these are
  // averaged too and every rank stops together on a NaN. Throws std::invalid_argument on an
  // inconsistent rollout (nothing changed) and NonFiniteError naming the epoch and minibatch
  // when the averaged gradients or losses are NaN or Inf (that minibatch's step not taken).
  // `minibatches`: 0 cuts the rollout into ceil(N / settings.minibatch); > 0 exactly that many
  // (at most N), so ranks holding different numbers of decisions run the same number of steps.
  PpoStats update(const PpoRollout& rollout, std::uint64_t seed, const std::function<void(std::span<float>)>& average,
                  Eigen::Index minibatches = 0);

  // Adam's moments and step count, for an exact resume: a trainer over networks of the same
  // shapes given this state continues bit for bit. The layout is private to this class.
  std::vector<float> optimizer_state() const;
  void set_optimizer_state(const std::vector<float>& state);

  const PpoSettings& settings() const { return settings_; }

  // Optional, for inputs that are themselves learned (hrac's attended summary): after each
  // minibatch's backward, before the averaging, called with the minibatch's decisions (rows of
  // the rollout) and dL/d(own input) per decision (rows x own width: the actor loss's
  // gradient with respect to the decision's own observation, summed over its candidate rows).
  // Not called when unset (no cost).
  using OwnInputGradient = std::function<void(std::span<const Eigen::Index> rows, const RowMatrixF& d_own)>;
  void set_own_input_gradient(OwnInputGradient f) { own_input_gradient_ = std::move(f); }

 private:
  void step(const PpoRollout& rollout, std::span<const Eigen::Index> rows,
            const std::function<void(std::span<float>)>& average, int epoch, int index, PpoStats& stats);
  std::vector<std::span<float>> parameter_tensors();

  ActorCriticNetwork& actor_;
  CentralCritic& critic_;
  PpoSettings settings_;
  Adam adam_;
  MlpCache actor_cache_, critic_cache_;
  std::vector<LayerGradients> actor_grads_, critic_grads_;
  std::vector<float> flat_;  // all gradients, then the loss statistics
  OwnInputGradient own_input_gradient_;
  RowMatrixF d_input_, d_own_;
};

}  // namespace marlsim::nn

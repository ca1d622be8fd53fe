#pragma once
// The global value estimator of local-global reward shaping (source study 2): V(S) of the
// GLOBAL state alone, one row per decision cycle (the trajectory's `global_states` table), so
// the shaping term V(S_{t+1}) - V(S_t) says how the whole system moved between an agent's
// decisions, information its local reward (local_reward.hpp) lacks. The per-role PPO critics
// read [global, own] and serve GAE's baseline; this one serves only the shaping.
//
// Target: the system's return from a cycle on, with the global objective as its reward: cycle
// c's reward R_c is the sum of the task rewards ("task", rollout.hpp) of the decisions taken
// in it, and G_c = R_c + gamma G_{c+1} over the episode's cycles, the last cycle terminal
// (cycle_returns). Fitted after each iteration's shaping (so an iteration is shaped by the
// estimator of the iterations before it, as GAE uses the critic before its update) by plain
// half squared error in ValueNorm units (a regression: no PPO value clip), Adam and global
// norm clipping with the PPO settings' lr, epochs and minibatch size; gradients averaged over
// the ranks (every rank runs the same number of minibatches). Bits: independent of the
// thread count (mlp.hpp), like the PPO update.
#include <cstdint>
#include <span>
#include <vector>

#include "agents/decision_log.hpp"
#include "agents/nn/adam.hpp"
#include "agents/nn/central_critic.hpp"
#include "agents/nn/mlp.hpp"
#include "agents/nn/ppo_trainer.hpp"
#include "agents/nn/value_norm.hpp"
#include "mpi/communicator.hpp"

namespace marlsim {

// Per cycle of `log` (log.cycles() entries): G_c as above from the decisions' `rewards` (one
// per decision of the log, in log order).
std::vector<float> cycle_returns(const DecisionLog& log, std::span<const float> rewards, double gamma);

// The log's global states, one row per cycle (cycles x global_width).
nn::RowMatrixF cycle_states(const DecisionLog& log);

class GlobalCritic {
 public:
  GlobalCritic(Eigen::Index global_width, std::vector<Eigen::Index> hidden, const nn::PpoSettings& settings,
               std::uint64_t seed);

  // V per row of states, in return units (denormalised).
  Eigen::VectorXf values(const nn::RowMatrixF& states) const;

  // One fit on this rank's cycles (states, return targets in return units). Collective: every
  // rank calls it (with 0 rows if it has none; then no rank steps). Returns the mean loss over
  // the minibatches (0 if none).
  double fit(const Communicator& comm, const nn::RowMatrixF& states, std::vector<float> returns, std::uint64_t seed);

  // What an exact resume needs: the layers (weights then bias of each), Adam's step count and
  // moments, the value normalisation's three statistics.
  std::vector<nn::DenseLayer>& layers() { return critic_.layers(); }
  const std::vector<nn::DenseLayer>& layers() const { return critic_.layers(); }
  std::vector<double> optimizer_state() const;
  void set_optimizer_state(std::span<const double> state);
  nn::ValueNorm& norm() { return norm_; }
  const nn::ValueNorm& norm() const { return norm_; }

 private:
  nn::CentralCritic critic_;
  nn::PpoSettings settings_;
  nn::ValueNorm norm_;
  nn::Adam adam_;
  nn::MlpCache cache_;
  std::vector<nn::LayerGradients> grads_;
};

}  // namespace marlsim

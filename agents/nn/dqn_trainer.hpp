#pragma once
// Deep Q-learning (Mnih et al. 2015) of a candidate scorer: Q(s, a) = scorer([own row of s,
// candidate row a]), so one network scores any number of candidates (hierrl's two levels,
// agents/hierrl_policy.hpp). One step on a minibatch of transitions (s, a, r, s', done):
//   target  y = r + gamma * (1 - done) * max_a' Q_target(s', a')   (target network, no gradient)
//           or, with n_step = n > 1, the n-step return along the agent's own next decisions:
//           y = r_t + gamma r_t+1 + ... + gamma^(n-1) r_t+n-1 + gamma^n max_a' Q_target(s_t+n, a')
//           (cut short at a terminal; no off-policy correction, as in Rainbow)
//   loss    L = mean over the minibatch of huber(Q(s, a) - y)       (delta 1: quadratic below 1)
//   backward dL/dQ(s, a) = clamp(Q - y, -delta, delta) / B through mlp_backward, copied into one
//            flat buffer with the loss, then average(buffer) (the caller's MPI_Allreduce mean)
//   optimizer global gradient-norm clipping, one Adam step
// The target network is a copy of the online scorer, refreshed every target_period steps.
//
// Transitions are stored as episodes' decisions (ReplayData): decision d's next state is the
// decision `next[d]` of the same agent (or none: terminal), so each state is stored once.
// Minibatches are drawn uniformly (with replacement) from a counter-based stream of (seed,
// step): the same bits for any thread count, and a resumed run draws what an uninterrupted
// one would.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "agents/nn/adam.hpp"
#include "agents/nn/dense_layer.hpp"
#include "agents/nn/mlp.hpp"

namespace marlsim::nn {

// Decisions of one level: per decision its own row, its candidate rows, the action, the reward
// and the index of the agent's next decision (-1: terminal).
struct ReplayData {
  Eigen::Index own_width = 0, candidate_width = 0;
  std::vector<float> own;                         // decisions x own_width
  std::vector<std::uint64_t> candidate_begin{0};  // decisions + 1
  std::vector<float> candidates;                  // rows x candidate_width
  std::vector<std::int32_t> actions;
  std::vector<float> rewards;
  std::vector<std::int64_t> next;  // index into this data, or -1

  std::size_t size() const { return actions.size(); }
  // Appends `other` (same widths), shifting its next indices.
  void append(const ReplayData& other);
  // Flat doubles for a checkpoint and back (refuses another width or a torn array).
  std::vector<double> to_doubles() const;
  static ReplayData from_doubles(const std::vector<double>& v);
};

struct DqnSettings {
  float gamma = 0.9f;        // per decision of the same agent
  int n_step = 1;            // rewards summed before bootstrapping (1: one-step Q-learning)
  float huber_delta = 1.0f;  // in reward units
  Eigen::Index minibatch = 128;
  int target_period = 100;  // gradient steps between target refreshes (C)
  float max_grad_norm = 10.f;
  AdamSettings adam{1e-3f, 0.9f, 0.999f, 1e-5f};
};

struct DqnStats {
  double loss = 0, mean_q = 0, grad_norm = 0;  // means over the steps
  int steps = 0;
};

class DqnTrainer {
 public:
  // Keeps a reference to `online` (the scorer trained in place); the target starts as a copy.
  DqnTrainer(std::vector<DenseLayer>& online, DqnSettings settings);

  // `steps` gradient steps on minibatches drawn from `replay` (not empty). Throws
  // NonFiniteError (actor_critic_network.hpp) naming the step when the averaged gradients or
  // loss are NaN or Inf (that step not taken).
  DqnStats train(const ReplayData& replay, int steps, std::uint64_t seed,
                 const std::function<void(std::span<float>)>& average);

  // The huber loss and dL/dQ of one minibatch given Q(s, a) and the targets (exposed for the
  // finite-difference test).
  static double huber_loss(const Eigen::VectorXf& q, const Eigen::VectorXf& y, float delta, Eigen::VectorXf& d_q);
  // The decisions (indices into a replay of replay_size) the next step draws: uniform with
  // replacement from the stream of (seed, steps_taken()).
  std::vector<std::size_t> minibatch_rows(std::size_t replay_size, std::uint64_t seed) const;
  // Targets y of `rows` (indices into replay) with the target network.
  Eigen::VectorXf targets(const ReplayData& replay, std::span<const std::size_t> rows) const;

  // Everything an exact resume needs besides the online weights: steps, Adam, target weights.
  std::vector<double> state() const;
  void restore(const std::vector<double>& state);
  long long steps_taken() const { return steps_; }
  const std::vector<DenseLayer>& target() const { return target_; }

 private:
  void step(const ReplayData& replay, std::span<const std::size_t> rows,
            const std::function<void(std::span<float>)>& average, DqnStats& stats);

  std::vector<DenseLayer>& online_;
  std::vector<DenseLayer> target_;
  DqnSettings settings_;
  Adam adam_;
  long long steps_ = 0;
  MlpCache cache_;
  std::vector<LayerGradients> grads_;
  std::vector<float> flat_;
};

// The joined input rows [own, candidate k] of decision d, every candidate, into out (resized).
void joined_rows(const ReplayData& replay, std::size_t d, RowMatrixF& out);

}  // namespace marlsim::nn

#pragma once
// PPO's clipped surrogate (Schulman et al. 2017), as a loss to minimise, over N samples:
//   ratio_i = exp(log_prob_i - old_log_prob_i)
//   L = -(1/N) sum_i min(ratio_i A_i, clip(ratio_i, 1 - eps, 1 + eps) A_i)
//   dL/d log_prob_i = -(1/N) ratio_i A_i where the unclipped term is the minimum, else 0.
// On a tie (ratio inside [1 - eps, 1 + eps], or exactly on its edge) the unclipped term is
// taken, so the gradient flows; outside, the clipped term is constant and blocks it.
// MAPPO's default eps is 0.2. Sums run over samples in order (the loss value is reported,
// the gradient is elementwise).
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "agents/nn/loss_types.hpp"

namespace marlsim::nn {

template <class T>
struct PpoClipLoss {
  T loss = 0;
  Vector<T> d_log_prob;  // dL/d log_prob, one per sample
  T clip_fraction = 0;   // share of samples whose gradient the clip blocked
  T approx_kl = 0;       // mean(old_log_prob - log_prob): the usual cheap KL estimate
};

template <class T>
PpoClipLoss<T> ppo_clip_loss(const Vector<T>& log_prob, const Vector<T>& old_log_prob, const Vector<T>& advantages,
                             T clip_eps) {
  const Eigen::Index n = log_prob.size();
  if (old_log_prob.size() != n || advantages.size() != n)
    throw std::invalid_argument("ppo_clip_loss: log_prob, old_log_prob and advantages differ in length");
  if (!(clip_eps >= 0)) throw std::invalid_argument("ppo_clip_loss: clip epsilon must be >= 0");
  PpoClipLoss<T> out;
  out.d_log_prob.resize(n);
  if (n == 0) return out;
  const T inv_n = T(1) / static_cast<T>(n);
  T sum = 0, clipped = 0, kl = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const T ratio = std::exp(log_prob(i) - old_log_prob(i));
    const T unclipped_term = ratio * advantages(i);
    const T clipped_term = std::clamp(ratio, T(1) - clip_eps, T(1) + clip_eps) * advantages(i);
    if (unclipped_term <= clipped_term) {
      sum += unclipped_term;
      out.d_log_prob(i) = -inv_n * unclipped_term;  // d(ratio A)/d log_prob = ratio A
    } else {
      sum += clipped_term;
      out.d_log_prob(i) = 0;
      clipped += 1;
    }
    kl += old_log_prob(i) - log_prob(i);
  }
  out.loss = -sum * inv_n;
  out.clip_fraction = clipped * inv_n;
  out.approx_kl = kl * inv_n;
  return out;
}

}  // namespace marlsim::nn

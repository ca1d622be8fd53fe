#pragma once
// The actor's action distribution: a categorical over each sample's K candidates, the softmax
// of their scores over the candidates the mask allows (masked candidates have probability 0
// and get no gradient). Per sample i (row), with valid candidates V_i:
//   log p_ij = s_ij - log sum_{m in V_i} exp(s_im)        (j in V_i)
//   H_i      = -sum_{j in V_i} p_ij log p_ij
// Gradients w.r.t. the scores (j in V_i; 0 elsewhere):
//   d log p_{i,a_i} / d s_ij = [j = a_i] - p_ij
//   d H_i / d s_ij           = -p_ij (log p_ij + H_i)
// Every sample is computed on its own, in candidate order, so the bits do not depend on the
// batch. A row with no valid candidate, or an action on a masked candidate, is refused.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "agents/nn/loss_types.hpp"

namespace marlsim::nn {

template <class T>
struct MaskedCategorical {
  RowMatrix<T> log_probs;  // N x K; -infinity on masked candidates
  Vector<T> entropy;       // N
};

template <class T>
MaskedCategorical<T> masked_categorical(const RowMatrix<T>& scores, const CandidateMask& mask) {
  if (mask.rows() != scores.rows() || mask.cols() != scores.cols())
    throw std::invalid_argument("masked_categorical: the mask's shape differs from the scores'");
  const Eigen::Index n = scores.rows(), k = scores.cols();
  MaskedCategorical<T> d{RowMatrix<T>(n, k), Vector<T>(n)};
  for (Eigen::Index i = 0; i < n; ++i) {
    T max_score = -std::numeric_limits<T>::infinity();
    for (Eigen::Index j = 0; j < k; ++j)
      if (mask(i, j) && scores(i, j) > max_score) max_score = scores(i, j);
    if (max_score == -std::numeric_limits<T>::infinity())
      throw std::invalid_argument("masked_categorical: sample " + std::to_string(i) + " has no valid candidate");
    T sum = 0;
    for (Eigen::Index j = 0; j < k; ++j)
      if (mask(i, j)) sum += std::exp(scores(i, j) - max_score);
    const T log_sum = max_score + std::log(sum);
    T h = 0;
    for (Eigen::Index j = 0; j < k; ++j) {
      if (!mask(i, j)) {
        d.log_probs(i, j) = -std::numeric_limits<T>::infinity();
        continue;
      }
      d.log_probs(i, j) = scores(i, j) - log_sum;
      h -= std::exp(d.log_probs(i, j)) * d.log_probs(i, j);
    }
    d.entropy(i) = h;
  }
  return d;
}

// dL/ds given d_log_prob(i) = dL/d log p_{i,a_i} and d_entropy(i) = dL/dH_i.
template <class T>
RowMatrix<T> masked_categorical_backward(const MaskedCategorical<T>& d, const CandidateMask& mask,
                                         const Eigen::VectorXi& actions, const Vector<T>& d_log_prob,
                                         const Vector<T>& d_entropy) {
  const Eigen::Index n = d.log_probs.rows(), k = d.log_probs.cols();
  if (actions.size() != n || d_log_prob.size() != n || d_entropy.size() != n)
    throw std::invalid_argument("masked_categorical_backward: actions and gradients need one entry per sample");
  RowMatrix<T> d_scores(n, k);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (actions(i) < 0 || actions(i) >= k || !mask(i, actions(i)))
      throw std::invalid_argument("masked_categorical_backward: sample " + std::to_string(i) + "'s action " +
                                  std::to_string(actions(i)) + " is not a valid candidate");
    for (Eigen::Index j = 0; j < k; ++j) {
      if (!mask(i, j)) {
        d_scores(i, j) = 0;
        continue;
      }
      const T log_p = d.log_probs(i, j), p = std::exp(log_p);
      const T chosen = j == actions(i) ? T(1) : T(0);
      d_scores(i, j) = d_log_prob(i) * (chosen - p) - d_entropy(i) * p * (log_p + d.entropy(i));
    }
  }
  return d_scores;
}

// log p_{i,a_i} for each sample.
template <class T>
Vector<T> action_log_probs(const MaskedCategorical<T>& d, const Eigen::VectorXi& actions) {
  Vector<T> out(actions.size());
  for (Eigen::Index i = 0; i < actions.size(); ++i) out(i) = d.log_probs(i, actions(i));
  return out;
}

}  // namespace marlsim::nn

#include "agents/nn/actor_critic_network.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "agents/nn/detail/row_tiles.hpp"
#include "agents/nn/mlp.hpp"

namespace marlsim::nn {

namespace {

using Eigen::Index;

// make_mlp's stream entities: network * 2^16 (+ layer), so every layer draws its own stream.
constexpr std::uint64_t kActorEntity = 0ull << 16, kValueEntity = 1ull << 16;

void require_finite_rows(const RowMatrixF& m, const char* what, const std::vector<Index>* offsets) {
  for (Index r = 0; r < m.rows(); ++r) {
    if (m.row(r).allFinite()) continue;
    std::string where = std::string(what) + " row " + std::to_string(r);
    if (offsets) {
      Index req = 0;
      while ((*offsets)[static_cast<std::size_t>(req) + 1] <= r) ++req;
      where += " (request " + std::to_string(req) + ", candidate " +
               std::to_string(r - (*offsets)[static_cast<std::size_t>(req)]) + ")";
    }
    throw NonFiniteError("actor-critic network: NaN or Inf in " + where);
  }
}

}  // namespace

ActorCriticNetwork::ActorCriticNetwork(ActorCriticSettings settings, std::uint64_t seed)
    : settings_(std::move(settings)) {
  if (settings_.own_features <= 0 || settings_.candidate_features < 0)
    throw std::invalid_argument("actor-critic network: own_features must be > 0 and candidate_features >= 0");
  if (settings_.hidden_widths.size() != settings_.hidden_activations.size())
    throw std::invalid_argument("actor-critic network: one activation per hidden layer expected");
  for (Index w : settings_.hidden_widths)
    if (w <= 0) throw std::invalid_argument("actor-critic network: hidden widths must be > 0");
  actor_ = make_mlp(settings_.own_features + settings_.candidate_features, settings_.hidden_widths,
                    settings_.hidden_activations, 1, seed, kActorEntity);
  value_ = make_mlp(settings_.own_features, settings_.hidden_widths, settings_.hidden_activations, 1, seed,
                    kValueEntity);
}

const RowMatrixF& ActorCriticNetwork::actor_scores(const DecisionBatch& batch, ForwardBuffers& work) const {
  const Index own = settings_.own_features, cand = settings_.candidate_features;
  const Index requests = batch.own.rows(), rows = batch.candidates.rows();
  // A batch the threads would share (dense_forward's use_threads): joined rows, one product.
  if (detail::use_threads(rows, static_cast<double>(rows) * static_cast<double>(own + cand) *
                                    static_cast<double>(actor_.front().weights.cols()))) {
    RowMatrixF& joined = work.joined;
    joined.resize(rows, own + cand);
    for (Index r = 0; r < requests; ++r)
      for (Index i = batch.offsets[static_cast<std::size_t>(r)]; i < batch.offsets[static_cast<std::size_t>(r) + 1];
           ++i) {
        joined.row(i).head(own) = batch.own.row(r);
        joined.row(i).tail(cand) = batch.candidates.row(i);
      }
    return mlp_output_into(actor_, joined, work.actor);
  }
  // The first layer's output for a joined row [own, candidate] is act(chain) with the chain
  // acc = b; acc = fma(x_k, w_k, acc) for k = 0 .. own + cand - 1 (dense_kernel.hpp's order).
  // Its first `own` steps read only the request's own row, the same for all its K candidates:
  // they run once per request (identity: the float accumulator as it is), and each candidate
  // row continues from there over the candidate inputs; the same fmas in the same order, so the
  // same bits as the joined product, with (own + K * cand) instead of K * (own + cand) inputs.
  const DenseLayer& first = actor_.front();
  work.own_partial.resize(requests, first.weights.cols());
  dense_forward(batch.own, first.weights.topRows(own), first.bias, Activation::Identity, work.own_partial);
  work.actor.resize(actor_.size());
  work.actor[0].resize(rows, first.weights.cols());
  for (Index r = 0; r < requests; ++r) {
    const Index begin = batch.offsets[static_cast<std::size_t>(r)],
                count = batch.offsets[static_cast<std::size_t>(r) + 1] - begin;
    dense_forward(batch.candidates.middleRows(begin, count), first.weights.bottomRows(cand), work.own_partial.row(r),
                  first.activation, work.actor[0].middleRows(begin, count));
  }
  for (std::size_t l = 1; l < actor_.size(); ++l) {
    work.actor[l].resize(rows, actor_[l].weights.cols());
    dense_forward(work.actor[l - 1], actor_[l].weights, actor_[l].bias, actor_[l].activation, work.actor[l]);
  }
  return work.actor.back();
}

DecisionOutputs ActorCriticNetwork::forward(const DecisionBatch& batch) const {
  DecisionOutputs out;
  ForwardBuffers work;
  forward(batch, out, work);
  return out;
}

void ActorCriticNetwork::forward(const DecisionBatch& batch, DecisionOutputs& out, ForwardBuffers& work,
                                 bool with_values) const {
  const Index requests = batch.own.rows();
  const Index own = settings_.own_features, cand = settings_.candidate_features;
  if (batch.own.cols() != own || batch.candidates.cols() != cand ||
      batch.offsets.size() != static_cast<std::size_t>(requests) + 1 || batch.offsets.front() != 0 ||
      batch.offsets.back() != batch.candidates.rows())
    throw std::invalid_argument("actor-critic network: batch shapes do not match the network");
  const Index rows = batch.candidates.rows();
  if (!batch.masked.empty() && batch.masked.size() != static_cast<std::size_t>(rows))
    throw std::invalid_argument("actor-critic network: one mask entry per candidate row expected");
  if (!batch.uniforms.empty() && batch.uniforms.size() != static_cast<std::size_t>(requests))
    throw std::invalid_argument("actor-critic network: one uniform draw per request expected");
  require_finite_rows(batch.own, "own observation", nullptr);
  require_finite_rows(batch.candidates, "candidate features", &batch.offsets);

  for (Index r = 0; r < requests; ++r)
    if (batch.offsets[static_cast<std::size_t>(r) + 1] <= batch.offsets[static_cast<std::size_t>(r)])
      throw std::invalid_argument("actor-critic network: request " + std::to_string(r) + " has no candidates");
  const RowMatrixF& scores = actor_scores(batch, work);
  require_finite_rows(scores, "actor scores", &batch.offsets);
  // Without values the value head's NaN/Inf check goes too: nothing reads a value when acting,
  // and training evaluates its own critics (checked there).
  if (with_values) {
    const RowMatrixF& values = mlp_output_into(value_, batch.own, work.values);
    require_finite_rows(values, "values of request", nullptr);
    out.values = values.col(0);
  } else {
    out.values.resize(0);
  }

  out.probabilities.setZero(rows);
  out.actions.assign(static_cast<std::size_t>(requests), -1);
  out.log_probs.setZero(requests);
  const auto is_masked = [&](Index i) {
    return !batch.masked.empty() && batch.masked[static_cast<std::size_t>(i)] != 0;
  };
  for (Index r = 0; r < requests; ++r) {
    const Index first = batch.offsets[static_cast<std::size_t>(r)],
                last = batch.offsets[static_cast<std::size_t>(r) + 1];
    // Stable softmax: shift by the largest unmasked score, sum in candidate order.
    float top = -std::numeric_limits<float>::infinity();
    for (Index i = first; i < last; ++i)
      if (!is_masked(i)) top = std::max(top, scores(i, 0));
    if (top == -std::numeric_limits<float>::infinity())
      throw std::invalid_argument("actor-critic network: every candidate of request " + std::to_string(r) +
                                  " is masked");
    float sum = 0.0f;
    for (Index i = first; i < last; ++i)
      if (!is_masked(i)) sum += (out.probabilities[i] = std::exp(scores(i, 0) - top));
    for (Index i = first; i < last; ++i) out.probabilities[i] /= sum;
    if (batch.uniforms.empty()) continue;
    // Inverse-CDF sampling from the caller's draw (the deciding LP's stream); rounding can leave
    // the cumulative sum just below u, so the last unmasked candidate is the fallback.
    const double u = batch.uniforms[static_cast<std::size_t>(r)];
    double cumulative = 0.0;
    Index chosen = -1;
    for (Index i = first; i < last; ++i) {
      if (is_masked(i)) continue;
      chosen = i;
      cumulative += out.probabilities[i];
      if (u < cumulative) break;
    }
    out.actions[static_cast<std::size_t>(r)] = chosen - first;
    out.log_probs[r] = (scores(chosen, 0) - top) - std::log(sum);
  }
}

}  // namespace marlsim::nn

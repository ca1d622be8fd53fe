#pragma once
// The decentralized actor-critic's network: a shared candidate scorer (actor) and a value head,
// float32, built on the bit-exact dense kernel.
//
// The actor scores each of a request's K candidate nodes with one shared multilayer network on
// [agent's own observation, candidate's features] -> hidden layers -> 1 score, and takes a
// softmax over the request's (unmasked) candidates, so parameters and cost per decision do not
// grow with the cluster. The value head is a separate multilayer network on the own
// observation -> hidden layers -> 1 value.
//
// Every request's outputs are bit-identical whatever else is in the batch and whatever the
// thread count: the layers go through dense_forward (row bits independent of the batch) and
// the softmax, sampling and log-prob of a request read only that request's rows, in a fixed
// order.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "agents/nn/activation.hpp"
#include "agents/nn/dense_kernel.hpp"
#include "agents/nn/dense_layer.hpp"

namespace marlsim::nn {

// Shapes of both networks; a scenario fills this later (the study's 50 -> 128 -> heads is one
// configuration: own + candidate features = 50, hidden_widths = {128}).
struct ActorCriticSettings {
  Eigen::Index own_features = 0;        // the deciding agent's observation
  Eigen::Index candidate_features = 0;  // per candidate node
  std::vector<Eigen::Index> hidden_widths;
  std::vector<Activation> hidden_activations;  // one per hidden layer
};

// A NaN or Inf in a request's inputs or outputs: the message names the request and row.
class NonFiniteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Many requests at once, each with its own K candidates, flattened to rows.
struct DecisionBatch {
  RowMatrixF own;                     // requests x own_features
  RowMatrixF candidates;              // total candidate rows x candidate_features
  std::vector<Eigen::Index> offsets;  // requests + 1; request r owns rows [offsets[r], offsets[r+1])
  std::vector<std::uint8_t> masked;   // empty, or one per candidate row: 1 = not selectable
  std::vector<double> uniforms;       // empty (no sampling), or one draw in [0, 1) per request
};

struct DecisionOutputs {
  Eigen::VectorXf probabilities;      // one per candidate row (0 for masked ones)
  std::vector<Eigen::Index> actions;  // chosen candidate, relative to the request's first row (-1 without sampling)
  Eigen::VectorXf log_probs;          // of the chosen action (0 without sampling)
  Eigen::VectorXf values;             // one per request
};

// forward's work buffers, kept by a caller that decides often: a call allocates nothing when its
// batch has the shape of the last (same requests and candidate rows).
struct ForwardBuffers {
  RowMatrixF joined;                      // candidate rows joined with their request's own row (large batches)
  RowMatrixF own_partial;                 // per request: the first actor layer's chains over the own inputs
  std::vector<RowMatrixF> actor, values;  // each network's layer outputs (mlp_output_into)
};

class ActorCriticNetwork {
 public:
  // Weights initialised from `seed` by make_mlp (mlp.hpp: Glorot-scaled uniform weights, zero
  // biases, one Philox stream per layer; entities 0 * 2^16 + layer for the actor, 1 * 2^16 +
  // layer for the value head).
  ActorCriticNetwork(ActorCriticSettings settings, std::uint64_t seed);

  const ActorCriticSettings& settings() const { return settings_; }
  std::vector<DenseLayer>& actor_layers() { return actor_; }
  std::vector<DenseLayer>& value_layers() { return value_; }
  const std::vector<DenseLayer>& actor_layers() const { return actor_; }
  const std::vector<DenseLayer>& value_layers() const { return value_; }

  // Throws std::invalid_argument on inconsistent shapes and NonFiniteError on NaN/Inf.
  DecisionOutputs forward(const DecisionBatch& batch) const;
  // The same into `out`, through `work`; without `with_values` the value head is not run
  // (out.values left empty: inference that only acts). Every other output has the same bits.
  void forward(const DecisionBatch& batch, DecisionOutputs& out, ForwardBuffers& work, bool with_values = true) const;
  // The actor's scores (one column) of every candidate row, in work.actor's last buffer: the
  // bits of the actor MLP on each candidate row joined with its request's own row (mlp_output),
  // with the first layer's own-input part computed once per request. No shape or finiteness
  // checks (forward makes them).
  const RowMatrixF& actor_scores(const DecisionBatch& batch, ForwardBuffers& work) const;

 private:
  ActorCriticSettings settings_;
  std::vector<DenseLayer> actor_;
  std::vector<DenseLayer> value_;
};

}  // namespace marlsim::nn

#pragma once
// The centralized critic of CTDE training (MAPPO): an MLP from the global state of a decision
// cycle, G features -> hidden layers -> 1 value, in the critic's normalised units (value_norm.hpp).
// Only training uses it (actors act on local observations), so it is evaluated once per
// decision cycle, not once per agent.
#include <cstdint>
#include <vector>

#include "agents/nn/activation.hpp"
#include "agents/nn/dense_layer.hpp"

namespace marlsim::nn {

class CentralCritic {
 public:
  // Weights from make_mlp (mlp.hpp) with stream entities 2 * 2^16 + layer (the actor-critic
  // network uses 0 and 1), so a critic and an actor built from the same seed draw different weights.
  CentralCritic(Eigen::Index global_features, std::vector<Eigen::Index> hidden_widths,
                std::vector<Activation> hidden_activations, std::uint64_t seed);

  Eigen::Index global_features() const { return layers_.front().weights.rows(); }
  std::vector<DenseLayer>& layers() { return layers_; }
  const std::vector<DenseLayer>& layers() const { return layers_; }

  // One value per row of states (rows x global_features); every row's bits independent of the
  // batch and thread count. Throws std::invalid_argument on the wrong width.
  Eigen::VectorXf values(const RowMatrixF& states) const;

 private:
  std::vector<DenseLayer> layers_;
};

}  // namespace marlsim::nn

#include "agents/nn/central_critic.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "agents/nn/mlp.hpp"

namespace marlsim::nn {

namespace {
constexpr std::uint64_t kCriticEntity = 2ull << 16;
}  // namespace

CentralCritic::CentralCritic(Eigen::Index global_features, std::vector<Eigen::Index> hidden_widths,
                             std::vector<Activation> hidden_activations, std::uint64_t seed)
    : layers_(
          make_mlp(global_features, std::move(hidden_widths), std::move(hidden_activations), 1, seed, kCriticEntity)) {}

Eigen::VectorXf CentralCritic::values(const RowMatrixF& states) const {
  if (states.cols() != global_features())
    throw std::invalid_argument("central critic: global states have " + std::to_string(states.cols()) +
                                " features, the critic expects " + std::to_string(global_features()));
  return mlp_output(layers_, states).col(0);
}

}  // namespace marlsim::nn

#pragma once
// Generalized advantage estimation (Schulman et al. 2016) over one agent's decisions in order
// (the simulator is event-driven: a trajectory is one agent's sequence of decisions, and an
// array may hold several episodes back to back). For t = T-1 down to 0:
//   delta_t = r_t + gamma * (1 - terminal_t) * next_value_t - value_t
//   A_t     = delta_t + gamma * lambda * (1 - terminal_t) * (1 - timeout_t) * A_{t+1}   (A_T = 0)
//   R_t     = A_t + value_t                     (the critic's return target)
// next_value_t = V(s_{t+1}), the value of the state after decision t: at a timeout (an episode
// cut by the time limit, not ended) it is the value of the state where it was cut, so a
// timeout bootstraps; a terminal does not. Either ends the recursion, so episodes do not leak
// into each other. After the last row, without either flag, the trajectory continues beyond
// the array and only its bootstrap next_value carries it. Values are in return units (the
// caller denormalises the critic's outputs first). MAPPO's defaults: gamma 0.99, lambda 0.95.
// Serial, in a fixed order: deterministic.
#include <cstdint>
#include <vector>

namespace marlsim::nn {

struct GaeSettings {
  float gamma = 0.99f;
  float lambda = 0.95f;
};

struct GaeResult {
  std::vector<float> advantages;
  std::vector<float> returns;
};

// All inputs of the same length (terminals and timeouts as 0 / 1). A row that is both is
// refused (an episode either ended or was cut).
GaeResult compute_gae(const std::vector<float>& rewards, const std::vector<float>& values,
                      const std::vector<float>& next_values, const std::vector<std::uint8_t>& terminals,
                      const std::vector<std::uint8_t>& timeouts, GaeSettings settings = {});

}  // namespace marlsim::nn

#include "agents/nn/gae.hpp"

#include <stdexcept>
#include <string>

namespace marlsim::nn {

GaeResult compute_gae(const std::vector<float>& rewards, const std::vector<float>& values,
                      const std::vector<float>& next_values, const std::vector<std::uint8_t>& terminals,
                      const std::vector<std::uint8_t>& timeouts, GaeSettings settings) {
  const std::size_t n = rewards.size();
  if (values.size() != n || next_values.size() != n || terminals.size() != n || timeouts.size() != n)
    throw std::invalid_argument("compute_gae: rewards (" + std::to_string(n) +
                                "), values, next_values, terminals and timeouts must have the same length");
  GaeResult out{std::vector<float>(n), std::vector<float>(n)};
  float next_advantage = 0.0f;
  for (std::size_t i = n; i-- > 0;) {
    if (terminals[i] && timeouts[i])
      throw std::invalid_argument("compute_gae: row " + std::to_string(i) + " is both terminal and timeout");
    const float bootstrap = terminals[i] ? 0.0f : settings.gamma * next_values[i];
    const float delta = rewards[i] + bootstrap - values[i];
    const float carry = terminals[i] || timeouts[i] ? 0.0f : settings.gamma * settings.lambda * next_advantage;
    out.advantages[i] = delta + carry;
    out.returns[i] = out.advantages[i] + values[i];
    next_advantage = out.advantages[i];
  }
  return out;
}

}  // namespace marlsim::nn

#include "engine/training/reward_shaping.hpp"

#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace marlsim {

void shape_rewards(std::span<float> rewards, std::span<const float> values, std::span<const float> next_values,
                   double lambda) {
  if (!(lambda >= 0.0 && lambda <= 1.0))
    throw std::invalid_argument("reward shaping: lambda must be in [0, 1], got " + std::to_string(lambda));
  if (values.size() != rewards.size() || next_values.size() != rewards.size())
    throw std::invalid_argument("reward shaping: rewards, values and next values differ in size");
  if (lambda == 1.0) return;  // no shaping: the rewards' bits stay untouched
  const double global = 1.0 - lambda;
  for (std::size_t i = 0; i < rewards.size(); ++i)
    rewards[i] = static_cast<float>(lambda * rewards[i] + global * (static_cast<double>(next_values[i]) - values[i]));
}

void shape_episode_rewards(std::span<float> rewards, std::span<const NodeId> agents, std::span<const float> values,
                           std::span<const std::uint8_t> terminals, std::span<const std::uint8_t> timeouts,
                           double lambda) {
  const std::size_t n = rewards.size();
  if (agents.size() != n || values.size() != n || terminals.size() != n || timeouts.size() != n)
    throw std::invalid_argument("reward shaping: rewards, agents, values, terminals and timeouts differ in size");
  std::vector<float> next(n, 0.0f);
  std::unordered_map<NodeId, std::size_t> later;  // agent -> its next decision, scanning backwards
  for (std::size_t d = n; d-- > 0;) {
    const auto it = later.find(agents[d]);
    if (timeouts[d] != 0) next[d] = values[d];
    else if (terminals[d] == 0 && it != later.end()) next[d] = values[it->second];
    later[agents[d]] = d;
  }
  shape_rewards(rewards, values, next, lambda);
}

}  // namespace marlsim

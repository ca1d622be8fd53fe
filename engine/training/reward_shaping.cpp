#include "engine/training/reward_shaping.hpp"

#include <stdexcept>
#include <string>

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

}  // namespace marlsim

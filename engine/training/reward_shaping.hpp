#pragma once
// Local-global reward shaping (source study 2, HRAC + LGRS): each decision's reward mixes its
// own (local) reward with the change the centralized value estimator sees in the global state
// from this decision to its agent's next one:
//   r'_t = lambda * r_t + (1 - lambda) * (V(S_{t+1}) - V(S_t))
// lambda = 1 leaves the rewards unchanged; lambda = 0 keeps only the global term. Applied
// between the rollout's critic evaluation and GAE (engine/training/rollout.cpp).
//
// Units: V is the critic's value DENORMALISED (return units, the same units as r and as the
// values GAE uses), so the mix does not move when the value normalisation's statistics do.
// V(S_{t+1}) is the `next_values` GAE gets: 0 after a terminal decision, the bootstrap value
// at a timeout, the agent's next decision's value otherwise.
//
// marlsim train applies it per episode (shape_episode_rewards) with V the GLOBAL value
// estimator (global_critic.hpp: V of the global state alone, already in return units) and r
// the learner's local reward (local_reward.hpp), before the rollout and GAE.
#include <cstdint>
#include <span>

#include "agents/cluster_view.hpp"

namespace marlsim {

// In place over one rollout (any order, element by element). Throws std::invalid_argument
// for lambda outside [0, 1] or spans of different sizes.
void shape_rewards(std::span<float> rewards, std::span<const float> values, std::span<const float> next_values,
                   double lambda);

// One episode's decisions in log order (each agent's decisions in time order): values[d] =
// V(S) of decision d's cycle; V(S_{t+1}) is the same agent's next decision's value, 0 after a
// terminal decision, its own value at a timeout (a zero global term: the future is unknown).
// Then shape_rewards. Throws std::invalid_argument on spans of different sizes.
void shape_episode_rewards(std::span<float> rewards, std::span<const NodeId> agents, std::span<const float> values,
                           std::span<const std::uint8_t> terminals, std::span<const std::uint8_t> timeouts,
                           double lambda);

}  // namespace marlsim

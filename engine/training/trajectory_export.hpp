#pragma once
// One iteration's decisions as a trajectory file (docs/trajectories.md): every rank writes the
// episodes it collected, with their rewards, trajectory ends, the critic's values and the
// global states, for offline RL and for checking what the trainer learned from.
#include <span>
#include <string>
#include <vector>

#include "engine/training/rollout.hpp"
#include "mpi/hdf5/trajectory_file.hpp"

namespace marlsim {

// Collective. `provenance`: scenario, seed, policy, policy_version and observation_layout
// (shapes and the reward rule are filled here), role_names (default {"agent"}); each row's
// `role` is its decision's (DecisionLog::roles); hrac's per-cycle role attention
// (DecisionLog::role_attention) goes with each cycle's global state. `values`: per decision of `episodes` in
// order, return units (RolloutStats::values).
void write_trajectories(const std::string& path, const Communicator& comm, TrajectorySettings provenance,
                        const std::vector<ScoredEpisode>& episodes, std::span<const float> values);

// The reward rule the file states (rollout.hpp), for a reward scale in seconds; with
// reward_lambda < 1 it also says how training shaped the rewards (reward_shaping.hpp).
// With node_wait, it says training used the node-wait local reward (local_reward.hpp) instead.
std::string reward_assignment_text(double reward_scale_s, double reward_lambda = 1.0, bool node_wait = false);

}  // namespace marlsim

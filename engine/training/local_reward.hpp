#pragma once
// Which reward a PPO learner trains on (`marlsim train --local-reward`), and the genuinely
// local one of source study 2.
//
// "task" (the default): decision d's reward is its own task's share of the completion time,
// -(end_k - t_d) / reward_scale_s (rollout.hpp). Summed over an episode it is the global
// objective itself, split by decision: not local in the study's sense.
//
// "node-wait": the deciding agent's OWN signal, blind to where its task went. Decision d of
// agent a at t_d, whose next decision is at t_next (or the episode's stop after its last one):
//   r_d = -(seconds tasks spent waiting in node a's queue during [t_d, t_next)) / reward_scale_s
// a task's wait being [ready, start) of its record on the node that ran it. It can disagree
// with the system's goal (an agent sending everything away keeps its own queue empty and its
// reward at 0 while others queue): what the global shaping term (reward_shaping.hpp) exists to
// correct. A central scheduler's own domain is the whole cluster (every node's waits). Tasks
// unfinished at the stop have no record and count nothing.
#include <cstdint>
#include <string>
#include <vector>

#include "agents/decision_log.hpp"
#include "engine/cluster/episode.hpp"

namespace marlsim {

enum class LocalReward : std::uint8_t { Task, NodeWait };

// "task" / "node-wait"; parse_local_reward throws InputError::at(option, ...) for anything else.
std::string local_reward_name(LocalReward kind);
LocalReward parse_local_reward(const std::string& text, const std::string& option);

// node-wait rewards of `log`'s decisions (in log order) from the episode's task records; an
// agent's last interval ends at the episode's stop (its makespan, or the last decision if later).
std::vector<float> node_wait_rewards(const DecisionLog& log, const EpisodeResult& result, double reward_scale_s);

}  // namespace marlsim

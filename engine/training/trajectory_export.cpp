#include "engine/training/trajectory_export.hpp"

#include <fmt/format.h>
#include <algorithm>

namespace marlsim {

std::string reward_assignment_text(double reward_scale_s, double reward_lambda, bool node_wait) {
  std::string text = fmt::format(
      "r = -(task end - decision time) / {:g} s, credited to the decision when its task completes (a task "
      "unfinished at the episode's stop counts up to the stop); each agent's last decision of an episode is "
      "terminal, or a timeout when the episode hit run.max_time_s",
      reward_scale_s);
  if (node_wait)
    text += fmt::format(
        "; training did not use these but each decision's node-wait reward: -(seconds tasks waited in the "
        "deciding node's queue from this decision to its agent's next) / {:g} s",
        reward_scale_s);
  if (reward_lambda != 1.0)
    text += fmt::format(
        "; training shaped its rewards r with lambda = {:g} as lambda * r + (1 - lambda) * (V(next) - V) before "
        "GAE, V the global value estimator's on the decision cycle's global state (return units; not stored)",
        reward_lambda);
  return text;
}

void write_trajectories(const std::string& path, const Communicator& comm, TrajectorySettings settings,
                        const std::vector<ScoredEpisode>& episodes, std::span<const float> values) {
  std::uint64_t widest = 0;
  for (const ScoredEpisode& e : episodes)
    for (std::size_t d = 0; d < e.log.decisions(); ++d)
      widest = std::max(widest, e.log.candidate_begin[d + 1] - e.log.candidate_begin[d]);
  widest = static_cast<std::uint64_t>(comm.allreduce_max(static_cast<double>(widest)));
  const DecisionLog* any = episodes.empty() ? nullptr : &episodes.front().log;
  settings.observation_dim = any ? any->own_width : 0;
  settings.candidate_feature_dim = any ? any->candidate_width : 0;
  settings.global_state_dim = any ? any->global_width : 0;
  // Ranks without episodes still take part; the shapes must agree on every rank.
  settings.observation_dim = static_cast<std::size_t>(
      comm.allreduce_max(static_cast<double>(settings.observation_dim)));
  settings.candidate_feature_dim = static_cast<std::size_t>(
      comm.allreduce_max(static_cast<double>(settings.candidate_feature_dim)));
  settings.global_state_dim = static_cast<std::size_t>(
      comm.allreduce_max(static_cast<double>(settings.global_state_dim)));
  settings.max_candidates = static_cast<std::size_t>(widest);
  if (settings.role_names.empty()) settings.role_names = {"agent"};
  // hrac logs its role attention per cycle; ranks without episodes must agree.
  settings.role_attention = comm.allreduce_max(any && !any->role_attention.empty() ? 1.0 : 0.0) > 0;
  const std::size_t attention = settings.role_attention ? settings.role_names.size() * settings.role_names.size() : 0;

  TrajectoryWriter writer(path, comm, settings);
  std::size_t v = 0;
  for (const ScoredEpisode& e : episodes) {
    const DecisionLog& log = e.log;
    // A cycle's time is that of its decisions (every logged cycle has at least one).
    std::vector<double> cycle_time(log.cycles(), 0.0);
    for (std::size_t d = 0; d < log.decisions(); ++d) cycle_time[log.global_state[d]] = log.time_s[d];
    std::vector<TrajectoryWriter::GlobalStateId> cycles;
    for (std::size_t c = 0; c < log.cycles(); ++c)
      cycles.push_back(writer.append_global_state(
          e.episode, cycle_time[c], std::span(log.global_states).subspan(c * log.global_width, log.global_width),
          std::span(log.role_attention).subspan(c * attention, attention)));
    for (std::size_t d = 0; d < log.decisions(); ++d, ++v) {
      TrajectoryDecision row;
      row.episode = e.episode;
      row.time_s = log.time_s[d];
      row.agent = log.agents[d];
      row.role = log.roles.empty() ? 0 : log.roles[d];
      row.observation = std::span(log.own).subspan(d * log.own_width, log.own_width);
      const std::uint64_t first = log.candidate_begin[d], count = log.candidate_begin[d + 1] - first;
      row.candidate_features =
          std::span(log.candidates).subspan(first * log.candidate_width, count * log.candidate_width);
      row.candidate_count = static_cast<std::uint32_t>(count);
      row.action = log.actions[d];
      row.log_prob = log.log_probs[d];
      row.value = values[v];
      row.global_state = log.global_width > 0 ? cycles[log.global_state[d]] : -1;
      row.policy_version = settings.policy_version;
      const auto id = writer.append(row);
      writer.set_outcome(id, e.rewards[d], e.terminals[d] != 0, e.timeouts[d] != 0);
    }
  }
  writer.close();
}

}  // namespace marlsim

#pragma once
// What a learned policy records of its decisions for training (issue 12): per decision the
// network's inputs (own observation, the candidates' features), what it did (action, its
// log-probability) and who decided what (task, agent, time), plus one global state per
// decide() call (a decision cycle), the centralized critic's input.
//
// The policy appends in decide() order, which is (LP id, request order) and the same for any
// thread count. With batched episodes (engine/cluster/episode.hpp: run_episodes) each episode
// has its own log (LearnerLink::logs, by DispatchContext::episode): a decide() call serving
// several episodes appends each episode's requests, with one global state of that episode, to
// that episode's log, so every log is the one the episode would write alone. Rewards are not known here: the trainer
// assigns them after the episode from the tasks' outcomes (engine/training/rollout.hpp).
//
// The global state comes from whoever runs the policy (the cluster model knows the true
// state of the nodes; the policy only its view): set `global_state` before the episode.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "agents/cluster_view.hpp"
#include "engine/support/sim_time.hpp"

namespace marlsim {

struct DecisionLog {
  std::size_t own_width = 0, candidate_width = 0, global_width = 0;  // floats per row

  // Per decision.
  std::vector<float> own;  // decisions x own_width
  std::vector<std::uint64_t> candidate_begin{
      0};                                   // decisions + 1: decision d owns candidate rows [begin[d], begin[d+1])
  std::vector<float> candidates;            // candidate rows x candidate_width
  std::vector<std::int32_t> actions;        // chosen row, relative to the decision's first row
  std::vector<float> log_probs;             // of the chosen action, nats
  std::vector<std::uint64_t> tasks;         // the task placed
  std::vector<NodeId> agents;               // the deciding node, or kNoNode for a scheduler
  std::vector<double> time_s;               // simulated time of the decision
  std::vector<std::uint32_t> global_state;  // row of global_states this decision's cycle wrote
  std::vector<std::uint8_t> roles;          // the deciding role, an index into role_names (decentralized-ac: 0)
  // hrac only (else empty): what the decision's role attention read (agents/hrac_attention.hpp),
  // so training can differentiate it: per decision role_names.size() summaries of own_width / 2
  // floats, and as many presence flags.
  std::vector<float> role_summaries;
  std::vector<std::uint8_t> role_present;

  // Per decide() call.
  std::vector<float> global_states;  // cycles x global_width
  // hrac: the role attention of each decide() call, role_names.size()^2 floats per call: row a
  // holds the mean attention weights of role a's decisions in that call over the attended roles
  // (zeros if role a did not decide). Empty for policies without role attention.
  std::vector<float> role_attention;

  std::vector<std::string> role_names;  // set by the policy when it starts recording ({"agent"}: one role)

  // Writes global_width floats describing the whole system at `now`; empty: no global state
  // (global_width must then be 0).
  std::function<void(SimTime now, std::span<float> out)> global_state_source;

  std::size_t decisions() const { return actions.size(); }
  std::size_t cycles() const { return global_width == 0 ? 0 : global_states.size() / global_width; }
  // Forgets the rows; keeps the widths and the source.
  void clear() {
    own.clear(), candidates.clear(), actions.clear(), log_probs.clear(), tasks.clear(), agents.clear();
    time_s.clear(), global_state.clear(), roles.clear(), global_states.clear(), role_attention.clear();
    role_summaries.clear(), role_present.clear();
    candidate_begin.assign(1, 0);
  }
};

// A decide() call's requests come in (episode, LP id, request order) order, so each episode's
// are consecutive: calls f(episode, first, end) for each episode's requests [first, end).
template <class EpisodeOf, class F>
void for_each_episode(std::size_t requests, EpisodeOf episode_of, F f) {
  for (std::size_t first = 0; first < requests;) {
    const auto episode = episode_of(first);
    std::size_t end = first + 1;
    while (end < requests && episode_of(end) == episode) ++end;
    f(episode, first, end);
    first = end;
  }
}

}  // namespace marlsim

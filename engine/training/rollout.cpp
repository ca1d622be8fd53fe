#include "engine/training/rollout.hpp"

#include "agents/actor_critic_policy.hpp"
#include "engine/training/reward_shaping.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>
#include <unordered_set>

namespace marlsim {

namespace {
// hrac's per-decision attention inputs (DecisionLog::role_summaries, role_present): row d to row `to`.
void keep_role_attention_inputs(DecisionLog& log, std::size_t d, std::size_t to) {
  if (log.role_present.empty()) return;
  const std::size_t roles = log.role_names.size(), width = roles * (log.own_width / 2);
  std::copy_n(log.role_present.begin() + static_cast<std::ptrdiff_t>(d * roles), roles,
              log.role_present.begin() + static_cast<std::ptrdiff_t>(to * roles));
  std::copy_n(log.role_summaries.begin() + static_cast<std::ptrdiff_t>(d * width), width,
              log.role_summaries.begin() + static_cast<std::ptrdiff_t>(to * width));
}
}  // namespace

void keep_decisions(DecisionLog& log, const std::vector<std::uint8_t>& keep) {
  const std::size_t n = log.decisions();
  if (keep.size() != n) throw std::logic_error("keep_decisions: one flag per decision expected");
  std::size_t kept = 0;
  std::uint64_t rows = 0;
  for (std::size_t d = 0; d < n; ++d) {
    if (keep[d] == 0) continue;
    const std::uint64_t begin = log.candidate_begin[d], end = log.candidate_begin[d + 1];
    std::copy(log.candidates.begin() + static_cast<std::ptrdiff_t>(begin * log.candidate_width),
              log.candidates.begin() + static_cast<std::ptrdiff_t>(end * log.candidate_width),
              log.candidates.begin() + static_cast<std::ptrdiff_t>(rows * log.candidate_width));
    std::copy(log.own.begin() + static_cast<std::ptrdiff_t>(d * log.own_width),
              log.own.begin() + static_cast<std::ptrdiff_t>((d + 1) * log.own_width),
              log.own.begin() + static_cast<std::ptrdiff_t>(kept * log.own_width));
    rows += end - begin;
    log.candidate_begin[kept + 1] = rows;
    log.actions[kept] = log.actions[d];
    log.log_probs[kept] = log.log_probs[d];
    log.tasks[kept] = log.tasks[d];
    log.agents[kept] = log.agents[d];
    log.time_s[kept] = log.time_s[d];
    log.global_state[kept] = log.global_state[d];
    if (!log.roles.empty()) log.roles[kept] = log.roles[d];
    keep_role_attention_inputs(log, d, kept);
    ++kept;
  }
  log.candidates.resize(rows * log.candidate_width);
  log.candidate_begin.resize(kept + 1);
  log.own.resize(kept * log.own_width);
  log.actions.resize(kept), log.log_probs.resize(kept), log.tasks.resize(kept), log.agents.resize(kept);
  log.time_s.resize(kept), log.global_state.resize(kept);
  if (!log.roles.empty()) log.roles.resize(kept);
  log.role_present.resize(log.role_present.empty() ? 0 : kept * log.role_names.size());
  log.role_summaries.resize(log.role_summaries.empty() ? 0 : kept * log.role_names.size() * (log.own_width / 2));
}

ScoredEpisode score_episode(std::uint64_t episode, DecisionLog log, const EpisodeResult& result,
                            std::span<const TaskSpec> tasks, double reward_scale_s, double train_from_s) {
  const std::size_t task_count = tasks.size();
  if (train_from_s > 0) {
    std::vector<std::uint8_t> keep(log.decisions());
    for (std::size_t d = 0; d < keep.size(); ++d) keep[d] = tasks[log.tasks.at(d)].arrival_s >= train_from_s;
    keep_decisions(log, keep);
  }
  const std::size_t n = log.decisions();
  // When each task ended; unfinished ones count up to the episode's stop.
  constexpr SimTime kUnfinished = -1;
  std::vector<SimTime> end(task_count, kUnfinished);
  SimTime stop = from_seconds(result.metrics.makespan_s);
  for (const TaskRecord& t : result.tasks) {
    if (t.task >= task_count) throw std::logic_error("score_episode: task id beyond the episode's tasks");
    end[t.task] = t.end;
  }
  for (double t : log.time_s) stop = std::max(stop, from_seconds(t));
  const bool cut = result.metrics.incomplete > 0;

  ScoredEpisode out;
  out.episode = episode;
  out.rewards.resize(n);
  out.terminals.assign(n, 0);
  out.timeouts.assign(n, 0);
  for (std::size_t d = 0; d < n; ++d) {
    const SimTime e = end.at(log.tasks[d]) == kUnfinished ? stop : end[log.tasks[d]];
    out.rewards[d] = static_cast<float>(-(to_seconds(e) - log.time_s[d]) / reward_scale_s);
  }
  // Each agent's last decision ends its trajectory.
  std::unordered_set<NodeId> seen;
  for (std::size_t d = n; d-- > 0;)
    if (seen.insert(log.agents[d]).second) (cut ? out.timeouts : out.terminals)[d] = 1;
  out.log = std::move(log);
  return out;
}

nn::RowMatrixF critic_inputs(const DecisionLog& log) {
  const auto g = static_cast<Eigen::Index>(log.global_width), o = static_cast<Eigen::Index>(log.own_width);
  nn::RowMatrixF x(static_cast<Eigen::Index>(log.decisions()), g + o);
  for (std::size_t d = 0; d < log.decisions(); ++d) {
    const auto r = static_cast<Eigen::Index>(d);
    for (Eigen::Index j = 0; j < g; ++j) x(r, j) = log.global_states[log.global_state[d] * log.global_width + j];
    for (Eigen::Index j = 0; j < o; ++j) x(r, g + j) = log.own[d * log.own_width + j];
  }
  return x;
}

nn::PpoRollout build_rollout(const std::vector<ScoredEpisode>& episodes,
                             const std::function<Eigen::VectorXf(const nn::RowMatrixF&)>& critic_values,
                             const nn::ValueNorm& norm, nn::GaeSettings gae, RolloutStats& stats, double reward_lambda,
                             bool mask_unfit) {
  std::size_t n = 0, rows = 0;
  for (const ScoredEpisode& e : episodes) {
    n += e.log.decisions();
    rows += e.log.candidate_begin.back();
  }
  if (episodes.empty() || n == 0) throw std::invalid_argument("build_rollout: no decisions to learn from");
  const DecisionLog& first = episodes.front().log;
  const auto own_w = static_cast<Eigen::Index>(first.own_width),
             cand_w = static_cast<Eigen::Index>(first.candidate_width);

  nn::PpoRollout out;
  out.decisions.own.resize(static_cast<Eigen::Index>(n), own_w);
  out.decisions.candidates.resize(static_cast<Eigen::Index>(rows), cand_w);
  out.decisions.offsets.assign(1, 0);
  out.actions.reserve(n);
  out.old_log_probs.resize(static_cast<Eigen::Index>(n));
  out.global_states.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(first.global_width) + own_w);

  // Per decision, in episode order: inputs, rewards, and the trajectory it belongs to.
  std::vector<float> rewards(n), values(n), next_values(n);
  std::vector<std::uint8_t> terminals(n), timeouts(n);
  std::vector<std::size_t> order(n);  // decisions sorted by (episode, agent, time): trajectories contiguous
  std::size_t d0 = 0, r0 = 0;
  double return_sum = 0;
  std::size_t trajectories = 0;
  for (const ScoredEpisode& e : episodes) {
    const DecisionLog& log = e.log;
    const std::size_t m = log.decisions();
    std::copy(log.own.begin(), log.own.end(), out.decisions.own.data() + d0 * log.own_width);
    std::copy(log.candidates.begin(), log.candidates.end(), out.decisions.candidates.data() + r0 * log.candidate_width);
    for (std::size_t d = 0; d < m; ++d)
      out.decisions.offsets.push_back(static_cast<Eigen::Index>(r0 + log.candidate_begin[d + 1]));
    out.actions.insert(out.actions.end(), log.actions.begin(), log.actions.end());
    std::copy(log.log_probs.begin(), log.log_probs.end(), out.old_log_probs.data() + d0);
    out.global_states.middleRows(static_cast<Eigen::Index>(d0), static_cast<Eigen::Index>(m)) = critic_inputs(log);
    std::copy(e.rewards.begin(), e.rewards.end(), rewards.begin() + static_cast<std::ptrdiff_t>(d0));
    std::copy(e.terminals.begin(), e.terminals.end(), terminals.begin() + static_cast<std::ptrdiff_t>(d0));
    std::copy(e.timeouts.begin(), e.timeouts.end(), timeouts.begin() + static_cast<std::ptrdiff_t>(d0));
    std::iota(order.begin() + static_cast<std::ptrdiff_t>(d0), order.begin() + static_cast<std::ptrdiff_t>(d0 + m), d0);
    std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(d0),
                     order.begin() + static_cast<std::ptrdiff_t>(d0 + m),
                     [&](std::size_t a, std::size_t b) { return log.agents[a - d0] < log.agents[b - d0]; });
    for (std::size_t d = 0; d < m; ++d) {
      return_sum += e.rewards[d];
      trajectories += e.terminals[d] + e.timeouts[d];
    }
    d0 += m;
    r0 += log.candidate_begin.back();
  }
  if (mask_unfit) mask_unfit_candidates(out.decisions);

  // The critic's values in return units; the next value of a decision is its agent's next one.
  Eigen::VectorXf v = critic_values(out.global_states);
  out.old_values = v;
  norm.denormalize({v.data(), n});
  std::vector<float> r(n), val(n), next(n);
  std::vector<std::uint8_t> term(n), tout(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t d = order[i];
    r[i] = rewards[d];
    val[i] = v[static_cast<Eigen::Index>(d)];
    term[i] = terminals[d];
    tout[i] = timeouts[d];
  }
  for (std::size_t i = 0; i < n; ++i) next[i] = term[i] != 0 || i + 1 == n ? 0.0f : tout[i] != 0 ? val[i] : val[i + 1];
  shape_rewards(r, val, next, reward_lambda);  // stats.reward_sum stays the unshaped return
  const nn::GaeResult g = nn::compute_gae(r, val, next, term, tout, gae);

  out.advantages.resize(static_cast<Eigen::Index>(n));
  out.returns.resize(static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) {
    out.advantages[static_cast<Eigen::Index>(order[i])] = g.advantages[i];
    out.returns[static_cast<Eigen::Index>(order[i])] = g.returns[i];
  }
  stats.values.assign(v.data(), v.data() + n);
  stats.decisions = n;
  stats.trajectories = trajectories;
  stats.reward_sum = return_sum;
  return out;
}

}  // namespace marlsim

#pragma once
// From episodes' decision logs to the trainer's rollout (issue 12).
//
// Rewards. A decision's outcome is known when its task completes: decision d, taken at t_d
// for task k, gets r_d = -(end_k - t_d) / reward_scale_s, the part of the task's completion
// time the decision still shaped (the time from the decision to the task's end). Summed over
// every decision of an episode this is minus the episode's total completion time (less the
// time tasks waited before their first decision), the quantity the studies rank policies by.
// A task still unfinished when the episode stopped counts up to the stop. With a warm-up
// (run.warmup_s), only the decisions after it are scored and trained on.
//
// Trajectories. Each deciding agent (a node, or the central scheduler) is one trajectory per
// episode: its decisions in the order it took them. Its last decision is terminal (the
// episode ends for it), or a timeout when the episode was cut by run.max_time_s with tasks
// unfinished. GAE runs per trajectory with the centralized critic's values V([global, own])
// (CTDE: the critic sees the true global state of the decision's cycle and the agent's own
// observation; the actors see only their observations).
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "agents/decision_log.hpp"
#include "agents/nn/gae.hpp"
#include "agents/nn/ppo_trainer.hpp"
#include "agents/nn/value_norm.hpp"
#include "engine/cluster/episode.hpp"
#include "workloads/task_spec.hpp"

namespace marlsim {

// One episode's decisions with their rewards and trajectory ends, one entry per decision.
struct ScoredEpisode {
  std::uint64_t episode = 0;
  DecisionLog log;
  std::vector<float> rewards;
  std::vector<std::uint8_t> terminals, timeouts;
};

// `log` as recorded by the episode that gave `result` (one rank: result.tasks holds every
// completed measured task); `tasks` the episode's tasks. Decisions for tasks that arrived before
// `train_from_s` (the scenario's run.warmup_s: a steady-state window) were simulated, and
// shaped the queues the later ones meet, but are not scored nor trained on.
ScoredEpisode score_episode(std::uint64_t episode, DecisionLog log, const EpisodeResult& result,
                            std::span<const TaskSpec> tasks, double reward_scale_s, double train_from_s = 0);

// Keeps the decisions d with keep[d] != 0, in order; the global states table stays whole (the
// kept decisions still index it).
void keep_decisions(DecisionLog& log, const std::vector<std::uint8_t>& keep);

// [global state of the decision's cycle, own observation] per decision: the critic's input.
nn::RowMatrixF critic_inputs(const DecisionLog& log);

struct RolloutStats {
  std::uint64_t decisions = 0, trajectories = 0;
  double reward_sum = 0;      // undiscounted, over every decision
  std::vector<float> values;  // the critic's per decision, in return units, rollout order
};

// Concatenates the episodes, evaluates `critic_values` (critic outputs in normalised units),
// denormalises them with `norm` and runs GAE per trajectory. The rollout's old values are in
// normalised units, its advantages and returns in return units: the caller updates the value
// normalisation with the returns (of every rank) and then normalises them. `reward_lambda` < 1
// shapes the rewards before GAE (reward_shaping.hpp); stats.reward_sum is always unshaped.
// `mask_unfit` (decentralized-ac's agents.mask_unfit) rebuilds the mask the policy sampled
// under from the logged candidate.fits_task column (mask_unfit_candidates), so the update's
// log-probabilities are those of the distribution that acted.
nn::PpoRollout build_rollout(const std::vector<ScoredEpisode>& episodes,
                             const std::function<Eigen::VectorXf(const nn::RowMatrixF&)>& critic_values,
                             const nn::ValueNorm& norm, nn::GaeSettings gae, RolloutStats& stats,
                             double reward_lambda = 1.0, bool mask_unfit = false);

}  // namespace marlsim

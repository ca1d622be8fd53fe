#pragma once
// `marlsim train --policy hierrl`: deep Q-learning of hierrl's two levels (issue 12; source
// study 3). Each iteration: every rank runs its episodes with epsilon-greedy actions (the
// deciding LPs' own streams), scores their high- and low-level decisions, adds them to each
// level's replay (the last replay_iterations iterations' decisions), takes the same number of
// DQN steps per level with gradients averaged across ranks (one MPI_Allreduce per step), and
// checkpoints (rank 0: both networks plus both trainers' state; every rank: its iteration's
// replay rows beside it, replay-NNNNNN-rank-RRRR.h5, so that --resume on the same rank count
// rebuilds the replay and continues bit for bit).
//
// Rewards (reward units of reward_scale_s seconds; the sum of a node's low-level rewards is
// minus the time its tasks waited after its first decision):
//   low level, decision d of node n at t_d, the node's next decision at t_next (its last task's
//   end after its last decision): r = -(task-seconds the tasks that ran on n spent waiting
//   (from ready to start) within [t_d, t_next)) / reward_scale_s; next state: that next decision.
//   high level, decision d placing task k at t_d: r = -(end_k - ready_k) / reward_scale_s, the
//   task's completion time; next state: the scheduler's next decision.
//
// Training episodes are numbered from kFirstTrainingEpisode. The setting's tasks and nodes are
// the same in every episode of one scenario (a trace window), so training episodes vary the
// cluster size (train_nodes), the task count (train_tasks) and the trace window
// (train_window_offsets_s after workload.trace.window_start_s): episode e takes nodes
// train_nodes[e % N], tasks train_tasks[(e / N) % T], offset train_window_offsets_s[(e / NT) % W].
// Evaluation (`marlsim run`) uses the scenario's own window, never trained on when no offset is 0.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agents/nn/dqn_trainer.hpp"
#include "engine/experiment/scenario.hpp"
#include "mpi/communicator.hpp"

namespace marlsim {

struct QLearningSettings {
  int iterations = 20;
  int episodes_per_iteration = 8;  // over all ranks
  std::string checkpoint_dir;
  bool resume = false;
  double reward_scale_s = 1000.0;
  int steps_per_iteration = 200;  // DQN steps per level per iteration
  int replay_iterations = 8;      // the replay keeps the decisions of this many latest iterations
  // Exploration: linear from epsilon_start at iteration 0 to epsilon_end at epsilon_iterations.
  double epsilon_start = 0.5, epsilon_end = 0.02;
  int epsilon_iterations = 10;
  nn::DqnSettings high{0.5f}, low{0.9f};            // gamma: the high level's tasks hardly shape its next ones
  std::vector<std::uint64_t> train_nodes;           // empty: the scenario's cluster.nodes
  std::vector<std::uint64_t> train_tasks;           // empty: the scenario's workload.trace.max_tasks
  std::vector<double> train_window_offsets_s{0.0};  // added to workload.trace.window_start_s
};

struct QIterationRecord {
  int iteration = 0;
  std::uint64_t episodes = 0, high_decisions = 0, low_decisions = 0;
  double mean_completion_s = 0;  // over the iteration's (exploring) episodes
  double epsilon = 0;
  nn::DqnStats high, low;  // averaged across ranks
  double collect_s = 0, update_s = 0;
  std::string checkpoint;
};

// Collective. Throws InputError on bad settings, a missing or mismatched checkpoint or replay to
// resume from, or a diverging update (naming the iteration; the last good checkpoint stays).
std::vector<QIterationRecord> train_hierrl(const Communicator& comm, const Scenario& scenario,
                                           const QLearningSettings& settings,
                                           const std::function<void(const QIterationRecord&)>& progress = {});

}  // namespace marlsim

#pragma once
// `marlsim train`'s loop (issue 12): collect episodes with the current policy, score them,
// update each role's actor and its centralized critic with PPO, checkpoint, repeat.
//
// Roles. decentralized-ac has one ("agent"); hrac one per role of its role map (tiers, plus
// "scheduler" where a central scheduler decides). Each role's network is updated from its own
// decisions only, by its own PPO trainer with its own centralized critic and value
// normalisation (see RoleTrainer in training_run.cpp for why per role). hrac's role-attention
// parameters are trained by the roles' actor losses, one step per iteration after every
// role's update (agents/hrac_attention_trainer.hpp).
// With reward shaping, one global value estimator (global_critic.hpp) is trained beside them.
//
// Ranks simulate whole episodes in parallel (each rank a contiguous block of the iteration's
// episodes on a one-rank communicator, run.batch_episodes of them side by side in one kernel,
// each with its own decision log: the same result for any batch size) and average their
// gradients with one MPI_Allreduce per minibatch, so every rank holds the same weights after every update. Training
// episodes are numbered from kFirstTrainingEpisode up: evaluation (`marlsim run`, episodes 0, 1, ...) never sees a task
// stream the policy was trained on.
//
// Everything is derived from run.seed and the iteration, and the checkpoint of iteration i
// holds the whole learner (actor, critic, optimizer moments, value normalisation), so a run
// resumed from it continues exactly as an uninterrupted one.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agents/nn/gae.hpp"
#include "agents/nn/ppo_trainer.hpp"
#include "engine/experiment/scenario.hpp"
#include "engine/training/local_reward.hpp"
#include "engine/training/training_loop.hpp"
#include "mpi/communicator.hpp"

namespace marlsim {

struct TrainingSettings {
  std::string policy = "decentralized-ac";
  int iterations = 10;
  int episodes_per_iteration = 8;  // over all ranks
  std::string checkpoint_dir;      // "": no checkpoints (and no --resume)
  bool resume = false;
  // Rewards in units of this many seconds of completion time (rollout.hpp); the critic's
  // value normalisation makes the choice matter little.
  double reward_scale_s = 60.0;
  nn::GaeSettings gae;  // MAPPO's gamma 0.99, lambda 0.95
  // Local-global reward shaping (reward_shaping.hpp): 1 = none (the local rewards alone); < 1
  // mixes in the change of a global value estimator (global_critic.hpp), trained alongside.
  double reward_lambda = 1.0;
  // The local reward the learners train on (local_reward.hpp); the reported return is always
  // the task rewards' (the global objective), so runs with different choices compare.
  LocalReward local_reward = LocalReward::Task;
  nn::PpoSettings ppo;
  // The centralized critic's hidden layers (ReLU): input [global state, own observation].
  std::vector<Eigen::Index> critic_hidden{128, 128};
};

// One role's update in an iteration.
struct RoleUpdate {
  std::string role;
  std::uint64_t decisions = 0;  // over all ranks
  bool updated = false;         // false: some rank had none of the role's decisions (no step taken)
  nn::PpoStats stats;           // losses averaged across ranks; times this rank's
};

struct IterationRecord {
  int iteration = 0;
  std::uint64_t episodes = 0, decisions = 0;
  double mean_return = 0;        // undiscounted, per trajectory (an agent's decisions in one episode), reward units
  double mean_completion_s = 0;  // over the iteration's episodes
  double sla_pct = 0;
  nn::PpoStats update;            // over the roles: losses averaged over the updated roles, times summed
  std::vector<RoleUpdate> roles;  // per role, in role order
  // hrac: the role attention, roles x roles, row a the mean attention weights of role a's
  // decisions over the other roles (mean over the decision cycles where role a decided with
  // another role among its candidates; zeros if never). Empty without role attention.
  std::vector<double> role_attention;
  double collect_s = 0, update_s = 0;  // wall time, slowest rank
  std::string checkpoint;              // written this iteration ("" without a directory)
};

// Collective. Throws InputError for a policy that cannot be trained, a missing or mismatched
// checkpoint to resume from, or a diverging update (naming the iteration; the last good
// checkpoint stays).
std::vector<IterationRecord> train_policy(const Communicator& comm, const Scenario& scenario,
                                          const TrainingSettings& settings,
                                          const std::function<void(const IterationRecord&)>& progress = {});

}  // namespace marlsim

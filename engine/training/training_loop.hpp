#pragma once
// What both training loops share (PPO: training_run.hpp; hierrl's Q-learning:
// q_learning_run.hpp): their common options, the files of an iteration in the checkpoint
// directory, where --resume starts, how an iteration's episodes are numbered and split over the
// ranks, and reading a trainer's arrays back from a checkpoint.
#include <cstdint>
#include <string>
#include <vector>

#include "agents/nn/checkpoint.hpp"
#include "mpi/communicator.hpp"

namespace marlsim {

// Training episodes are numbered from here up: evaluation (`marlsim run`, episodes 0, 1, ...)
// never sees a task stream the policy was trained on.
inline constexpr std::uint64_t kFirstTrainingEpisode = 1'000'000;

// Throws InputError for --iterations < 1, fewer episodes per iteration than ranks, or --resume
// without --checkpoint-dir.
void check_loop_options(const Communicator& comm, int iterations, int episodes_per_iteration, bool resume,
                        const std::string& checkpoint_dir);

// The files of an iteration inside the checkpoint directory: the checkpoint (the policy, which
// `marlsim run` evaluates, plus the trainer's state) and the decisions it was trained on.
std::string checkpoint_path(const std::string& dir, int iteration);
std::string trajectory_path(const std::string& dir, int iteration);
// The final policy alone (the last iteration's networks, without the trainer's state).
std::string policy_path(const std::string& dir);

// The highest iteration below `iterations` with a checkpoint in dir (written complete:
// save_checkpoint renames a finished temporary file), or -1.
int last_checkpointed_iteration(const std::string& dir, int iterations);

// This rank's episodes of an iteration, [begin, end) of 0 .. episodes_per_iteration - 1: a
// contiguous block per rank, so that files written in rank order hold them in episode order.
struct EpisodeRange {
  int begin = 0, end = 0;
};
EpisodeRange rank_episodes(const Communicator& comm, int episodes_per_iteration);
// The episode index (hence seeds and task stream) of episode j of iteration `iteration`.
std::uint64_t training_episode(int iteration, int episodes_per_iteration, int j);

// The trainer's array `name` from a checkpoint's trainer group; InputError naming the path if
// it has none (not a training checkpoint of this policy).
const std::vector<double>& trainer_array(const std::vector<nn::CheckpointArray>& arrays, const std::string& name,
                                         const std::string& path);

}  // namespace marlsim

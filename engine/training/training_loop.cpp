#include "engine/training/training_loop.hpp"

#include <cstdio>
#include <filesystem>

#include "engine/support/input_error.hpp"

namespace marlsim {

void check_loop_options(const Communicator& comm, int iterations, int episodes_per_iteration, bool resume,
                        const std::string& checkpoint_dir) {
  if (iterations < 1) throw InputError::at("--iterations", "expected at least 1");
  if (episodes_per_iteration < comm.size())
    throw InputError::at("--episodes-per-iteration", "expected at least one episode per rank (" +
                                                         std::to_string(comm.size()) + "), got " +
                                                         std::to_string(episodes_per_iteration));
  if (resume && checkpoint_dir.empty())
    throw InputError::at("--resume", "needs --checkpoint-dir (where the checkpoints to resume from are)");
}

std::string checkpoint_path(const std::string& dir, int iteration) {
  char name[32];
  std::snprintf(name, sizeof name, "iteration-%06d.h5", iteration);
  return (std::filesystem::path(dir) / name).string();
}

std::string trajectory_path(const std::string& dir, int iteration) {
  char name[40];
  std::snprintf(name, sizeof name, "trajectories-%06d.h5", iteration);
  return (std::filesystem::path(dir) / name).string();
}

std::string policy_path(const std::string& dir) { return (std::filesystem::path(dir) / "policy.h5").string(); }

int last_checkpointed_iteration(const std::string& dir, int iterations) {
  for (int i = iterations - 1; i >= 0; --i)
    if (std::filesystem::exists(checkpoint_path(dir, i))) return i;
  return -1;
}

EpisodeRange rank_episodes(const Communicator& comm, int episodes_per_iteration) {
  const int E = episodes_per_iteration, R = comm.size(), me = comm.rank();
  return {E * me / R, E * (me + 1) / R};
}

std::uint64_t training_episode(int iteration, int episodes_per_iteration, int j) {
  return kFirstTrainingEpisode +
         static_cast<std::uint64_t>(iteration) * static_cast<std::uint64_t>(episodes_per_iteration) +
         static_cast<std::uint64_t>(j);
}

const std::vector<double>& trainer_array(const std::vector<nn::CheckpointArray>& arrays, const std::string& name,
                                         const std::string& path) {
  for (const nn::CheckpointArray& a : arrays)
    if (a.name == name) return a.values;
  throw InputError::at(path, "no trainer/" + name +
                                 ": not a training checkpoint of this policy (written by marlsim "
                                 "train)");
}

}  // namespace marlsim

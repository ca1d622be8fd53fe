#include "cli/train_summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "engine/training/training_loop.hpp"

namespace marlsim::cli {

void print_training_start(const Communicator& comm, const Scenario& scenario, std::string_view what, int iterations,
                          int episodes_per_iteration) {
  if (comm.is_root())
    fmt::print("training {} on {} ({}): {} iteration(s) x {} episode(s), seed {}, {} rank(s)\n", what, scenario.name,
               scenario.path, iterations, episodes_per_iteration, scenario.run.seed, comm.size());
  std::fflush(stdout);
}

void print_profile_start(std::size_t iterations, double collect_s, double update_s, std::string_view update_label) {
  const double n = std::max<double>(1.0, static_cast<double>(iterations));
  fmt::print("\nprofile over {} iteration(s), seconds per iteration (slowest rank):\n", iterations);
  fmt::print("  {:<44} {:>10.4f}\n", "collection (episodes)", collect_s / n);
  fmt::print("  {:<44} {:>10.4f}\n", update_label, update_s / n);
}

void print_training_end(const Scenario& scenario, const std::string& policy, double wall_s,
                        const std::string& checkpoint_dir, const std::string& summary_json) {
  fmt::print("wall time {:.2f} s\n", wall_s);
  if (!checkpoint_dir.empty()) {
    const std::string file = policy_path(checkpoint_dir);
    fmt::print("policy: {} (evaluate on unseen episodes: marlsim run {} --policy {} --set agents.checkpoint={})\n",
               file, scenario.path, policy, file);
  }
  if (!summary_json.empty()) fmt::print("summary: {}\n", summary_json);
}

nlohmann::json training_summary(const Scenario& scenario, const std::string& policy, int iterations,
                                int episodes_per_iteration, double wall_s, nlohmann::json curve) {
  return {{"command", "train"},
          {"scenario", scenario.name},
          {"scenario_file", scenario.path},
          {"policy", policy},
          {"seed", scenario.run.seed},
          {"iterations", iterations},
          {"episodes_per_iteration", episodes_per_iteration},
          {"batch_episodes", scenario.batch_episodes},
          {"first_training_episode", kFirstTrainingEpisode},
          {"wall_s", wall_s},
          {"version", MARLSIM_VERSION},
          {"curve", std::move(curve)}};
}

}  // namespace marlsim::cli

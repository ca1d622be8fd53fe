#pragma once
// What `marlsim train` prints and writes the same way for both training loops (PPO for
// decentralized-ac and hrac: train_command.cpp; hierrl's Q-learning: train_hierrl.cpp): the
// opening line, the profile's first lines, the closing lines, the JSON summary's common fields.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "engine/experiment/scenario.hpp"
#include "mpi/communicator.hpp"

namespace marlsim::cli {

// Rank 0: "training WHAT on SCENARIO ...".
void print_training_start(const Communicator& comm, const Scenario& scenario, std::string_view what, int iterations,
                          int episodes_per_iteration);
// The profile's heading and its collection and update lines (sums over `iterations` iterations).
void print_profile_start(std::size_t iterations, double collect_s, double update_s, std::string_view update_label);
// The wall time, where the trained policy is (with a checkpoint directory) and the summary file.
void print_training_end(const Scenario& scenario, const std::string& policy, double wall_s,
                        const std::string& checkpoint_dir, const std::string& summary_json);
// The summary's fields common to both loops, with `curve` (one object per iteration).
nlohmann::json training_summary(const Scenario& scenario, const std::string& policy, int iterations,
                                int episodes_per_iteration, double wall_s, nlohmann::json curve);

}  // namespace marlsim::cli

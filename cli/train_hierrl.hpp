#pragma once
// `marlsim train --policy hierrl`: the Q-learning loop (engine/training/q_learning_run.hpp)
// with one line of progress per iteration, a profile at the end and an optional JSON summary.
#include <string>

#include "engine/experiment/scenario.hpp"
#include "engine/training/q_learning_run.hpp"
#include "mpi/communicator.hpp"

namespace marlsim::cli {

struct HierRlTrainOptions {
  QLearningSettings settings;
  std::string summary_json;
  bool quiet = false;
};

int run_hierrl_training(const Communicator& comm, const Scenario& scenario, const HierRlTrainOptions& options);

}  // namespace marlsim::cli

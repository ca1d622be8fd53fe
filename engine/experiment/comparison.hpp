#pragma once
// A comparison: every policy of a scenario over the same episodes. Episode e of every
// policy sees the same cluster and the same task stream (common random numbers, from
// episode_inputs.hpp), so the differences between policies are the policies'. The results
// layout is results_layout.hpp.
//
// Parallel episodes: the ranks form run.rank_groups groups (rank_groups.hpp), each running
// whole (policy, episode) pairs on its own communicator; rank 0 writes every pair's rows in
// pair order, so the results are bit-identical under any grouping and rank count.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/cluster/episode.hpp"
#include "engine/experiment/episode_inputs.hpp"
#include "engine/experiment/scenario.hpp"
#include "mpi/communicator.hpp"
#include "workloads/trace_reader.hpp"

namespace marlsim {

class ResultsFile;

struct PolicyEpisodes {
  std::string policy;
  std::vector<EpisodeMetrics> episodes;
};

struct ComparisonResult {
  std::vector<PolicyEpisodes> policies;
  std::uint64_t nodes = 0;
  std::uint64_t tasks_first_episode = 0;
  double offered_utilization = 0;         // synthetic workloads: offered CPU work over cores x speed
  double offered_memory_utilization = 0;  // and memory x run time over memory x speed (see offered_load)
  std::vector<std::string> notes;         // trace report lines and other facts worth printing
};

// Progress: (policy index, episode index) after each episode, on every rank, in pair order
// (with several rank groups, a block of episodes at a time).
using ProgressFn = std::function<void(std::size_t policy, std::uint64_t episode, const EpisodeMetrics&)>;

// Collective. Writes per-task, per-node and per-episode rows to `results` when given.
ComparisonResult run_comparison(const Communicator& comm, const Scenario& scenario, ResultsFile* results,
                                const ProgressFn& progress = {});

}  // namespace marlsim

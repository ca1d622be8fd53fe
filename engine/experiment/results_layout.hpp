#pragma once
// The HDF5 results layout of a comparison, in one place (docs: analysis/README.md and
// `marlsim run --help`): file attributes; per policy `/<policy>/tasks/*` (one row per
// completed task), `/<policy>/nodes/*` (one row per node), `/<policy>/unschedulable/*` and
// `/<policy>/blocked/*` (task ids), and `/<policy>/episodes/<metric>` (one row per episode,
// unit and description as attributes). Rows carry their episode; every table of an episode
// is one row group (ResultsFile::append_row_group).
#include <cstdint>
#include <string>
#include <vector>

#include "engine/cluster/episode.hpp"
#include "engine/experiment/scenario.hpp"
#include "mpi/communicator.hpp"

namespace marlsim {

class ResultsFile;

// Collective. The run's attributes (scenario, seed, topology, units, code version, ...).
void write_run_attributes(ResultsFile& out, const Communicator& comm, const Scenario& scenario, std::uint64_t nodes);
// Collective. Episode `episode` of `policy`: its task (when per_task), node, unschedulable,
// blocked and episode-metric rows (rank 0 holds them; the others add none).
void write_episode(ResultsFile& out, const Communicator& comm, const std::string& policy, std::uint64_t episode,
                   const std::vector<TaskSpec>& tasks, const ClusterSpec& cluster, const EpisodeResult& r,
                   bool per_task);
// Collective. Units and descriptions of `policy`'s episode metrics (after its episodes).
void write_metric_attributes(ResultsFile& out, const std::string& policy);

}  // namespace marlsim

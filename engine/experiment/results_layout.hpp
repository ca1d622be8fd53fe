#pragma once
// The HDF5 results layout of a comparison, in one place (docs: analysis/README.md and
// `marlsim run --help`): file attributes; per policy `/<policy>/tasks/*` (one row per
// completed task), `/<policy>/nodes/*` (one row per node), `/<policy>/unschedulable/*` and
// `/<policy>/blocked/*` (task ids), and `/<policy>/episodes/<metric>` (one row per episode,
// unit and description as attributes). Rows carry their episode and come in episode order;
// each table of a run of consecutive episodes is one row group (ResultsFile::append_row_group).
#include <cstdint>
#include <string>
#include <vector>

#include "engine/cluster/episode.hpp"
#include "engine/experiment/episode_tables.hpp"
#include "engine/experiment/scenario.hpp"
#include "mpi/communicator.hpp"

namespace marlsim {

class ResultsFile;

// Collective. The run's attributes (scenario, seed, topology, units, code version, ranks and
// rank groups, ...).
void write_run_attributes(ResultsFile& out, const Communicator& comm, const Scenario& scenario, std::uint64_t nodes,
                          int rank_groups);
// Episode `episode` of `policy` as tables: its task rows (when per_task), node,
// unschedulable, blocked and episode-metric rows. `r` is the result on the episode's rank 0.
EpisodeTables episode_tables(const std::string& policy, std::uint64_t episode, const TaskTable& tasks,
                             const ClusterSpec& cluster, const EpisodeResult& r, bool per_task);
// The same tables without rows: what the ranks that do not write an episode pass.
EpisodeTables empty_episode_tables(const std::string& policy, bool per_task);
// Collective. Appends each table as one row group: the tables of one or more consecutive
// episodes of a policy (episode_tables joined by append_rows) on one rank, the others pass
// empty_episode_tables.
void write_episode_tables(ResultsFile& out, const EpisodeTables& tables);
// Collective. Units and descriptions of `policy`'s episode metrics (after its episodes).
void write_metric_attributes(ResultsFile& out, const std::string& policy);

}  // namespace marlsim

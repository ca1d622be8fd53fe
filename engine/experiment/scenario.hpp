#pragma once
// A scenario: everything one `marlsim run` needs (cluster, workload, scheduler, agents,
// seeds, outputs), read from a TOML file (configs/*.toml) with `--set key=value` overrides.
// Times are seconds, power watts, memory gigabytes; each field's TOML key is in its comment.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/cluster/cluster_settings.hpp"
#include "workloads/workload_settings.hpp"

namespace marlsim {

struct OutputConfig {        // [output]
  std::string results = "";  // results: HDF5 results file ("" = none unless --out)
  bool per_task = true;      // per_task: write per-task rows (large for big traces)
};

// The cluster model's settings ([cluster], [scheduler], [agents], [run]:
// engine/cluster/cluster_settings.hpp, agents/agent_settings.hpp) plus the workload's
// ([workload]: workloads/workload_settings.hpp) and this layer's own.
struct Scenario : ClusterModelSettings {
  std::string name;         // name
  std::string description;  // description
  std::string path;         // the file it came from (not a TOML key)
  WorkloadConfig workload;
  OutputConfig output;
  // run.rank_groups: groups of ranks running whole episodes side by side (0: automatic,
  // engine/experiment/rank_groups.hpp). A [run] key, kept here because it is about how a
  // comparison uses its ranks, not about the cluster model, which runs one episode on
  // whatever communicator it is given.
  std::uint32_t rank_groups = 0;
  // run.batch_episodes: episodes of a policy run side by side in one kernel, their decisions
  // sharing the policy's batches (engine/cluster/episode.hpp: run_episodes); 1 to 64.
  std::uint32_t batch_episodes = 1;
};

// Reads a scenario file and applies overrides ("cluster.nodes=10000", "scheduler.policy=least-loaded").
// Unknown keys, wrong types and out-of-range values throw InputError naming the file and key.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});
// The same from TOML text (tests; `origin` names it in errors and resolves relative paths).
Scenario parse_scenario(const std::string& toml_text, const std::string& origin,
                        const std::vector<std::string>& overrides = {});

}  // namespace marlsim

#include "engine/experiment/comparison.hpp"

#include <memory>

#include "agents/actor_critic_policy.hpp"
#include "engine/cluster/memory_estimate.hpp"
#include "engine/experiment/episode_inputs.hpp"
#include "engine/experiment/results_layout.hpp"

namespace marlsim {

ComparisonResult run_comparison(const Communicator& comm, const Scenario& scenario, ResultsFile* results,
                                const ProgressFn& progress) {
  for (const std::string& policy : scenario.scheduler.policies) check_policy_fits_topology(policy, scenario.scheduler);
  // A checkpoint that does not fit the network ([agents]) is refused before any episode runs;
  // each episode's rank then builds its one shared network from the same settings.
  for (const std::string& policy : scenario.scheduler.policies)
    if (policy == "decentralized-ac") make_actor_critic_network(scenario.agents.actor_critic, scenario.run.seed);

  ComparisonResult result;
  std::unique_ptr<Workload> trace = read_scenario_trace(scenario, 0);
  require_episode_memory(
      scenario.path, scenario.scheduler,
      trace && scenario.cluster.source == "trace" ? trace->machines.nodes.size() : scenario.cluster.generated.nodes,
      trace ? trace->tasks.size() : scenario.workload.synthetic.tasks);
  const ClusterSpec cluster = build_cluster(scenario, trace.get(), 0);
  result.nodes = cluster.nodes.size();
  if (trace) {
    result.notes.push_back(trace->report.summary());
  } else {
    const OfferedLoad load = offered_load(base_arrival_rate(scenario.workload.synthetic, cluster),
                                          scenario.workload.synthetic, cluster);
    result.offered_utilization = load.cpu;
    result.offered_memory_utilization = load.memory;
  }
  const bool resample = trace && scenario.workload.trace.sample_jobs < 1.0;
  std::uint64_t trace_episode = 0;  // the episode whose job sample `trace` holds

  if (results) write_run_attributes(*results, comm, scenario, cluster.nodes.size());

  for (std::size_t p = 0; p < scenario.scheduler.policies.size(); ++p) {
    const std::string& policy = scenario.scheduler.policies[p];
    PolicyEpisodes pe{policy, {}};
    for (std::uint64_t e = 0; e < scenario.run.episodes; ++e) {
      // Every policy's episode e runs on episode e's sample (the previous policy left the last one).
      if (resample && e != trace_episode) {
        trace = read_scenario_trace(scenario, e);
        trace_episode = e;
      }
      ClusterSpec fresh;  // with cluster.new_per_episode, episode e's own cluster
      if (scenario.cluster.new_per_episode) fresh = build_cluster(scenario, trace.get(), e);
      const ClusterSpec& episode_cluster = scenario.cluster.new_per_episode ? fresh : cluster;
      const std::vector<TaskSpec> tasks = build_tasks(scenario, episode_cluster, trace.get(), e);
      if (p == 0 && e == 0) result.tasks_first_episode = tasks.size();
      const EpisodeResult r = run_episode(comm, {&scenario, &episode_cluster, &tasks, policy, e});
      pe.episodes.push_back(r.metrics);
      if (results) write_episode(*results, comm, policy, e, tasks, episode_cluster, r, scenario.output.per_task);
      if (progress) progress(p, e, r.metrics);
    }
    if (results) write_metric_attributes(*results, policy);
    result.policies.push_back(std::move(pe));
  }
  return result;
}

}  // namespace marlsim

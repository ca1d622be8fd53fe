#include "engine/experiment/comparison.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <type_traits>

#include "agents/actor_critic_policy.hpp"
#include "engine/experiment/group_failure.hpp"
#include "engine/experiment/rank_groups.hpp"
#include "engine/experiment/results_layout.hpp"
#include "engine/support/input_error.hpp"

namespace marlsim {

namespace {

// What every rank learns of a (policy, episode) pair once its block is done.
struct PairSummary {
  std::uint64_t pair = 0;   // policy x episodes + episode
  std::uint64_t tasks = 0;  // the episode's task count
  std::uint64_t bytes = 0;  // its tables in the gathered message (0: none sent, they stay on rank 0)
  std::uint64_t rows = 0;   // rows of its tables
  EpisodeMetrics metrics;
};

std::uint64_t rows_of(const EpisodeTables& tables) {
  std::uint64_t n = 0;
  for (const Table& t : tables)
    if (!t.empty()) n += std::visit([](const auto& rows) { return rows.size(); }, t.front().rows);
  return n;
}
static_assert(std::is_trivially_copyable_v<PairSummary>);

// Rounds (of one pair per group) per block: the groups exchange results once per block rather
// than per pair, so that a group does not wait on the others' episodes (a seed-study episode
// takes ~5 ms, about as long as a few collectives on a loaded machine). Fewer rounds when a
// block's tables would pass ~256 MiB on the writing rank (~100 bytes per task row).
std::uint64_t rounds_per_block(const Scenario& scenario, const EpisodeInputs& inputs, int groups) {
  constexpr std::uint64_t kMaxRounds = 8, kBlockBytes = std::uint64_t{256} << 20;
  const std::uint64_t tasks = inputs.trace() ? inputs.trace_tasks() : scenario.workload.synthetic.tasks;
  const std::uint64_t pair_bytes = (scenario.output.per_task ? 100 * tasks : 0) +
                                   70 * inputs.first_cluster().nodes.size() + 1000;
  return std::clamp<std::uint64_t>(kBlockBytes / (pair_bytes * static_cast<std::uint64_t>(groups)), 1, kMaxRounds);
}

}  // namespace

ComparisonResult run_comparison(const Communicator& comm, const Scenario& scenario, ResultsFile* results,
                                const ProgressFn& progress) {
  for (const std::string& policy : scenario.scheduler.policies) {
    check_policy_fits_topology(policy, scenario.scheduler);
    check_policy_settings(policy, scenario);
  }
  // A checkpoint that does not fit the network ([agents]) is refused before any episode runs;
  // each episode's rank then builds its one shared network from the same settings.
  for (const std::string& policy : scenario.scheduler.policies)
    if (policy == "decentralized-ac") make_actor_critic_network(scenario.agents.actor_critic, scenario.run.seed);
  const int groups = rank_group_count(scenario, comm.size());
  if (scenario.batch_episodes > 1 && scenario.cluster.new_per_episode)
    throw InputError::at("run.batch_episodes",
                         "batched episodes share one cluster; cluster.new_per_episode = true gives each its own "
                         "(set run.batch_episodes = 1)");
  if (scenario.batch_episodes > 1 && scenario.scheduler.decide == DecideWhen::WindowEnd &&
      scenario.agents.decision_period_s <= 0)
    throw InputError::at("run.batch_episodes",
                         "batched episodes decide at once or in decision cycles: window-end decisions depend on "
                         "where windows end, which the other episodes change; set agents.decision_period_s > 0");

  ComparisonResult result;
  EpisodeInputs inputs(scenario, &comm);
  const ClusterSpec& cluster = inputs.first_cluster();
  result.nodes = cluster.nodes.size();
  if (inputs.trace()) {
    result.notes.push_back(inputs.trace_summary());
  } else {
    const OfferedLoad load = offered_load(base_arrival_rate(scenario.workload.synthetic, cluster),
                                          scenario.workload.synthetic, cluster);
    result.offered_utilization = load.cpu;
    result.offered_memory_utilization = load.memory;
  }
  if (results) write_run_attributes(*results, comm, scenario, cluster.nodes.size(), groups);

  const int group = rank_group_of(comm.rank(), comm.size(), groups);
  const SplitCommunicator split(comm, group, comm.rank());
  const Communicator& group_comm = split.comm();

  const std::vector<std::string>& policies = scenario.scheduler.policies;
  const bool per_task = scenario.output.per_task;
  const std::uint64_t episodes = scenario.run.episodes;
  const std::uint64_t pairs = policies.size() * episodes;
  for (const std::string& policy : policies) result.policies.push_back({policy, {}});
  // Units of work: up to run.batch_episodes consecutive episodes of one policy, run side by
  // side in one kernel (engine/cluster/episode.hpp: run_episodes). Unit u covers the pairs
  // from unit_begin(u) on.
  const std::uint64_t batch = std::min<std::uint64_t>(scenario.batch_episodes, episodes);
  const std::uint64_t units_per_policy = (episodes + batch - 1) / batch;
  const std::uint64_t units = policies.size() * units_per_policy;
  const auto unit_begin = [&](std::uint64_t u) {
    return u >= units ? pairs : (u / units_per_policy) * episodes + (u % units_per_policy) * batch;
  };

  // Blocks of rounds: in each round group g runs unit first + round x G + g, on its own
  // communicator, without waiting for the other groups. After the block the group roots hand
  // their pairs' metrics and tables to rank 0 (group 0's root, which keeps its own), rank 0
  // writes every pair's tables in pair order and every rank gets every pair's metrics.
  // Rank 0 gathers consecutive episodes of a policy and appends them as one row group per
  // table once they hold kWriteRows rows or the policy's episodes end: a few large appends
  // instead of five per episode (each is a few collectives and a dataset extension; at 1,000
  // tasks per episode they took half of the seed study's time). Every rank sees the same row
  // counts, so every rank makes the same appends, whatever the grouping.
  constexpr std::uint64_t kWriteRows = std::uint64_t{1} << 16;
  EpisodeTables pending;  // rank 0
  std::uint64_t pending_rows = 0;
  const auto G = static_cast<std::uint64_t>(groups);
  const std::uint64_t block = std::max<std::uint64_t>(1, rounds_per_block(scenario, inputs, groups) / batch) * G;
  for (std::uint64_t first_unit = 0; first_unit < units; first_unit += block) {
    const std::uint64_t first = unit_begin(first_unit);
    const std::uint64_t end = unit_begin(std::min(units, first_unit + block));
    std::vector<PairSummary> mine;                            // group roots: their pairs, in pair order
    std::vector<char> sent;                                   // group roots but rank 0: their pairs' tables as bytes
    std::vector<EpisodeTables> kept;                          // rank 0: its own pairs' tables
    std::vector<std::size_t> kept_at(end - first, SIZE_MAX);  // rank 0: by pair - first, into kept
    GroupFailure failure;
    try {
      for (std::uint64_t u = first_unit + static_cast<std::uint64_t>(group); u < std::min(units, first_unit + block);
           u += G) {
        const std::size_t p = u / units_per_policy;
        const std::uint64_t e0 = unit_begin(u) - p * episodes;
        const std::uint64_t count = std::min(batch, episodes - e0);
        std::vector<std::shared_ptr<const TaskTable>> tasks;
        std::vector<EpisodeInput> batch_inputs;
        const ClusterSpec* unit_cluster = nullptr;
        for (std::uint64_t e = e0; e < e0 + count; ++e) {
          EpisodeInputs::Episode ep = inputs.episode(e);
          unit_cluster = ep.cluster;  // the same for every episode unless cluster.new_per_episode (then count is 1)
          tasks.push_back(std::move(ep.tasks));
        }
        for (std::uint64_t i = 0; i < count; ++i)
          batch_inputs.push_back({&scenario, unit_cluster, tasks[i].get(), policies[p], e0 + i});
        const std::vector<EpisodeResult> rs = run_episodes(group_comm, batch_inputs);
        if (!group_comm.is_root()) continue;
        for (std::uint64_t i = 0; i < count; ++i) {
          const std::uint64_t j = unit_begin(u) + i, e = e0 + i;
          const EpisodeResult& r = rs[i];
          PairSummary s{j, tasks[i]->size(), 0, 0, r.metrics};
          if (results) {
            EpisodeTables t = episode_tables(policies[p], e, *tasks[i], *unit_cluster, r, per_task);
            s.rows = rows_of(t);
            if (comm.is_root()) {
              kept_at[j - first] = kept.size();
              kept.push_back(std::move(t));
            } else {
              const std::vector<char> b = to_bytes(t);
              s.bytes = b.size();
              sent.insert(sent.end(), b.begin(), b.end());
            }
          }
          mine.push_back(s);
        }
      }
      if (sent.size() > static_cast<std::size_t>(INT_MAX))
        throw std::runtime_error(
            "parallel episodes: one rank's results of a block exceed 2 GiB; set run.rank_groups = 1");
    } catch (...) {
      failure.caught(std::current_exception());
    }
    failure.agree(comm);

    std::vector<PairSummary> summaries = comm.gather_to_root(mine);
    const std::vector<char> bytes = comm.gather_to_root(sent);
    // Rank 0 has the summaries group after group, each group's in pair order, and the bytes in
    // the same order: note where each pair's tables start, then order the summaries by pair.
    std::vector<std::size_t> offset(end - first, 0);
    std::size_t at = 0;
    for (const PairSummary& s : summaries) {
      offset[s.pair - first] = at;
      at += s.bytes;
    }
    std::sort(summaries.begin(), summaries.end(),
              [](const PairSummary& x, const PairSummary& y) { return x.pair < y.pair; });
    comm.broadcast(summaries);

    for (const PairSummary& s : summaries) {
      const std::size_t p = s.pair / episodes;
      const std::uint64_t e = s.pair % episodes;
      if (s.pair == 0) result.tasks_first_episode = s.tasks;
      result.policies[p].episodes.push_back(s.metrics);
      if (results) {
        const std::size_t k = s.pair - first;
        if (comm.is_root()) {
          if (kept_at[k] != SIZE_MAX)  // run by group 0: rank 0's own
            append_rows(pending, std::move(kept[kept_at[k]]));
          else append_rows(pending, episode_tables_from_bytes(std::span(bytes).subspan(offset[k], s.bytes)));
        }
        pending_rows += s.rows;
        if (pending_rows >= kWriteRows || e + 1 == episodes) {
          write_episode_tables(*results, comm.is_root() ? pending : empty_episode_tables(policies[p], per_task));
          pending.clear();
          pending_rows = 0;
        }
        if (e + 1 == episodes) write_metric_attributes(*results, policies[p]);
      }
      if (progress) progress(p, e, s.metrics);
    }
  }
  return result;
}

}  // namespace marlsim

#include "engine/training/q_learning_run.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <tuple>

#include "agents/hierrl_policy.hpp"
#include "agents/nn/checkpoint.hpp"
#include "agents/policy_registry.hpp"
#include "engine/cluster/episode.hpp"
#include "engine/experiment/episode_inputs.hpp"
#include "engine/support/input_error.hpp"
#include "engine/training/training_loop.hpp"

namespace marlsim {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string replay_path(const std::string& dir, int iteration, int rank) {
  char name[48];
  std::snprintf(name, sizeof name, "replay-%06d-rank-%04d.h5", iteration, rank);
  return (std::filesystem::path(dir) / name).string();
}

nn::ReplayData replay_of(const DecisionLog& log, std::size_t own_width, std::size_t candidate_width) {
  nn::ReplayData r;
  r.own_width = static_cast<Eigen::Index>(own_width);
  r.candidate_width = static_cast<Eigen::Index>(candidate_width);
  r.own = log.own;
  r.candidate_begin = log.candidate_begin;
  r.candidates = log.candidates;
  r.actions = log.actions;
  r.rewards.assign(log.decisions(), 0.0f);
  r.next.assign(log.decisions(), -1);
  return r;
}

// Completed tasks by id; an unfinished task counts up to `stop`.
struct Outcomes {
  std::map<std::uint64_t, const TaskRecord*> by_id;
  SimTime stop = 0;
};

// Rewards and next links of one episode's decisions (q_learning_run.hpp).
void score(const DecisionLog& high_log, const DecisionLog& low_log, const EpisodeResult& result, double scale_s,
           nn::ReplayData& high, nn::ReplayData& low) {
  Outcomes out;
  for (const TaskRecord& t : result.tasks) {
    out.by_id[t.task] = &t;
    out.stop = std::max(out.stop, t.end);
  }
  const double per_ns = 1.0 / (scale_s * 1e9);
  // High level: the scheduler is one agent; decisions in order.
  for (std::size_t d = 0; d < high.size(); ++d) {
    const auto it = out.by_id.find(high_log.tasks[d]);
    const SimTime t = from_seconds(high_log.time_s[d]);
    const SimTime ready = it != out.by_id.end() ? it->second->ready : t;
    const SimTime end = it != out.by_id.end() ? it->second->end : out.stop;
    high.rewards[d] = static_cast<float>(-static_cast<double>(end - ready) * per_ns);
    high.next[d] = d + 1 < high.size() ? static_cast<std::int64_t>(d + 1) : -1;
  }
  // Low level: per node, its decisions in order and the waits of the tasks it ran.
  std::map<NodeId, std::vector<std::size_t>> decisions;
  for (std::size_t d = 0; d < low.size(); ++d) decisions[low_log.agents[d]].push_back(d);
  std::map<NodeId, std::vector<std::pair<SimTime, SimTime>>> waits;  // (ready, start)
  std::map<NodeId, SimTime> last_end;
  for (const TaskRecord& t : result.tasks) {
    waits[t.node].emplace_back(t.ready, t.start);
    last_end[t.node] = std::max(last_end[t.node], t.end);
  }
  for (const auto& [node, ds] : decisions) {
    const auto& w = waits[node];
    for (std::size_t i = 0; i < ds.size(); ++i) {
      const SimTime from = from_seconds(low_log.time_s[ds[i]]);
      const SimTime to = i + 1 < ds.size() ? from_seconds(low_log.time_s[ds[i + 1]]) : std::max(from, last_end[node]);
      double waited = 0;
      for (const auto& [ready, start] : w) {
        const SimTime a = std::max(ready, from), b = std::min(start, to);
        if (b > a) waited += static_cast<double>(b - a);
      }
      low.rewards[ds[i]] = static_cast<float>(-waited * per_ns);
      low.next[ds[i]] = i + 1 < ds.size() ? static_cast<std::int64_t>(ds[i + 1]) : -1;
    }
  }
}

// One training variant's scenario, trace and cluster (read once per rank).
struct Variant {
  Scenario scenario;
  std::unique_ptr<Workload> trace;
  ClusterSpec cluster;
};

}  // namespace

std::vector<QIterationRecord> train_hierrl(const Communicator& comm, const Scenario& scenario,
                                           const QLearningSettings& settings,
                                           const std::function<void(const QIterationRecord&)>& progress) {
  check_loop_options(comm, settings.iterations, settings.episodes_per_iteration, settings.resume,
                     settings.checkpoint_dir);
  if (settings.train_window_offsets_s.empty())
    throw InputError::at("--train-window-offsets-s", "expected at least one");
  // The training grid rewrites the generated cluster's size and the trace's task count and
  // window: elsewhere it would be silently ignored and every "varied" episode the same.
  if (!settings.train_nodes.empty() && scenario.cluster.source == "trace")
    throw InputError::at("--train-nodes", "needs a generated cluster (cluster.source = \"seed-study\"), got \"trace\"");
  const bool from_trace = scenario.workload.kind != "synthetic";
  if (!from_trace && (!settings.train_tasks.empty() || settings.train_window_offsets_s != std::vector<double>{0.0}))
    throw InputError::at(settings.train_tasks.empty() ? "--train-window-offsets-s" : "--train-tasks",
                         "needs a trace workload (workload.kind), got a synthetic one");
  for (const std::uint64_t n : settings.train_nodes)
    if (n < 1) throw InputError::at("--train-nodes", "expected cluster sizes of at least 1 node");
  for (const std::uint64_t t : settings.train_tasks)
    if (t < 1) throw InputError::at("--train-tasks", "expected task counts of at least 1");
  if (scenario.batch_episodes > 1)
    throw InputError::at("run.batch_episodes",
                         "hierrl trains one episode per kernel (its episodes vary the cluster, and its low-level "
                         "queue's decisions are not logged per episode); expected 1, got " +
                             std::to_string(scenario.batch_episodes));
  check_policy_fits_topology("hierrl", scenario.scheduler);
  check_policy_settings("hierrl", scenario);
  if (scenario.scheduler.topology == Topology::Decentralized)
    throw InputError::at("--policy hierrl", "needs topology two-level or centralized (a global scheduler)");

  const std::uint64_t seed = scenario.run.seed;
  auto networks = make_hierrl_networks(scenario.agents.actor_critic, seed);
  nn::DqnTrainer high_trainer(networks->high.actor_layers(), settings.high);
  nn::DqnTrainer low_trainer(networks->low.actor_layers(), settings.low);
  const HierRlWidths widths = hierrl_widths();
  std::deque<std::pair<nn::ReplayData, nn::ReplayData>> replay;  // per iteration: (high, low), this rank's

  int first = 0;
  if (settings.resume) {
    const int last = last_checkpointed_iteration(settings.checkpoint_dir, settings.iterations);
    if (last >= 0) {
      const std::string path = checkpoint_path(settings.checkpoint_dir, last);
      nn::load_checkpoint(path, {{"high", &networks->high}, {"low", &networks->low}}, hierrl_observation_layout());
      const auto state = nn::read_trainer_state(path);
      try {
        high_trainer.restore(trainer_array(state, "high_dqn", path));
        low_trainer.restore(trainer_array(state, "low_dqn", path));
      } catch (const std::invalid_argument& e) {
        throw InputError::at(path, e.what());
      }
      for (int i = std::max(0, last - settings.replay_iterations + 1); i <= last; ++i) {
        const std::string rp = replay_path(settings.checkpoint_dir, i, comm.rank());
        if (!std::filesystem::exists(rp))
          throw InputError::at(rp, "missing: --resume needs every rank's replay of the last iterations (same ranks)");
        const auto arrays = nn::read_trainer_state(rp);
        try {
          replay.emplace_back(nn::ReplayData::from_doubles(trainer_array(arrays, "high", rp)),
                              nn::ReplayData::from_doubles(trainer_array(arrays, "low", rp)));
        } catch (const std::invalid_argument& e) {
          throw InputError::at(rp, e.what());
        }
      }
      first = last + 1;
    }
  }
  if (!settings.checkpoint_dir.empty() && comm.is_root()) std::filesystem::create_directories(settings.checkpoint_dir);
  comm.barrier();

  const std::vector<std::uint64_t> nodes_grid = settings.train_nodes.empty()
                                                    ? std::vector<std::uint64_t>{scenario.cluster.generated.nodes}
                                                    : settings.train_nodes;
  const std::vector<std::uint64_t> tasks_grid = settings.train_tasks.empty()
                                                    ? std::vector<std::uint64_t>{scenario.workload.trace.max_tasks}
                                                    : settings.train_tasks;
  std::map<std::tuple<std::uint64_t, std::uint64_t, std::size_t>, Variant> variants;
  const auto variant_of = [&](std::uint64_t e) -> Variant& {
    const std::uint64_t n = nodes_grid.size(), t = tasks_grid.size(), w = settings.train_window_offsets_s.size();
    const auto key = std::make_tuple(nodes_grid[e % n], tasks_grid[(e / n) % t],
                                     static_cast<std::size_t>((e / (n * t)) % w));
    auto it = variants.find(key);
    if (it != variants.end()) return it->second;
    Variant v;
    v.scenario = scenario;
    v.scenario.cluster.generated.nodes = std::get<0>(key);
    v.scenario.workload.trace.max_tasks = std::get<1>(key);
    v.scenario.workload.trace.window_start_s += settings.train_window_offsets_s[std::get<2>(key)];
    v.trace = read_scenario_trace(v.scenario, 0);
    v.cluster = build_cluster(v.scenario, v.trace.get(), 0);
    return variants.emplace(key, std::move(v)).first->second;
  };

  const Communicator self = Communicator::rank_alone();
  const auto average = [&](std::span<float> g) { comm.allreduce_mean(g); };

  std::vector<QIterationRecord> records;
  for (int it = first; it < settings.iterations; ++it) {
    QIterationRecord rec;
    rec.iteration = it;
    const double progress_share = settings.epsilon_iterations <= 0
                                      ? 1.0
                                      : std::min(1.0, static_cast<double>(it) / settings.epsilon_iterations);
    rec.epsilon = settings.epsilon_start + (settings.epsilon_end - settings.epsilon_start) * progress_share;
    const auto t0 = Clock::now();
    nn::ReplayData high_new, low_new;
    high_new.own_width = static_cast<Eigen::Index>(widths.high_own);
    high_new.candidate_width = static_cast<Eigen::Index>(widths.high_candidate);
    low_new.own_width = static_cast<Eigen::Index>(widths.low_own);
    low_new.candidate_width = static_cast<Eigen::Index>(widths.low_candidate);
    double completion_sum = 0;
    const int E = settings.episodes_per_iteration, me = comm.rank();
    const EpisodeRange mine = rank_episodes(comm, E);
    for (int j = mine.begin; j < mine.end; ++j) {
      const std::uint64_t episode = training_episode(it, E, j);
      Variant& v = variant_of(episode - kFirstTrainingEpisode);
      const std::vector<TaskSpec> tasks = build_tasks(v.scenario, v.cluster, v.trace.get(), episode);
      const TaskTable table = TaskTable::view(tasks, v.cluster);  // training reads the whole stream (rollouts)
      DecisionLog high_log, low_log;
      HierRlLearner learner{networks, rec.epsilon, &high_log, &low_log};
      LearnerLink link;
      link.hierrl = &learner;
      EpisodeInput input;
      input.settings = &v.scenario;
      input.cluster = &v.cluster;
      input.tasks = &table;
      input.policy = "hierrl";
      input.episode = episode;
      const EpisodeResult result = run_episode(self, input, &link);
      completion_sum += result.metrics.mean_completion_s;
      nn::ReplayData high = replay_of(high_log, widths.high_own, widths.high_candidate);
      nn::ReplayData low = replay_of(low_log, widths.low_own, widths.low_candidate);
      score(high_log, low_log, result, settings.reward_scale_s, high, low);
      high_new.append(high);
      low_new.append(low);
      rec.high_decisions += high.size();
      rec.low_decisions += low.size();
    }
    if (!settings.checkpoint_dir.empty())
      nn::save_checkpoint(replay_path(settings.checkpoint_dir, it, me), {}, hierrl_observation_layout(),
                          {{"high", high_new.to_doubles()}, {"low", low_new.to_doubles()}});
    replay.emplace_back(std::move(high_new), std::move(low_new));
    while (replay.size() > static_cast<std::size_t>(settings.replay_iterations)) replay.pop_front();
    rec.collect_s = comm.allreduce_max(seconds_since(t0));

    const auto t1 = Clock::now();
    nn::ReplayData high_all, low_all;
    for (const auto& [h, l] : replay) {
      high_all.append(h);
      low_all.append(l);
    }
    if (comm.allreduce_min(static_cast<SimTime>(std::min(high_all.size(), low_all.size()))) == 0)
      throw InputError::at("iteration " + std::to_string(it),
                           "a rank has no high- or low-level decisions to learn from (more episodes per rank, or a "
                           "setting where tasks spill to the global scheduler)");
    const std::uint64_t step_seed = seed ^ (0x6869'6572'726c'0000ull + static_cast<std::uint64_t>(me) * 7919);
    try {
      rec.high = high_trainer.train(high_all, settings.steps_per_iteration, step_seed, average);
      rec.low = low_trainer.train(low_all, settings.steps_per_iteration, step_seed ^ 1, average);
    } catch (const nn::NonFiniteError& e) {
      throw InputError::at("iteration " + std::to_string(it), std::string("the hierrl update diverged: ") + e.what() +
                                                                  "; the last good checkpoint is kept");
    }
    rec.update_s = comm.allreduce_max(seconds_since(t1));
    rec.episodes = static_cast<std::uint64_t>(E);
    rec.high_decisions = comm.allreduce_sum(rec.high_decisions);
    rec.low_decisions = comm.allreduce_sum(rec.low_decisions);
    rec.mean_completion_s = comm.allreduce_sum(completion_sum) / static_cast<double>(E);

    if (!settings.checkpoint_dir.empty()) {
      rec.checkpoint = checkpoint_path(settings.checkpoint_dir, it);
      if (comm.is_root())
        save_hierrl_checkpoint(rec.checkpoint, *networks,
                               {{"high_dqn", high_trainer.state()},
                                {"low_dqn", low_trainer.state()},
                                {"iteration", {static_cast<double>(it)}}});
      comm.barrier();
      // Replays older than the window are no longer needed to resume.
      const int stale = it - settings.replay_iterations;
      if (stale >= 0) std::filesystem::remove(replay_path(settings.checkpoint_dir, stale, me));
    }
    if (progress) progress(rec);
    records.push_back(rec);
  }
  if (!settings.checkpoint_dir.empty() && comm.is_root())
    save_hierrl_checkpoint(policy_path(settings.checkpoint_dir), *networks);
  comm.barrier();
  return records;
}

}  // namespace marlsim

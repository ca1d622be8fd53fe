#include "engine/training/training_run.hpp"

#include <mpi.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>

#include "agents/actor_critic_policy.hpp"
#include "agents/nn/central_critic.hpp"
#include "agents/nn/checkpoint.hpp"
#include "agents/nn/observation_layout.hpp"
#include "engine/experiment/episode_inputs.hpp"
#include "engine/support/input_error.hpp"
#include "engine/training/rollout.hpp"
#include "engine/training/trajectory_export.hpp"

namespace marlsim {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Every rank's floats, concatenated in rank order, on every rank.
std::vector<float> all_gather(const Communicator& comm, const std::vector<float>& local) {
  if (comm.size() == 1) return local;
  const int n = static_cast<int>(local.size());
  std::vector<int> counts(static_cast<std::size_t>(comm.size())), displs(counts.size());
  MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm.raw());
  int total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    displs[r] = total;
    total += counts[r];
  }
  std::vector<float> all(static_cast<std::size_t>(total));
  MPI_Allgatherv(local.data(), n, MPI_FLOAT, all.data(), counts.data(), displs.data(), MPI_FLOAT, comm.raw());
  return all;
}

// The whole learner, flattened for the checkpoint's "trainer" group, and back.
std::vector<double> flatten(const std::vector<nn::DenseLayer>& layers) {
  std::vector<double> v;
  for (const nn::DenseLayer& l : layers) {
    v.insert(v.end(), l.weights.data(), l.weights.data() + l.weights.size());
    v.insert(v.end(), l.bias.data(), l.bias.data() + l.bias.size());
  }
  return v;
}
void unflatten(const std::vector<double>& v, std::vector<nn::DenseLayer>& layers, const std::string& path) {
  std::size_t i = 0, want = 0;
  for (const nn::DenseLayer& l : layers) want += static_cast<std::size_t>(l.weights.size() + l.bias.size());
  if (v.size() != want)
    throw InputError::at(path, "trainer/critic holds " + std::to_string(v.size()) + " values, the scenario's critic " +
                                   std::to_string(want));
  for (nn::DenseLayer& l : layers) {
    for (Eigen::Index k = 0; k < l.weights.size(); ++k) l.weights.data()[k] = static_cast<float>(v[i++]);
    for (Eigen::Index k = 0; k < l.bias.size(); ++k) l.bias.data()[k] = static_cast<float>(v[i++]);
  }
}

const std::vector<double>& array(const std::vector<nn::CheckpointArray>& arrays, const std::string& name,
                                 const std::string& path) {
  for (const nn::CheckpointArray& a : arrays)
    if (a.name == name) return a.values;
  throw InputError::at(path, "no trainer/" + name + ": not a training checkpoint (written by marlsim train)");
}

// The highest iteration with a checkpoint in dir (written complete: save_checkpoint renames a
// finished temporary file), or -1.
int last_checkpointed_iteration(const std::string& dir, int iterations) {
  for (int i = iterations - 1; i >= 0; --i)
    if (std::filesystem::exists(checkpoint_path(dir, i))) return i;
  return -1;
}

}  // namespace

std::string checkpoint_path(const std::string& dir, int iteration) {
  char name[32];
  std::snprintf(name, sizeof name, "iteration-%06d.h5", iteration);
  return (std::filesystem::path(dir) / name).string();
}

std::string policy_path(const std::string& dir) { return (std::filesystem::path(dir) / "policy.h5").string(); }

std::string trajectory_path(const std::string& dir, int iteration) {
  char name[40];
  std::snprintf(name, sizeof name, "trajectories-%06d.h5", iteration);
  return (std::filesystem::path(dir) / name).string();
}

std::vector<IterationRecord> train_policy(const Communicator& comm, const Scenario& scenario,
                                          const TrainingSettings& settings,
                                          const std::function<void(const IterationRecord&)>& progress) {
  if (settings.policy != "decentralized-ac")
    throw InputError::at("--policy", "only decentralized-ac can be trained yet, got " + settings.policy);
  if (settings.iterations < 1) throw InputError::at("--iterations", "expected at least 1");
  if (settings.episodes_per_iteration < comm.size())
    throw InputError::at("--episodes-per-iteration", "expected at least one episode per rank (" +
                                                         std::to_string(comm.size()) + "), got " +
                                                         std::to_string(settings.episodes_per_iteration));
  if (settings.resume && settings.checkpoint_dir.empty())
    throw InputError::at("--resume", "needs --checkpoint-dir (where the checkpoints to resume from are)");
  check_policy_fits_topology(settings.policy, scenario.scheduler);

  const nn::ObservationLayout& layout = nn::decentralized_ac_observation_layout();
  const std::uint64_t seed = scenario.run.seed;
  // The actor starts from the scenario's network (its checkpoint, if any, or run.seed).
  auto actor = std::make_shared<nn::ActorCriticNetwork>(*make_actor_critic_network(scenario.agents.actor_critic, seed));
  std::vector<nn::Activation> critic_acts(settings.critic_hidden.size(), nn::Activation::Relu);
  nn::CentralCritic critic(static_cast<Eigen::Index>(layout.global.size() + layout.own.size()), settings.critic_hidden,
                           critic_acts, seed);
  nn::PpoTrainer trainer(*actor, critic, settings.ppo);
  nn::ValueNorm norm;

  int first = 0;
  if (settings.resume) {
    const int last = last_checkpointed_iteration(settings.checkpoint_dir, settings.iterations);
    if (last >= 0) {
      const std::string path = checkpoint_path(settings.checkpoint_dir, last);
      nn::load_checkpoint(path, {{"agent", actor.get()}}, layout);
      const auto state = nn::read_trainer_state(path);
      unflatten(array(state, "critic", path), critic.layers(), path);
      const auto& opt = array(state, "optimizer", path);
      trainer.set_optimizer_state(std::vector<float>(opt.begin(), opt.end()));
      const auto& vn = array(state, "value_norm", path);
      if (vn.size() != 3) throw InputError::at(path, "trainer/value_norm: expected 3 values");
      norm.running_mean = vn[0], norm.running_mean_sq = vn[1], norm.debiasing_term = vn[2];
      first = last + 1;
    }
  }
  if (!settings.checkpoint_dir.empty() && comm.is_root()) std::filesystem::create_directories(settings.checkpoint_dir);

  std::unique_ptr<Workload> trace = read_scenario_trace(scenario, 0);
  const ClusterSpec cluster = build_cluster(scenario, trace.get(), 0);
  const bool resample = trace && scenario.workload.trace.sample_jobs < 1.0;
  const Communicator self(MPI_COMM_SELF);
  const auto average = [&](std::span<float> g) {
    if (comm.size() == 1) return;
    MPI_Allreduce(MPI_IN_PLACE, g.data(), static_cast<int>(g.size()), MPI_FLOAT, MPI_SUM, comm.raw());
    const float inv = 1.0f / static_cast<float>(comm.size());
    for (float& x : g) x *= inv;
  };

  std::vector<IterationRecord> records;
  for (int it = first; it < settings.iterations; ++it) {
    IterationRecord rec;
    rec.iteration = it;
    const auto t0 = Clock::now();
    // Collect: this rank's episodes of the iteration, each alone on the rank.
    std::vector<ScoredEpisode> scored;
    double completion_sum = 0, sla_sum = 0;
    // Contiguous blocks of episodes per rank: the trajectory file's rows are then in episode
    // order for any rank count.
    const int E = settings.episodes_per_iteration, R = comm.size(), me = comm.rank();
    for (int j = E * me / R; j < E * (me + 1) / R; ++j) {
      const std::uint64_t episode = kFirstTrainingEpisode +
                                    static_cast<std::uint64_t>(it) *
                                        static_cast<std::uint64_t>(settings.episodes_per_iteration) +
                                    static_cast<std::uint64_t>(j);
      std::unique_ptr<Workload> sample = resample ? read_scenario_trace(scenario, episode) : nullptr;
      const std::vector<TaskSpec> tasks = build_tasks(scenario, cluster, resample ? sample.get() : trace.get(),
                                                      episode);
      DecisionLog log;
      log.own_width = layout.own.size();
      log.candidate_width = layout.candidate.size();
      const LearnerLink link{actor, &log};
      EpisodeInput input;
      input.settings = &scenario;
      input.cluster = &cluster;
      input.tasks = &tasks;
      input.policy = settings.policy;
      input.episode = episode;
      const EpisodeResult result = run_episode(self, input, &link);
      completion_sum += result.metrics.mean_completion_s;
      sla_sum += result.metrics.sla_pct;
      if (log.decisions() > 0)
        scored.push_back(
            score_episode(episode, std::move(log), result, tasks, settings.reward_scale_s, scenario.run.warmup_s));
    }
    RolloutStats rollout_stats;
    nn::PpoRollout rollout = build_rollout(
        scored, [&](const nn::RowMatrixF& x) { return critic.values(x); }, norm, settings.gae, rollout_stats);
    // The value normalisation sees every rank's returns, in rank order: the same on every rank.
    const std::vector<float> local_returns(rollout.returns.data(), rollout.returns.data() + rollout.returns.size());
    norm.update(all_gather(comm, local_returns));
    norm.normalize({rollout.returns.data(), static_cast<std::size_t>(rollout.returns.size())});
    if (!settings.checkpoint_dir.empty()) {
      TrajectorySettings provenance;
      provenance.scenario = scenario.name;
      provenance.seed = seed;
      provenance.policy = settings.policy;
      provenance.policy_version = static_cast<std::uint32_t>(it);
      provenance.observation_layout = layout.to_text();
      provenance.reward_assignment = reward_assignment_text(settings.reward_scale_s);
      write_trajectories(trajectory_path(settings.checkpoint_dir, it), comm, provenance, scored, rollout_stats.values);
    }
    rec.collect_s = comm.allreduce_max(seconds_since(t0));

    const auto t1 = Clock::now();
    // Every rank takes the same number of averaged steps: as many minibatches as the rank with
    // the most decisions needs, but never more than the rank with the fewest can fill.
    const auto local_n = static_cast<SimTime>(rollout.decisions.own.rows());
    const SimTime most = comm.allreduce_max(local_n), fewest = comm.allreduce_min(local_n);
    const auto minibatches = static_cast<Eigen::Index>(
        std::min<SimTime>(fewest, (most + settings.ppo.minibatch - 1) / settings.ppo.minibatch));
    rec.update = trainer.update(rollout, seed ^ (0x7472'6169'6e00ull + static_cast<std::uint64_t>(it)), average,
                                minibatches);
    rec.update_s = comm.allreduce_max(seconds_since(t1));
    if (!std::isfinite(rec.update.policy_loss) || !std::isfinite(rec.update.value_loss) ||
        !std::isfinite(rec.update.grad_norm))
      throw InputError::at("iteration " + std::to_string(it),
                           "the " + settings.policy + " update diverged (policy loss " +
                               std::to_string(rec.update.policy_loss) + ", value loss " +
                               std::to_string(rec.update.value_loss) + ", gradient norm " +
                               std::to_string(rec.update.grad_norm) + "); the last good checkpoint is kept");

    rec.episodes = static_cast<std::uint64_t>(settings.episodes_per_iteration);
    rec.decisions = comm.allreduce_sum(static_cast<std::uint64_t>(rollout_stats.decisions));
    rec.mean_return = comm.allreduce_sum(rollout_stats.reward_sum) /
                      static_cast<double>(comm.allreduce_sum(rollout_stats.trajectories));
    rec.mean_completion_s = comm.allreduce_sum(completion_sum) / static_cast<double>(settings.episodes_per_iteration);
    rec.sla_pct = comm.allreduce_sum(sla_sum) / static_cast<double>(settings.episodes_per_iteration);

    if (!settings.checkpoint_dir.empty()) {
      rec.checkpoint = checkpoint_path(settings.checkpoint_dir, it);
      if (comm.is_root()) {
        const std::vector<float> opt = trainer.optimizer_state();
        nn::save_checkpoint(rec.checkpoint, {{"agent", actor.get()}}, layout,
                            {{"critic", flatten(critic.layers())},
                             {"iteration", {static_cast<double>(it)}},
                             {"optimizer", std::vector<double>(opt.begin(), opt.end())},
                             {"value_norm", {norm.running_mean, norm.running_mean_sq, norm.debiasing_term}}});
      }
      comm.barrier();
    }
    if (progress) progress(rec);
    records.push_back(rec);
  }
  // The trained policy alone (no trainer state): small enough to ship, and what `marlsim run
  // --set agents.checkpoint=...` evaluates.
  if (!settings.checkpoint_dir.empty() && comm.is_root())
    nn::save_checkpoint(policy_path(settings.checkpoint_dir), {{"agent", actor.get()}}, layout);
  comm.barrier();
  return records;
}

}  // namespace marlsim

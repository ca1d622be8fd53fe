// The actor-critic policy: features for every candidate of every task of a batch, ONE forward
// pass over all their rows, then per task a softmax and a sample with the uniform the task drew
// from the deciding LP's stream. A task's rows and uniform depend on nothing else in the batch
// and the dense kernel's rows are bit-identical for any batch and thread count, so a batch
// decides exactly as its tasks would alone (against the same view: the choices are committed
// to the view after the batch, as requests raised together are decided together).
#include "agents/actor_critic_policy.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "agents/actor_critic_features.hpp"
#include "agents/nn/checkpoint.hpp"
#include "agents/nn/observation_layout.hpp"
#include "agents/policy_registry.hpp"

namespace marlsim {

namespace {

// Sizes `batch` for `requests` requests of `rows` candidate rows in all (reusing its storage:
// no allocation while the shapes repeat).
void start_batch(nn::DecisionBatch& batch, std::size_t requests, std::size_t rows) {
  const nn::ObservationLayout& layout = nn::decentralized_ac_observation_layout();
  batch.offsets.assign(1, 0);
  batch.own.resize(static_cast<Eigen::Index>(requests), static_cast<Eigen::Index>(layout.own.size()));
  batch.candidates.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(layout.candidate.size()));
  batch.masked.clear();
  batch.uniforms.clear();
}

void add_request(nn::DecisionBatch& batch, std::size_t i, const TaskSpec& task, std::span<const NodeId> candidates,
                 const ClusterView& view, const DispatchContext& ctx) {
  const auto own_width = static_cast<std::size_t>(batch.own.cols());
  const auto candidate_width = static_cast<std::size_t>(batch.candidates.cols());
  const Eigen::Index first = batch.offsets.back();
  batch.offsets.push_back(first + static_cast<Eigen::Index>(candidates.size()));
  write_own_features(view, ctx.local_node, task, ctx.now,
                     {batch.own.row(static_cast<Eigen::Index>(i)).data(), own_width});
  for (std::size_t k = 0; k < candidates.size(); ++k)
    write_candidate_features(view, ctx.local_node, task, candidates[k], ctx.now,
                             {batch.candidates.row(first + static_cast<Eigen::Index>(k)).data(), candidate_width});
  batch.uniforms.push_back(ctx.rng->uniform());
}

void fill_batch(nn::DecisionBatch& batch, std::span<const DecisionRequest> requests) {
  std::size_t rows = 0;
  for (const DecisionRequest& r : requests) rows += r.candidates.size();
  start_batch(batch, requests.size(), rows);
  for (std::size_t i = 0; i < requests.size(); ++i)
    add_request(batch, i, *requests[i].task, requests[i].candidates, *requests[i].view, requests[i].ctx);
}

// What a deciding thread reuses from decision to decision: the policy is shared (const) by the
// rank's LPs, which may decide on several OpenMP threads, so the buffers are per thread.
struct DecideScratch {
  nn::DecisionBatch batch;
  nn::DecisionOutputs decided;
  nn::ForwardBuffers work;
};
DecideScratch& decide_scratch() {
  thread_local DecideScratch scratch;
  return scratch;
}

// Appends one episode's requests [first, end) of a decided batch to its training log: one
// global state (a decision cycle), then per request its inputs, action and log-probability.
void record(DecisionLog& log, std::span<const DecisionRequest> requests, std::size_t first_request,
            std::size_t end_request, const nn::DecisionBatch& batch, const nn::DecisionOutputs& decided) {
  const auto cycle = static_cast<std::uint32_t>(log.cycles());
  if (log.global_width > 0) {
    log.global_states.resize(log.global_states.size() + log.global_width);
    log.global_state_source(requests[first_request].ctx.now, std::span(log.global_states).last(log.global_width));
  }
  for (std::size_t i = first_request; i < end_request; ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    log.own.insert(log.own.end(), batch.own.row(r).data(), batch.own.row(r).data() + batch.own.cols());
    const Eigen::Index first = batch.offsets[i], last = batch.offsets[i + 1];
    log.candidates.insert(log.candidates.end(), batch.candidates.row(first).data(),
                          batch.candidates.row(first).data() + (last - first) * batch.candidates.cols());
    log.candidate_begin.push_back(log.candidate_begin.back() + static_cast<std::uint64_t>(last - first));
    log.actions.push_back(static_cast<std::int32_t>(decided.actions[i]));
    log.log_probs.push_back(decided.log_probs[r]);
    log.tasks.push_back(requests[i].task->id);
    log.agents.push_back(requests[i].ctx.local_node);
    log.time_s.push_back(to_seconds(requests[i].ctx.now));
    log.global_state.push_back(cycle);
    log.roles.push_back(0);  // one role, "agent"
  }
}

// Greedy evaluation: each request's most probable candidate (ties: the first row). The uniform
// was still drawn, so the deciding LP's stream advances as when sampling.
void take_most_probable(const nn::DecisionBatch& batch, nn::DecisionOutputs& decided) {
  for (std::size_t r = 0; r + 1 < batch.offsets.size(); ++r) {
    Eigen::Index best = batch.offsets[r];
    for (Eigen::Index i = best + 1; i < batch.offsets[r + 1]; ++i)
      if (decided.probabilities[i] > decided.probabilities[best]) best = i;
    decided.actions[r] = best - batch.offsets[r];
    decided.log_probs[static_cast<Eigen::Index>(r)] = std::log(decided.probabilities[best]);
  }
}

class ActorCriticPolicy final : public SchedulingPolicy {
 public:
  ActorCriticPolicy(std::shared_ptr<const nn::ActorCriticNetwork> network, std::span<DecisionLog> logs, bool greedy,
                    bool mask_unfit)
      : network_(std::move(network)), logs_(logs), greedy_(greedy), mask_unfit_(mask_unfit) {}

  std::string_view name() const override { return "decentralized-ac"; }

  // One request alone (not recorded in the training log: the cluster model decides through
  // decide()).
  NodeId choose(const TaskSpec& task, std::span<const NodeId> candidates, const ClusterView& view,
                DispatchContext& ctx) const override {
    DecideScratch& s = decide_scratch();
    start_batch(s.batch, 1, candidates.size());
    add_request(s.batch, 0, task, candidates, view, ctx);
    if (mask_unfit_) mask_unfit_candidates(s.batch);
    forward(s, ctx);
    return candidates[static_cast<std::size_t>(s.decided.actions[0])];
  }

  // One forward pass over every candidate of every request, whichever LP raised it; the
  // choices are committed to each request's view after the whole batch (requests raised
  // together are decided together).
  void decide(std::span<DecisionRequest> requests) const override {
    if (requests.empty()) return;
    DecideScratch& s = decide_scratch();
    fill_batch(s.batch, requests);
    if (mask_unfit_) mask_unfit_candidates(s.batch);
    forward(s, requests.front().ctx);
    const nn::DecisionBatch& batch = s.batch;
    const nn::DecisionOutputs& decided = s.decided;
    for (std::size_t i = 0; i < requests.size(); ++i)
      requests[i].chosen = requests[i].candidates[static_cast<std::size_t>(decided.actions[i])];
    if (!logs_.empty())
      for_each_episode(
          requests.size(), [&](std::size_t i) { return requests[i].ctx.episode; },
          [&](std::uint32_t episode, std::size_t first, std::size_t end) {
            record(logs_[episode], requests, first, end, batch, decided);
          });
    for (DecisionRequest& r : requests) r.view->commit(*r.task, r.chosen);
  }

 private:
  // s.decided from s.batch; the value head is not run (acting needs no values).
  void forward(DecideScratch& s, const DispatchContext& ctx) const {
    try {
      network_->forward(s.batch, s.decided, s.work, /*with_values=*/false);
      if (greedy_) take_most_probable(s.batch, s.decided);
    } catch (const nn::NonFiniteError& e) {
      const std::string who = ctx.local_node == kNoNode ? "the scheduler" : "node " + std::to_string(ctx.local_node);
      throw nn::NonFiniteError("decentralized-ac deciding at " + who + ", t = " + std::to_string(to_seconds(ctx.now)) +
                               " s: " + e.what());
    }
  }

  std::shared_ptr<const nn::ActorCriticNetwork> network_;  // shared by every LP of the rank; never written
  std::span<DecisionLog> logs_;  // training: where each episode's decisions go (empty: nowhere)
  bool greedy_;                  // the most probable candidate instead of a sample
  bool mask_unfit_;              // agents.mask_unfit: no probability on candidates where the task does not fit now
};

}  // namespace

std::shared_ptr<const nn::ActorCriticNetwork> make_actor_critic_network(const ActorCriticPolicySettings& settings,
                                                                        std::uint64_t seed) {
  const nn::ObservationLayout& layout = nn::decentralized_ac_observation_layout();
  nn::ActorCriticSettings shapes;
  shapes.own_features = static_cast<Eigen::Index>(layout.own.size());
  shapes.candidate_features = static_cast<Eigen::Index>(layout.candidate.size());
  for (std::size_t l = 0; l < settings.hidden_widths.size(); ++l) {
    shapes.hidden_widths.push_back(settings.hidden_widths[l]);
    shapes.hidden_activations.push_back(settings.hidden_activations.size() == 1 ? settings.hidden_activations[0]
                                                                                : settings.hidden_activations.at(l));
  }
  auto network = std::make_shared<nn::ActorCriticNetwork>(std::move(shapes), seed);
  if (!settings.checkpoint.empty()) nn::load_checkpoint(settings.checkpoint, {{"agent", network.get()}}, layout);
  return network;
}

nn::DecisionBatch actor_critic_batch(std::span<const DecisionRequest> requests) {
  nn::DecisionBatch batch;
  fill_batch(batch, requests);
  return batch;
}

void mask_unfit_candidates(nn::DecisionBatch& batch) {
  static const Eigen::Index fits = [] {
    const nn::ObservationLayout& layout = nn::decentralized_ac_observation_layout();
    for (std::size_t j = 0; j < layout.candidate.size(); ++j)
      if (layout.candidate[j].name == "candidate.fits_task") return static_cast<Eigen::Index>(j);
    throw std::logic_error("mask_unfit_candidates: the layout has no candidate.fits_task");
  }();
  if (batch.candidates.cols() <= fits)
    throw std::invalid_argument("mask_unfit_candidates: the candidate rows are narrower than the layout");
  batch.masked.assign(static_cast<std::size_t>(batch.candidates.rows()), 0);
  for (std::size_t r = 0; r + 1 < batch.offsets.size(); ++r) {
    bool any_fits = false;
    for (Eigen::Index i = batch.offsets[r]; i < batch.offsets[r + 1]; ++i) any_fits |= batch.candidates(i, fits) != 0;
    if (!any_fits) continue;
    for (Eigen::Index i = batch.offsets[r]; i < batch.offsets[r + 1]; ++i)
      batch.masked[static_cast<std::size_t>(i)] = batch.candidates(i, fits) == 0 ? 1 : 0;
  }
}

std::unique_ptr<SchedulingPolicy> make_actor_critic_policy(const PolicyContext& context) {
  // One network per rank and role, shared by its deciding LPs: weights from the run's seed,
  // or agents.checkpoint.
  static const AgentSettings kDefaults;
  const AgentSettings& agents = context.agents != nullptr ? *context.agents : kDefaults;
  const LearnerLink none;
  const LearnerLink& learner = context.learner != nullptr ? *context.learner : none;
  const nn::ObservationLayout& layout = nn::decentralized_ac_observation_layout();
  for (const DecisionLog& log : learner.logs)
    if (log.own_width != layout.own.size() || log.candidate_width != layout.candidate.size())
      throw std::invalid_argument("decentralized-ac: the decision log's widths do not match the observation layout");
  return std::make_unique<ActorCriticPolicy>(
      learner.actor_critic ? learner.actor_critic : make_actor_critic_network(agents.actor_critic, context.seed),
      learner.logs, agents.actor_critic.greedy && learner.logs.empty(), agents.actor_critic.mask_unfit);
}

}  // namespace marlsim

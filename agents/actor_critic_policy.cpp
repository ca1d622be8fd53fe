// The actor-critic policy: features for every candidate of every task of a batch, ONE forward
// pass over all their rows, then per task a softmax and a sample with the uniform the task drew
// from the deciding LP's stream. A task's rows and uniform depend on nothing else in the batch
// and the dense kernel's rows are bit-identical for any batch and thread count, so a batch
// decides exactly as its tasks would alone (against the same view: the choices are committed
// to the view after the batch, as requests raised together are decided together).
#include "agents/actor_critic_policy.hpp"

#include <mutex>
#include <string>
#include <utility>

#include "agents/actor_critic_features.hpp"
#include "agents/nn/checkpoint.hpp"
#include "agents/nn/observation_layout.hpp"

namespace marlsim {

namespace {

std::mutex rank_network_mutex;
std::shared_ptr<const nn::ActorCriticNetwork> rank_network;

std::shared_ptr<const nn::ActorCriticNetwork> current_network() {
  std::lock_guard lock(rank_network_mutex);
  if (!rank_network) rank_network = make_actor_critic_network({}, 1);
  return rank_network;
}

class ActorCriticPolicy final : public SchedulingPolicy {
 public:
  explicit ActorCriticPolicy(std::shared_ptr<const nn::ActorCriticNetwork> network) : network_(std::move(network)) {}

  std::string_view name() const override { return "decentralized-ac"; }
  PolicyRequirements requirements() const override { return {.load_information = true, .local_node = false}; }

  NodeId choose(const TaskSpec& task, std::span<const NodeId> candidates, const ClusterView& view,
                DispatchContext& ctx) override {
    const TaskSpec* const tasks[] = {&task};
    const std::span<const NodeId> spans[] = {candidates};
    NodeId out = kNoNode;
    decide(tasks, spans, view, ctx, {&out, 1});
    return out;
  }

  void assign(std::span<const TaskSpec* const> tasks, std::span<const std::vector<NodeId>> candidates,
              ClusterView& view, DispatchContext& ctx, std::span<NodeId> out) override {
    const std::vector<std::span<const NodeId>> spans(candidates.begin(), candidates.end());
    decide(tasks, spans, view, ctx, out);
    for (std::size_t i = 0; i < tasks.size(); ++i) view.commit(*tasks[i], out[i]);
  }

 private:
  void decide(std::span<const TaskSpec* const> tasks, std::span<const std::span<const NodeId>> candidates,
              const ClusterView& view, DispatchContext& ctx, std::span<NodeId> out) const {
    const nn::DecisionBatch batch = actor_critic_batch(tasks, candidates, view, ctx);
    nn::DecisionOutputs decided;
    try {
      decided = network_->forward(batch);
    } catch (const nn::NonFiniteError& e) {
      const std::string who = ctx.local_node == kNoNode ? "the scheduler" : "node " + std::to_string(ctx.local_node);
      throw nn::NonFiniteError("decentralized-ac deciding at " + who + ", t = " + std::to_string(to_seconds(ctx.now)) +
                               " s: " + e.what());
    }
    for (std::size_t i = 0; i < tasks.size(); ++i) out[i] = candidates[i][static_cast<std::size_t>(decided.actions[i])];
  }

  std::shared_ptr<const nn::ActorCriticNetwork> network_;  // shared by every policy of the rank; never written
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

void use_actor_critic_network(std::shared_ptr<const nn::ActorCriticNetwork> network) {
  std::lock_guard lock(rank_network_mutex);
  rank_network = std::move(network);
}

nn::DecisionBatch actor_critic_batch(std::span<const TaskSpec* const> tasks,
                                     std::span<const std::span<const NodeId>> candidates, const ClusterView& view,
                                     const DispatchContext& ctx) {
  const nn::ObservationLayout& layout = nn::decentralized_ac_observation_layout();
  const auto own_width = static_cast<Eigen::Index>(layout.own.size());
  const auto candidate_width = static_cast<Eigen::Index>(layout.candidate.size());
  nn::DecisionBatch batch;
  batch.offsets.reserve(tasks.size() + 1);
  batch.offsets.push_back(0);
  for (const auto& c : candidates) batch.offsets.push_back(batch.offsets.back() + static_cast<Eigen::Index>(c.size()));
  batch.own.resize(static_cast<Eigen::Index>(tasks.size()), own_width);
  batch.candidates.resize(batch.offsets.back(), candidate_width);
  batch.uniforms.reserve(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    write_own_features(view, ctx.local_node, *tasks[i], ctx.now,
                       {batch.own.row(r).data(), static_cast<std::size_t>(own_width)});
    for (std::size_t k = 0; k < candidates[i].size(); ++k)
      write_candidate_features(view, ctx.local_node, *tasks[i], candidates[i][k], ctx.now,
                               {batch.candidates.row(batch.offsets[i] + static_cast<Eigen::Index>(k)).data(),
                                static_cast<std::size_t>(candidate_width)});
    batch.uniforms.push_back(ctx.rng->uniform());
  }
  return batch;
}

std::unique_ptr<SchedulingPolicy> make_actor_critic_policy() {
  return std::make_unique<ActorCriticPolicy>(current_network());
}

}  // namespace marlsim

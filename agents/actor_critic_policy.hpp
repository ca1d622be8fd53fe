#pragma once
// The actor-critic policy (`decentralized-ac`; source study 1): one shared network scores each
// of a decision's K candidates on [own observation, candidate features], softmax over them, a
// sample from the deciding LP's own stream. Works wherever a node or the scheduler decides.
//
// The network is immutable and shared by every policy object of the rank. Until policies are
// built from a context (issue 8), the experiment layer names the rank's network once before its
// episodes with use_actor_critic_network(); without it, policies use the default settings
// initialised from seed 1.
#include <memory>
#include <span>
#include <vector>

#include "agents/actor_critic_settings.hpp"
#include "agents/nn/actor_critic_network.hpp"
#include "agents/scheduling_policy.hpp"

namespace marlsim {

// Shapes from `settings` and the observation layout; weights loaded from settings.checkpoint
// (role "agent"; refused with InputError if it does not match) or else Glorot-scaled uniform
// from `seed` (nn::ActorCriticNetwork).
std::shared_ptr<const nn::ActorCriticNetwork> make_actor_critic_network(const ActorCriticPolicySettings& settings,
                                                                       std::uint64_t seed);
// The network every actor-critic policy built afterwards on this rank uses.
void use_actor_critic_network(std::shared_ptr<const nn::ActorCriticNetwork> network);

// The network's input for a batch of decisions: features of every candidate of every task,
// stacked, and one uniform per task drawn from ctx.rng in task order.
nn::DecisionBatch actor_critic_batch(std::span<const TaskSpec* const> tasks,
                                     std::span<const std::span<const NodeId>> candidates, const ClusterView& view,
                                     const DispatchContext& ctx);

}  // namespace marlsim

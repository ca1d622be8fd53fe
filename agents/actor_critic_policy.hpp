#pragma once
// The actor-critic policy (`decentralized-ac`; source study 1): one shared network scores each
// of a decision's K candidates on [own observation, candidate features], softmax over them, a
// sample from the deciding LP's own stream. Works wherever a node or the scheduler decides.
//
// The rank builds the policy once from its PolicyContext ([agents] settings, the run's seed):
// one immutable network shared by every deciding LP of the rank.
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
// The network's input for a batch of requests: features of every candidate of every request
// (from the request's own view and context), stacked, and one uniform per request drawn from
// its ctx.rng in request order.
nn::DecisionBatch actor_critic_batch(std::span<const DecisionRequest> requests);
// agents.mask_unfit: sets batch.masked from the candidate rows' candidate.fits_task feature,
// per request: the rows where the task does not fit now are masked when at least one row of
// the request fits; a request where none fits keeps every row. A function of the features
// alone, so the trainer rebuilds the policy's mask exactly from a decision log.
void mask_unfit_candidates(nn::DecisionBatch& batch);

}  // namespace marlsim

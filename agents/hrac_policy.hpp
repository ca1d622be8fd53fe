#pragma once
// The hrac policy (source study 2: heterogeneous role-based agents with role attention),
// untrained unless agents.checkpoint holds its roles. Each role (agents/hrac_roles.hpp) has its
// own actor-critic network, of decentralized-ac's shapes ([agents] hidden_widths, activations)
// but with an own input twice as wide: [own observation, attended summary of the other roles]
// (agents/hrac_attention.hpp; nn::hrac_observation_layout()). Candidates, softmax and sampling
// as decentralized-ac: one sample per decision from the deciding LP's own stream.
//
// Batching: a decide() call evaluates each role's decisions together, one forward per role
// network; every decision's result is bit-identical to deciding it alone (its features and
// attention read only its own view, candidates and task; the dense kernel's rows do not depend
// on the batch or the thread count).
//
// Training hooks: with PolicyContext::learner->log set, each decision is recorded (own input
// [own, attended], candidates, action, log-probability, role) and each decide() call its global
// state and mean attention weights per role (DecisionLog::role_attention).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agents/agent_settings.hpp"
#include "agents/hrac_roles.hpp"
#include "agents/nn/actor_critic_network.hpp"
#include "agents/nn/checkpoint.hpp"

namespace marlsim {

// Every role's parameters, in role order: what a rank's hrac policy shares among its LPs and
// what a learner updates.
struct HracNetworks {
  std::vector<std::string> roles;
  std::vector<nn::ActorCriticNetwork> networks;        // one per role
  std::vector<std::vector<nn::DenseLayer>> attention;  // one per role: query, key
};

// Role r's networks and attention from the seed keyed by its name (a role's initial weights do
// not depend on which other roles exist), then, if settings.actor_critic.checkpoint is set,
// loaded from it (every role by name; refused with InputError naming both sides if its roles,
// shapes or layout differ).
std::shared_ptr<HracNetworks> make_hrac_networks(const AgentSettings& settings, const std::vector<std::string>& roles,
                                                 std::uint64_t seed);
// Every role by name, with the hrac observation layout (nn/checkpoint.hpp); `trainer_state`:
// marlsim train's (the critics, optimizers, value normalisations), empty for a policy alone.
void save_hrac_checkpoint(const std::string& path, HracNetworks& networks,
                          const std::vector<nn::CheckpointArray>& trainer_state = {});
void load_hrac_checkpoint(const std::string& path, HracNetworks& networks);

// The role map of a run: settings.hrac.roles over the cluster's tiers; a scheduler role when
// the policy is built for a central scheduler (PolicyContext::role "central").
RoleMap hrac_role_map(const AgentSettings& settings, const ClusterSpec& cluster, bool has_scheduler);

}  // namespace marlsim

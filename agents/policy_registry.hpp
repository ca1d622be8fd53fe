#pragma once
// Policies by name. Adding one: a new file in agents/ and one line in policy_registry.cpp.
// An entry carries what the policy needs to see (checked against the topology before any
// episode runs) and a factory; a rank calls it once per role and shares the policy among
// its deciding LPs.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agents/agent_settings.hpp"
#include "agents/decision_log.hpp"
#include "agents/scheduling_policy.hpp"

namespace marlsim::nn {
class ActorCriticNetwork;
}

namespace marlsim {

struct HracNetworks;   // agents/hrac_policy.hpp
struct HierRlLearner;  // agents/hierrl_policy.hpp

// Training (engine/training): the learner's current weights, used instead of the seed's or the
// checkpoint's, and where a learned policy records its decisions: one log per episode of the
// kernel run, indexed by DispatchContext::episode (empty: nowhere).
struct LearnerLink {
  std::shared_ptr<const nn::ActorCriticNetwork> actor_critic;
  std::span<DecisionLog> logs;
  std::shared_ptr<const HracNetworks> hrac = nullptr;  // hrac: every role's network and attention
  const HierRlLearner* hierrl = nullptr;               // hierrl: both levels' Q networks, exploration, logs
};

// Who a policy is built for, and with what.
struct PolicyContext {
  std::string_view role = "central";      // "central" (a scheduler LP) or "node-agent" (decentralized nodes)
  std::uint64_t seed = 0;                 // the run's seed (initial weights of a learned policy)
  const AgentSettings* agents = nullptr;  // [agents] (networks, checkpoints); nullptr: the defaults
  const LearnerLink* learner = nullptr;   // training only
  const ClusterSpec* cluster = nullptr;   // the machines (hrac: the tiers name its roles); nullptr: unknown
};

struct PolicyInfo {
  std::string_view name;
  std::string_view description;
  PolicyRequirements requirements;
  std::unique_ptr<SchedulingPolicy> (*make)(const PolicyContext&);
};

const std::vector<PolicyInfo>& scheduling_policies();
// Both throw InputError listing the valid names.
const PolicyInfo& scheduling_policy_info(std::string_view name);
std::unique_ptr<SchedulingPolicy> make_scheduling_policy(std::string_view name, const PolicyContext& context = {});

}  // namespace marlsim

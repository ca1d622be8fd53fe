#pragma once
// The hrac policy's settings (keys of [agents] in a scenario; AgentSettings embeds them). The
// networks' hidden layers and the checkpoint are decentralized-ac's keys (ActorCriticPolicySettings).
#include <cstdint>

namespace marlsim {

// How a decision's role follows from who decides (agents/hrac_roles.hpp).
enum class RoleMapKind : std::uint8_t {
  Tier,    // "tier": one role per cluster tier (the deciding node's), plus "scheduler" where one decides
  Single,  // "single": every decider is role "agent" (one network, as decentralized-ac)
};

struct HracSettings {                     // [agents]
  RoleMapKind roles = RoleMapKind::Tier;  // roles = "tier" | "single"
};

}  // namespace marlsim

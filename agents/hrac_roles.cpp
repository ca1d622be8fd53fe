#include "agents/hrac_roles.hpp"

#include <stdexcept>

namespace marlsim {

RoleMap::RoleMap(RoleMapKind kind, const std::vector<std::string>& tier_names, bool has_scheduler)
    : kind_(kind), has_scheduler_(has_scheduler) {
  if (kind == RoleMapKind::Single) {
    names_ = {"agent"};
    return;
  }
  if (tier_names.empty()) throw std::invalid_argument("hrac: roles = \"tier\" needs a cluster with named tiers");
  names_ = tier_names;
  tiers_ = tier_names.size();
  if (has_scheduler) names_.emplace_back("scheduler");
  if (names_.size() > 255)
    throw std::invalid_argument("hrac: " + std::to_string(names_.size()) + " roles, at most 255 fit the roles column");
}

std::uint8_t RoleMap::role_of_node(const ClusterView& view, NodeId n) const {
  if (kind_ == RoleMapKind::Single) return 0;
  const std::uint8_t tier = view.spec(n).tier;
  if (tier >= tiers_)
    throw std::logic_error("hrac: node " + std::to_string(n) + " is in tier " + std::to_string(tier) +
                           ", the map has " + std::to_string(tiers_) + " tiers");
  return tier;
}

std::uint8_t RoleMap::role_of_decider(const ClusterView& view, NodeId decider) const {
  if (decider != kNoNode) return role_of_node(view, decider);
  if (kind_ == RoleMapKind::Single) return 0;
  if (!has_scheduler_) throw std::logic_error("hrac: a scheduler decides, and the role map has no scheduler role");
  return static_cast<std::uint8_t>(tiers_);
}

}  // namespace marlsim

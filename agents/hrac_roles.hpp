#pragma once
// The hrac policy's roles (source study 2: heterogeneous role-based agents, each role with its
// own network): which role a decision belongs to, from the deciding node's attributes.
//
// "tier": the roles are the cluster's tiers, in ClusterSpec::tier_names order (a node decides in
// its tier's role), then "scheduler" when the topology has a central scheduler (a decision
// without a deciding node is the scheduler's). "single": one role, "agent", for every decider.
// Role indices are uint8 (the DecisionLog's `roles` column): at most 255 roles.
#include <cstdint>
#include <string>
#include <vector>

#include "agents/cluster_view.hpp"
#include "agents/hrac_settings.hpp"

namespace marlsim {

class RoleMap {
 public:
  // Throws std::invalid_argument for more than 255 roles or a tier map without tiers.
  RoleMap(RoleMapKind kind, const std::vector<std::string>& tier_names, bool has_scheduler);

  const std::vector<std::string>& names() const { return names_; }
  std::size_t size() const { return names_.size(); }
  // The role of a decision taken by `decider` (kNoNode: the central scheduler). Throws
  // std::logic_error for a scheduler decision without a scheduler role or a tier beyond the map.
  std::uint8_t role_of_decider(const ClusterView& view, NodeId decider) const;
  // The role node n decides in (its tier's, or "agent").
  std::uint8_t role_of_node(const ClusterView& view, NodeId n) const;

 private:
  RoleMapKind kind_;
  std::vector<std::string> names_;
  std::size_t tiers_ = 0;  // tier roles come first
  bool has_scheduler_ = false;
};

}  // namespace marlsim

#pragma once
// Policies by name. Adding one: a new file in agents/ and one line in policy_registry.cpp.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agents/scheduling_policy.hpp"

namespace marlsim {

struct PolicyInfo {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<SchedulingPolicy> (*make)();
};

const std::vector<PolicyInfo>& scheduling_policies();
// Throws InputError listing the valid names.
std::unique_ptr<SchedulingPolicy> make_scheduling_policy(std::string_view name);

}  // namespace marlsim

#include "workloads/sla_policy.hpp"

#include <cmath>
#include <string>

#include "engine/input_error.hpp"

namespace marlsim {

void SlaPolicy::validate() const {
  for (int p = 0; p < kPriorityClasses; ++p) {
    const double f = slack_factor[p];
    if (!std::isfinite(f) || f < 0)
      throw InputError::at("sla.slack_factor." + std::string(priority_name(static_cast<PriorityClass>(p))),
                           "expected a finite number >= 0, got " + std::to_string(f));
  }
  if (!std::isfinite(constant_s) || constant_s < 0)
    throw InputError::at("sla.constant_s", "expected a finite number >= 0, got " + std::to_string(constant_s));
}

void apply_sla(std::vector<TaskSpec>& tasks, const SlaPolicy& policy) {
  for (auto& t : tasks) t.deadline_s = policy.deadline_s(t);
}

}  // namespace marlsim

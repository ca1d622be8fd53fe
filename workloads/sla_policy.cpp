#include "workloads/sla_policy.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "engine/support/input_error.hpp"

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
  // On an idle cluster of speed-1 nodes: each group's earliest end (its last instance's).
  std::vector<double> group_end_s(tasks.size(), 0.0);
  std::vector<char> group_read(tasks.size(), 0);  // a child used it: no instance may follow
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    TaskSpec& t = tasks[i];
    double ready_s = t.arrival_s;
    for (const std::uint64_t p : t.parents) {
      if (p >= i)
        throw std::logic_error("apply_sla: task " + std::to_string(i) + " precedes its parent " + std::to_string(p));
      ready_s = std::max(ready_s, group_end_s[p]);
      group_read[p] = 1;
    }
    const double end_s = ready_s + t.reference_runtime_s();
    const std::uint64_t g = t.group();
    if (group_read[g])
      throw std::logic_error("apply_sla: instance " + std::to_string(i) + " of group " + std::to_string(g) +
                             " follows a child of the group");
    group_end_s[g] = t.instance == 0 ? end_s : std::max(group_end_s[g], end_s);
    t.deadline_s = policy.deadline_s(t.priority, t.arrival_s, end_s - t.arrival_s);
  }
}

}  // namespace marlsim

#include "agents/scheduling_policy.hpp"

namespace marlsim {

void SchedulingPolicy::decide(std::span<DecisionRequest> batch) const {
  for (DecisionRequest& r : batch) {
    r.chosen = choose(*r.task, r.candidates, *r.view, r.ctx);
    r.view->commit(*r.task, r.chosen);  // the next request of the same LP sees this one
  }
}

std::size_t SchedulingPolicy::same_lp_end(std::span<const DecisionRequest> batch, std::size_t first) {
  std::size_t end = first + 1;
  while (end < batch.size() && batch[end].view == batch[first].view) ++end;
  return end;
}

}  // namespace marlsim

#include "agents/scheduling_policy.hpp"

#include <stdexcept>
#include <string>

namespace marlsim {

void SchedulingPolicy::decide(std::span<DecisionRequest> batch) const {
  for (DecisionRequest& r : batch) {
    r.chosen = r.every_node ? choose_indexed(*r.task, *r.view, r.ctx) : choose(*r.task, r.candidates, *r.view, r.ctx);
    r.view->commit(*r.task, r.chosen);  // the next request of the same LP sees this one
  }
}

NodeId SchedulingPolicy::choose_indexed(const TaskSpec&, const ClusterView&, DispatchContext&) const {
  throw std::logic_error("policy " + std::string(name()) + " has no indexed path; give it a candidate list");
}

std::size_t SchedulingPolicy::same_lp_end(std::span<const DecisionRequest> batch, std::size_t first) {
  std::size_t end = first + 1;
  while (end < batch.size() && batch[end].view == batch[first].view) ++end;
  return end;
}

}  // namespace marlsim

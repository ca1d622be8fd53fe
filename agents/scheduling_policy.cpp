#include "agents/scheduling_policy.hpp"

namespace marlsim {

void SchedulingPolicy::assign(std::span<const TaskSpec* const> tasks, std::span<const std::vector<NodeId>> candidates,
                              ClusterView& view, DispatchContext& ctx, std::span<NodeId> out) {
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    out[i] = choose(*tasks[i], candidates[i], view, ctx);
    view.commit(*tasks[i], out[i]);
  }
}

}  // namespace marlsim

// Ray's hybrid scheduling policy over the candidates, its top k a share of every node of the
// cluster (agents/ray_hybrid_rule.hpp has the rule and its sources).
#include <memory>

#include "agents/policy_registry.hpp"
#include "agents/ray_hybrid_rule.hpp"

namespace marlsim {

namespace {
class RayHybridPolicy final : public SchedulingPolicy {
 public:
  std::string_view name() const override { return "ray-hybrid"; }

  NodeId choose(const TaskSpec& task, std::span<const NodeId> candidates, const ClusterView& view,
                DispatchContext& ctx) const override {
    return rule_.choose(task, candidates, view.size(), view, ctx);
  }

 private:
  RayHybridRule rule_;
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_ray_hybrid_policy(const PolicyContext&) {
  return std::make_unique<RayHybridPolicy>();
}

}  // namespace marlsim

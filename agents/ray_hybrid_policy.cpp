// Ray's hybrid scheduling policy over the candidates, its top k a share of every node of the
// cluster (agents/ray_hybrid_rule.hpp has the rule and its sources). Exact, so linear: with a
// decision over every node (indexed path) it ranks every fitting node in one pass over the
// view's arrays instead of a candidate list; `ray-hybrid-sampled` is the declared sample.
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

  IndexNeeds index_needs() const override { return {.by_id = true}; }  // decisions over every node

  NodeId choose_indexed(const TaskSpec& task, const ClusterView& view, DispatchContext& ctx) const override {
    return rule_.choose_every_node(task, view, ctx);
  }

 private:
  RayHybridRule rule_;
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_ray_hybrid_policy(const PolicyContext&) {
  return std::make_unique<RayHybridPolicy>();
}

}  // namespace marlsim

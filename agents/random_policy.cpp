// Random: a node drawn uniformly from the candidates (source study 1's "Random" baseline).
// The draw comes from the deciding LP's own stream, so a decision never depends on the
// partition or on what other LPs drew; the policy itself holds no state.
#include <memory>
#include <stdexcept>

#include "agents/policy_registry.hpp"

namespace marlsim {

namespace {
class RandomPolicy final : public SchedulingPolicy {
 public:
  std::string_view name() const override { return "random"; }

  NodeId choose(const TaskSpec&, std::span<const NodeId> candidates, const ClusterView&,
                DispatchContext& ctx) const override {
    if (ctx.rng == nullptr) throw std::logic_error("random policy: DispatchContext::rng is not set");
    return candidates[ctx.rng->below(candidates.size())];
  }
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_random_policy(const PolicyContext&) { return std::make_unique<RandomPolicy>(); }

}  // namespace marlsim

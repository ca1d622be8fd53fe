// Random: a node drawn uniformly from the candidates (source study 1's "Random" baseline).
// The draw comes from the deciding LP's own stream, so a decision never depends on the
// partition or on what other LPs drew; the policy itself holds no state.
//
// Indexed path: the scan draws once, below(candidate count), and takes that position of the
// id-ordered list (agents/fitting_up_nodes.hpp). For a task some nodes cannot hold, the count
// and the drawn node come either from listing the unfit up nodes (the statically unfit nodes
// plus N / 64 words: cheapest on small clusters) or from a wavelet tree over the ids of the
// nodes with the task's cores, ordered by memory (O(log N) levels of O(log N) steps; one per
// core class, built with the view's indexes, before the first decision), the cheaper by an
// estimate; O(log N) for a task that fits every node.
#include <memory>
#include <stdexcept>

#include "agents/fitting_up_nodes.hpp"
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

  IndexNeeds index_needs() const override { return {.by_id = true, .by_core_class = true}; }

  NodeId choose_indexed(const TaskSpec& task, const ClusterView& view, DispatchContext& ctx) const override {
    if (ctx.rng == nullptr) throw std::logic_error("random policy: DispatchContext::rng is not set");
    fitting_.reset(task, view);
    if (fitting_.size() == 0) throw std::logic_error("random policy: no up node fits the task");
    return fitting_.kth(ctx.rng->below(fitting_.size()));  // the scan's draw
  }

 private:
  mutable FittingUpNodes fitting_;  // scratch reused between decisions, not state
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_random_policy(const PolicyContext&) { return std::make_unique<RandomPolicy>(); }

}  // namespace marlsim

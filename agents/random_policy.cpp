// Random: a node drawn uniformly from the candidates (source study 1's "Random" baseline).
// The draw comes from the deciding LP's own stream, so a decision never depends on the
// partition or on what other LPs drew; the policy itself holds no state.
//
// Indexed path: the scan draws once, below(candidate count), and takes that position of the
// id-ordered list. The view counts up nodes by id (a Fenwick tree), so the count is the up
// nodes less those the task does not fit (listed from the view's static orders by cores and
// by memory), and the drawn position is the (k + j)-th up node, j the unfit nodes before it
// (a binary search over the sorted unfit list). The cost is that list: nothing for a task
// that fits every node, else the statically unfit nodes (grows with the cluster).
#include <memory>
#include <stdexcept>
#include <vector>

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

  IndexNeeds index_needs() const override { return {.by_id = true}; }

  NodeId choose_indexed(const TaskSpec& task, const ClusterView& view, DispatchContext& ctx) const override {
    if (ctx.rng == nullptr) throw std::logic_error("random policy: DispatchContext::rng is not set");
    const ViewIndexes& index = *view.indexes();
    unfit_.clear();
    if (!index.fits_every_node(task)) index.unfit_up_nodes(task, unfit_);  // ascending ids
    if (unfit_.size() >= index.up_count()) throw std::logic_error("random policy: no up node fits the task");
    const std::size_t k = ctx.rng->below(index.up_count() - unfit_.size());  // the scan's draw
    // The unfit nodes before the k-th fitting one: those with at most k fitting nodes before
    // them (up nodes before unfit_[j], less the j unfit ones), a prefix of unfit_.
    std::size_t lo = 0, hi = unfit_.size();
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (index.up_before(unfit_[mid]) - mid <= k) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return index.kth_up(k + lo);
  }

 private:
  // Scratch reused between decisions, not state: a rank takes its decisions one at a time.
  mutable std::vector<NodeId> unfit_;
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_random_policy(const PolicyContext&) { return std::make_unique<RandomPolicy>(); }

}  // namespace marlsim

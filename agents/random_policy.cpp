// Random: a node drawn uniformly from the candidates (source study 1's "Random" baseline).
// The draw comes from the deciding LP's own stream, so a decision never depends on the
// partition or on what other LPs drew; the policy itself holds no state.
//
// Indexed path: the scan draws once, below(candidate count), and takes that position of the
// id-ordered list. The view counts up nodes by id (a Fenwick tree), so the count is the up
// nodes less those the task does not fit (listed from the view's static orders by cores and
// by memory), and the drawn position k is the (k + j)-th up node, j the unfit nodes before
// it. The cost is the unfit list: O(log N) for a task that fits every node, else the
// statically unfit nodes plus N / 64 words (grows with the cluster).
#include <bit>
#include <cstdint>
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
    if (!index.fits_every_node(task)) index.unfit_up_nodes(task, unfit_);
    if (unfit_.size() >= index.up_count()) throw std::logic_error("random policy: no up node fits the task");
    const std::size_t k = ctx.rng->below(index.up_count() - unfit_.size());  // the scan's draw
    if (unfit_.empty()) return index.kth_up(k);
    // The unfit nodes as bits over ids, with running counts per 64 ids: how many lie at or
    // before an id, in O(1).
    const std::size_t words = (view.size() + 63) / 64;
    unfit_bits_.assign(words, 0);
    for (const NodeId u : unfit_) unfit_bits_[u / 64] |= std::uint64_t{1} << (u % 64);
    unfit_before_.resize(words);
    std::size_t sum = 0;
    for (std::size_t w = 0; w < words; ++w) {
      unfit_before_[w] = sum;
      sum += static_cast<std::size_t>(std::popcount(unfit_bits_[w]));
    }
    const auto unfit_through = [&](NodeId n) {
      return unfit_before_[n / 64] +
             static_cast<std::size_t>(std::popcount(unfit_bits_[n / 64] & (~std::uint64_t{0} >> (63 - n % 64))));
    };
    // The k-th fitting node is the (k + j)-th up node, j the unfit nodes before it. From
    // j = 0, the node never passes the answer and j grows to its value.
    std::size_t j = 0;
    NodeId node = index.kth_up(k);
    for (std::size_t through = unfit_through(node); through != j; through = unfit_through(node)) {
      j = through;
      node = index.kth_up(k + j);
    }
    return node;
  }

 private:
  // Scratch reused between decisions, not state: a rank takes its decisions one at a time.
  mutable std::vector<NodeId> unfit_;
  mutable std::vector<std::uint64_t> unfit_bits_;
  mutable std::vector<std::size_t> unfit_before_;
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_random_policy(const PolicyContext&) { return std::make_unique<RandomPolicy>(); }

}  // namespace marlsim

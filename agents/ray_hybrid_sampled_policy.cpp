// Ray's hybrid rule over a declared sample of the candidates, so that a decision costs the
// sample, not the cluster. Not `ray-hybrid` (a scan of every candidate): the sample changes
// which nodes are ranked and so the results; its own name keeps the two apart in every table.
//
// The sample, as production schedulers score a share of the nodes (kube-scheduler stops at
// percentageOfNodesToScore of the nodes, never fewer than 100, minFeasibleNodesToFind):
//  - kSampleDraws = 100 positions of the id-ordered candidate list drawn uniformly with
//    replacement, below(candidate count) each, from the deciding LP's stream (ctx.rng, the
//    stream `ray-hybrid` draws its rank from); repeats merged, so the sample holds up to 100
//    distinct nodes. With at most 100 candidates there are no draws: the sample is the list.
//  - plus the deciding node (ctx.local_node) when it is a candidate, as Ray always considers
//    its local node (a central decider has none).
//  - Ray's rule over the sample (agents/ray_hybrid_rule.hpp) with the sample standing in for
//    the cluster: top k = max(1, floor(0.2 x sample size)), then ray-hybrid's one draw.
// Over a cluster of at most 100 nodes, all up and fitting the task, it is `ray-hybrid`.
//
// Indexed path (a decision over every node): the candidate list is the up nodes the task fits
// statically, addressed by position through the view's by_id index (agents/fitting_up_nodes),
// so the same positions give the same sample, node for node, and the same draws.
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "agents/fitting_up_nodes.hpp"
#include "agents/policy_registry.hpp"
#include "agents/ray_hybrid_rule.hpp"

namespace marlsim {

namespace {
constexpr std::size_t kSampleDraws = 100;

class RayHybridSampledPolicy final : public SchedulingPolicy {
 public:
  std::string_view name() const override { return "ray-hybrid-sampled"; }

  NodeId choose(const TaskSpec& task, std::span<const NodeId> candidates, const ClusterView& view,
                DispatchContext& ctx) const override {
    if (candidates.size() <= kSampleDraws) return rule_.choose(task, candidates, candidates.size(), view, ctx);
    draw_positions(candidates.size(), ctx);
    sample_.clear();
    for (const std::size_t p : positions_) sample_.push_back(candidates[p]);
    if (ctx.local_node != kNoNode &&
        std::find(candidates.begin(), candidates.end(), ctx.local_node) != candidates.end())
      add_local(ctx.local_node);
    return rule_.choose(task, sample_, sample_.size(), view, ctx);
  }

  IndexNeeds index_needs() const override { return {.by_id = true}; }

  NodeId choose_indexed(const TaskSpec& task, const ClusterView& view, DispatchContext& ctx) const override {
    // Listing: its walks resume where the last ended, so 100 ascending positions cost little
    // more than one; the wavelet tree's descents cost O(log^2 N) each (measured slower).
    fitting_.reset(task, view, FittingUpNodes::Method::listing);
    const std::size_t count = fitting_.size();
    if (count == 0) throw std::logic_error("ray-hybrid-sampled policy: no up node fits the task");
    positions_.clear();
    if (count <= kSampleDraws) {
      for (std::size_t p = 0; p < count; ++p) positions_.push_back(p);
    } else {
      draw_positions(count, ctx);
    }
    sample_.clear();
    std::size_t unfit_before = 0;  // positions ascend: each walk resumes where the last ended
    for (const std::size_t p : positions_) sample_.push_back(fitting_.kth(p, unfit_before));
    if (count > kSampleDraws && ctx.local_node != kNoNode && ctx.local_node < view.size() &&
        view.state(ctx.local_node).up && view.fits_statically(task, ctx.local_node))
      add_local(ctx.local_node);
    return rule_.choose(task, sample_, count <= kSampleDraws ? count : sample_.size(), view, ctx);
  }

 private:
  // kSampleDraws positions below `count` from ctx.rng, in draw order, then sorted and merged.
  void draw_positions(std::size_t count, DispatchContext& ctx) const {
    if (ctx.rng == nullptr) throw std::logic_error("ray-hybrid-sampled policy: DispatchContext::rng is not set");
    positions_.clear();
    for (std::size_t i = 0; i < kSampleDraws; ++i) positions_.push_back(ctx.rng->below(count));
    std::sort(positions_.begin(), positions_.end());
    positions_.erase(std::unique(positions_.begin(), positions_.end()), positions_.end());
  }
  void add_local(NodeId local) const {
    if (std::find(sample_.begin(), sample_.end(), local) == sample_.end()) sample_.push_back(local);
  }

  RayHybridRule rule_;
  // Scratch reused between decisions, not state: a rank takes its decisions one at a time.
  mutable FittingUpNodes fitting_;
  mutable std::vector<std::size_t> positions_;
  mutable std::vector<NodeId> sample_;
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_ray_hybrid_sampled_policy(const PolicyContext&) {
  return std::make_unique<RayHybridSampledPolicy>();
}

}  // namespace marlsim

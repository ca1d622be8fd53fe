#include "agents/ray_hybrid_rule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "agents/cluster_view.hpp"

namespace marlsim {

namespace {
constexpr double kSpreadThreshold = 0.5;
constexpr double kTopKFraction = 0.2;
constexpr double kInf = std::numeric_limits<double>::infinity();

double score(double critical) { return critical < kSpreadThreshold ? 0.0 : critical; }
}  // namespace

NodeId RayHybridRule::choose(const TaskSpec& task, std::span<const NodeId> nodes, std::size_t share_of,
                             const ClusterView& view, DispatchContext& ctx) const {
  return choose_from(
      task,
      [&](auto&& visit) {
        for (const NodeId n : nodes) visit(n, view.spec(n), view.state(n));  // looked up once (sparse: a search)
      },
      share_of, ctx);
}

NodeId RayHybridRule::choose_every_node(const TaskSpec& task, const ClusterView& view, DispatchContext& ctx) const {
  // The view's state and the cluster's specs by id, read in order: no list, no lookups. An
  // indexed view is dense (ClusterView::keep_indexes), so its states are by id.
  if (view.indexes() == nullptr)
    throw std::logic_error("ray-hybrid policy: an every-node decision needs an indexed view");
  const std::size_t count = view.size();
  const NodeSpec* spec = view.cluster().nodes.data();
  const NodeView* state = &view.state(0);
  const NodeId chosen = choose_from(
      task,
      [&](auto&& visit) {
        for (NodeId n = 0; n < count; ++n)
          if (state[n].up && task.cores <= spec[n].cores && task.memory_gb <= spec[n].memory_gb)
            visit(n, spec[n], state[n]);
      },
      count, ctx);
  if (chosen == kNoNode) throw std::logic_error("ray-hybrid policy: no up node fits the task");
  return chosen;
}

template <class ForEachNode>
NodeId RayHybridRule::choose_from(const TaskSpec& task, ForEachNode for_each_node, std::size_t share_of,
                                  DispatchContext& ctx) const {
  available_.clear();
  feasible_.clear();
  // One pass: the groups, each group's lowest (score, id), and the local node's place.
  Scored lowest_available{kInf, kNoNode}, lowest_feasible{kInf, kNoNode}, local{kInf, kNoNode};
  bool local_available = false;
  for_each_node([&](NodeId n, const NodeSpec& spec, const NodeView& v) {
    const bool fits = ClusterView::fits_now(task, v);
    // Once a node is available the feasible group is never used: skip its scores (divisions).
    if (!fits && !available_.empty()) return;
    const Scored s{score(ClusterView::critical_load(spec, v)), n};
    if (fits) {
      available_.push_back(s);
      if (s < lowest_available) lowest_available = s;
    } else {
      feasible_.push_back(s);
      if (s < lowest_feasible) lowest_feasible = s;
    }
    if (n == ctx.local_node) {
      local = s;
      local_available = fits;
    }
  });
  if (available_.empty() && feasible_.empty()) return kNoNode;
  const bool use_available = !available_.empty();
  std::vector<Scored>& group = use_available ? available_ : feasible_;
  const Scored lowest = use_available ? lowest_available : lowest_feasible;

  // Local (if a candidate and in the group) when no node of the group scores lower.
  if (local.node != kNoNode && local_available == use_available && local.score <= lowest.score) return local.node;

  const std::size_t k = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::floor(kTopKFraction * static_cast<double>(share_of))));
  const std::size_t top = std::min(k, group.size());
  if (top == 1) return lowest.node;
  if (ctx.rng == nullptr) throw std::logic_error("ray-hybrid policy: DispatchContext::rng is not set");
  const std::size_t rank = ctx.rng->below(top);
  // (score, id) is a strict total order, so the element of a given rank is well defined.
  std::nth_element(group.begin(), group.begin() + static_cast<std::ptrdiff_t>(rank), group.end());
  return group[rank].node;
}

}  // namespace marlsim

// Weighted round robin, capacity-weighted: smooth weighted round robin as in nginx
// (ngx_http_upstream_get_peer): every candidate's credit grows by its weight, the candidate
// with the most credit is picked and pays back the candidates' total weight. With a fixed
// candidate set each node is picked exactly weight/total of the time over every period of
// total picks, interleaved rather than in bursts.
//
// Weight = cores x speed (reference core-seconds per second), in integer units of 1/1024
// so that credits are exact integers: no floating-point drift over millions of decisions.
// Credits are kept per node id, not per candidate position, so the candidate set may change
// between calls (a busy node filtered out, a node down): a skipped node keeps its credit and
// catches up when it is a candidate again. The credits are the deciding LP's (a PolicyState):
// every LP of a rank shares the policy object, and each keeps its own round.
//
// Indexed path (a decision over every up node the task fits): still one pass over every node,
// since every candidate's credit grows at every call (docs/sub-linear-decisions.md), but a
// tight one: the deciding LP's state holds each node's weight, cores and memory in contiguous
// arrays next to its credits, the view's indexes give the up flags as bytes, and the pass
// visits ids in order, so no candidate list is built, no NodeSpec is chased and the first
// maximum is the lowest id, as in the scan. O(N) per decision, with a small constant.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <vector>

#include "agents/policy_registry.hpp"

namespace marlsim {

namespace {
struct Credits final : PolicyState {
  std::vector<std::int64_t> credit;  // indexed by node id
  // The indexed path's copy of the cluster's static data, by node id (built on its first call).
  const ClusterSpec* built_for = nullptr;
  std::vector<std::int64_t> weight;
  std::vector<double> cores, memory_gb;
};

class WeightedRoundRobinPolicy final : public SchedulingPolicy {
 public:
  std::string_view name() const override { return "weighted-rr"; }
  std::unique_ptr<PolicyState> make_state() const override { return std::make_unique<Credits>(); }

  NodeId choose(const TaskSpec&, std::span<const NodeId> candidates, const ClusterView& view,
                DispatchContext& ctx) const override {
    if (ctx.state == nullptr) throw std::logic_error("weighted-rr policy: DispatchContext::state is not set");
    std::vector<std::int64_t>& credit = static_cast<Credits*>(ctx.state)->credit;
    // Grown to the largest id seen, not to the cluster: 8 bytes per node id up to it.
    const NodeId top = *std::max_element(candidates.begin(), candidates.end());
    if (credit.size() <= top) credit.resize(std::size_t{top} + 1, 0);
    std::int64_t total = 0;
    NodeId best = candidates[0];
    std::int64_t best_credit = std::numeric_limits<std::int64_t>::min();
    for (const NodeId n : candidates) {
      const std::int64_t w = weight(view.spec(n));
      credit[n] += w;
      total += w;
      // Ties: the lowest node id, so the choice does not depend on candidate order.
      if (credit[n] > best_credit || (credit[n] == best_credit && n < best)) {
        best_credit = credit[n];
        best = n;
      }
    }
    credit[best] -= total;
    return best;
  }

  IndexNeeds index_needs() const override { return {.by_id = true}; }  // only its up flags are read

  NodeId choose_indexed(const TaskSpec& task, const ClusterView& view, DispatchContext& ctx) const override {
    if (ctx.state == nullptr) throw std::logic_error("weighted-rr policy: DispatchContext::state is not set");
    Credits& s = *static_cast<Credits*>(ctx.state);
    const std::size_t nodes = view.size();
    if (s.built_for != &view.cluster()) {
      s.built_for = &view.cluster();
      s.weight.resize(nodes);
      s.cores.resize(nodes);
      s.memory_gb.resize(nodes);
      for (NodeId n = 0; n < nodes; ++n) {
        s.weight[n] = weight(view.spec(n));
        s.cores[n] = view.spec(n).cores;
        s.memory_gb[n] = view.spec(n).memory_gb;
      }
    }
    if (s.credit.size() < nodes) s.credit.resize(nodes, 0);
    const ViewIndexes& index = *view.indexes();
    const char* up = index.up_flags().data();
    const NodeId best = index.fits_every_node(task)
                            ? round(s, nodes, [&](NodeId n) { return up[n] != 0; })
                            : round(s, nodes, [&, c = s.cores.data(), m = s.memory_gb.data()](NodeId n) {
                                return (up[n] != 0) & (task.cores <= c[n]) & (task.memory_gb <= m[n]);
                              });
    if (best == kNoNode) throw std::logic_error("weighted-rr policy: no up node fits the task");
    return best;
  }

 private:
  // One call of the round over the nodes `candidate` accepts, in id order (so the first
  // maximum is the lowest id); kNoNode if none. Branch-free: which nodes are candidates
  // follows the cluster's random shapes, a branch on it would mispredict at every other node.
  template <class Candidate>
  static NodeId round(Credits& s, std::size_t nodes, Candidate candidate) {
    constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::min();
    std::int64_t* credit = s.credit.data();
    const std::int64_t* w = s.weight.data();
    std::int64_t total = 0;
    std::int64_t best_credit = kNone;
    NodeId best = kNoNode;
    for (NodeId n = 0; n < nodes; ++n) {
      const std::int64_t in = -static_cast<std::int64_t>(candidate(n));  // all ones for a candidate
      const std::int64_t grow = w[n] & in;
      const std::int64_t c = credit[n] + grow;
      credit[n] = c;
      total += grow;
      const std::int64_t value = (c & in) | (kNone & ~in);  // kNone for a node that is not a candidate
      const bool better = value > best_credit;
      best = better ? n : best;
      best_credit = better ? value : best_credit;
    }
    if (best != kNoNode) credit[best] -= total;
    return best;
  }

  static std::int64_t weight(const NodeSpec& s) {
    // Rounded to nearest (cores and speed are positive); at least 1 so every node gets picks.
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(s.cores * s.speed * 1024.0 + 0.5));
  }
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_weighted_round_robin_policy(const PolicyContext&) {
  return std::make_unique<WeightedRoundRobinPolicy>();
}

}  // namespace marlsim

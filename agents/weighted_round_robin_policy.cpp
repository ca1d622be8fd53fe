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

 private:
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

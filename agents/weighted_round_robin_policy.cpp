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
// catches up when it is a candidate again. The state belongs to this instance only.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "agents/scheduling_policy.hpp"

namespace marlsim {

namespace {
class WeightedRoundRobinPolicy final : public SchedulingPolicy {
 public:
  std::string_view name() const override { return "weighted-rr"; }

  NodeId choose(const TaskSpec&, std::span<const NodeId> candidates, const ClusterView& view,
                DispatchContext&) override {
    // Grown to the largest id seen, not to the cluster: 8 bytes per node id up to it.
    const NodeId top = *std::max_element(candidates.begin(), candidates.end());
    if (credit_.size() <= top) credit_.resize(std::size_t{top} + 1, 0);
    std::int64_t total = 0;
    NodeId best = candidates[0];
    std::int64_t best_credit = std::numeric_limits<std::int64_t>::min();
    for (const NodeId n : candidates) {
      const std::int64_t w = weight(view.spec(n));
      credit_[n] += w;
      total += w;
      // Ties: the lowest node id, so the choice does not depend on candidate order.
      if (credit_[n] > best_credit || (credit_[n] == best_credit && n < best)) {
        best_credit = credit_[n];
        best = n;
      }
    }
    credit_[best] -= total;
    return best;
  }

 private:
  static std::int64_t weight(const NodeSpec& s) {
    // Rounded to nearest (cores and speed are positive); at least 1 so every node gets picks.
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(s.cores * s.speed * 1024.0 + 0.5));
  }

  std::vector<std::int64_t> credit_;  // indexed by node id
};
}  // namespace

std::unique_ptr<SchedulingPolicy> make_weighted_round_robin_policy() {
  return std::make_unique<WeightedRoundRobinPolicy>();
}

}  // namespace marlsim

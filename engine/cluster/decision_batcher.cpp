#include "engine/cluster/decision_batcher.hpp"

#include <algorithm>
#include <chrono>

#include "engine/cluster/messages.hpp"

namespace marlsim {

DecisionBatcher::DecisionBatcher(Simulator& sim, const SchedulingPolicy& policy, SimTime cycle)
    : sim_(sim), policy_(policy), cycle_(cycle) {
  sim.add_window_hook([this](SimTime window_end) { decide_window(window_end); });
}

void DecisionBatcher::first_request(LpId lp, DecidingLp& who, LpContext& ctx) {
  if (cycle_ <= 0) {
    raised(lp, who);
    return;
  }
  const SimTime boundary = (ctx.now() / cycle_ + 1) * cycle_;
  ctx.send(lp, boundary - ctx.now(), kDecisionCycle);
}

void DecisionBatcher::decide_window(SimTime window_end) {
  if (raised_.empty()) return;
  std::vector<std::pair<LpId, DecidingLp*>> raised;  // dispatching may raise requests for the next window
  raised.swap(raised_);
  // (LP id, request order): the order does not depend on which LPs share this rank.
  std::sort(raised.begin(), raised.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  batch_.clear();
  ends_.clear();
  for (auto& [lp, who] : raised) {
    who->collect_requests(batch_);
    ends_.push_back(batch_.size());
  }
  for (DecisionRequest& r : batch_) r.ctx.now = window_end;
  const auto t0 = std::chrono::steady_clock::now();
  if (!batch_.empty()) policy_.decide(batch_);
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ++stats_.batches;
  stats_.requests += batch_.size();
  stats_.largest = std::max<std::uint64_t>(stats_.largest, batch_.size());

  std::size_t begin = 0;
  for (std::size_t i = 0; i < raised.size(); ++i) {
    const std::size_t n = ends_[i] - begin;
    LpContext ctx = sim_.context(raised[i].first, window_end);
    const double share = batch_.empty() ? 0.0 : wall_s * static_cast<double>(n) / static_cast<double>(batch_.size());
    raised[i].second->dispatch_decisions(std::span(batch_).subspan(begin, n), share, ctx);
    begin = ends_[i];
  }
}

}  // namespace marlsim

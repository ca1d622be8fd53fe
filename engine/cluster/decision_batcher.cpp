#include "engine/cluster/decision_batcher.hpp"

#include <algorithm>
#include <chrono>

#include "engine/cluster/messages.hpp"

namespace marlsim {

DecisionBatcher::DecisionBatcher(Simulator& sim, const SchedulingPolicy& policy, SimTime cycle)
    : sim_(sim), policy_(policy), cycle_(cycle) {
  sim.add_window_hook([this](SimTime window_end) { decide_window(window_end); });
  if (cycle > 0) sim.set_hook_grid(cycle);
}

void DecisionBatcher::first_request(DecidingLp& who, LpContext& ctx) {
  if (cycle_ <= 0) {
    raised_.push_back({0, ctx.global_self(), &who});
    return;
  }
  const SimTime boundary = (ctx.now() / cycle_ + 1) * cycle_;
  raised_.push_back({boundary, ctx.global_self(), &who});
  ctx.send(ctx.self(), boundary - ctx.now(), kDecisionCycle);
}

void DecisionBatcher::decide_window(SimTime window_end) {
  if (raised_.empty()) return;
  // Due now: everything (window-end), or what waits for this boundary, unless its episode
  // stopped by then (alone, its run would have ended before).
  std::vector<Raised> raised;  // dispatching may raise requests for later
  std::size_t kept = 0;
  for (const Raised& r : raised_) {
    if (r.boundary > window_end) raised_[kept++] = r;
    else if (r.boundary == 0 || r.boundary < sim_.episode_stop(sim_.episode_of(r.lp))) raised.push_back(r);
  }
  raised_.resize(kept);
  if (raised.empty()) return;
  // (episode, LP id, request order): the order does not depend on which LPs share this rank.
  std::sort(raised.begin(), raised.end(), [](const Raised& a, const Raised& b) { return a.lp < b.lp; });
  batch_.clear();
  ends_.clear();
  for (const Raised& r : raised) {
    r.who->collect_requests(batch_);
    ends_.push_back(batch_.size());
  }
  for (DecisionRequest& r : batch_) r.ctx.now = window_end;
  const auto t0 = std::chrono::steady_clock::now();
  if (!batch_.empty()) policy_.decide(batch_);
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ++stats_.batches;
  stats_.requests += batch_.size();
  stats_.largest = std::max<std::uint64_t>(stats_.largest, batch_.size());
  stats_.sizes.push_back(static_cast<std::uint32_t>(batch_.size()));
  stats_.decide_wall_s += wall_s;

  std::size_t begin = 0;
  for (std::size_t i = 0; i < raised.size(); ++i) {
    const std::size_t n = ends_[i] - begin;
    LpContext ctx = sim_.context(raised[i].lp, window_end);
    const double share = batch_.empty() ? 0.0 : wall_s * static_cast<double>(n) / static_cast<double>(batch_.size());
    raised[i].who->dispatch_decisions(std::span(batch_).subspan(begin, n), share, ctx);
    begin = ends_[i];
  }
}

}  // namespace marlsim

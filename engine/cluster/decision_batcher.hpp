#pragma once
// Request -> decide -> dispatch. Deciding LPs (the central scheduler, decentralized node
// agents) raise decision requests in their event handlers. With scheduler.decide =
// "window-end", this rank's batcher, registered on the kernel's window hook, collects every
// pending request in (LP id, request order), decides them as one batch (one decide() call on
// the rank's shared policy: one matrix product per layer for a learned one) and hands each
// LP its decisions to dispatch through its own context. With "at-once" an LP decides its own
// requests in the handler that raised them, through the same decide() call. With decision
// cycles (agents.decision_period_s = P) the requests an LP raises before a multiple B of P
// are decided at B, with every event before B run and none at or after it: the kernel ends a
// window exactly at B (Simulator::set_hook_grid), and the LP's first request sends it a
// kDecisionCycle wake-up at B so that no window skips over it. Every request of the rank's
// cycle is decided together, those of every episode the kernel holds (batched episodes) in
// one batch, ordered by (episode, LP id, request order).
//
// Deciding at the window end is causally safe: dispatches leave at the window end and arrive
// a decision latency (>= the lookahead) later, after the window. The window boundaries
// depend only on the model's events, not on the partition, so the results are the same for
// any rank count; they differ from "at-once" by the wait until the window end (at most one
// lookahead), which counts as decision latency. Cycle boundaries depend on nothing but P, so
// an episode decides the same whichever other episodes share its kernel; "window-end"
// without cycles depends on the window layout, which other episodes change.
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "agents/scheduling_policy.hpp"
#include "engine/kernel/simulator.hpp"

namespace marlsim {

class DecidingLp {
 public:
  virtual ~DecidingLp() = default;
  // Appends this LP's pending requests, in the order it raised them, and forgets them.
  virtual void collect_requests(std::vector<DecisionRequest>& out) = 0;
  // Its requests as collected, decided; `wall_s`: its share of the batch's decide() time.
  virtual void dispatch_decisions(std::span<DecisionRequest> decided, double wall_s, LpContext& ctx) = 0;
};

struct BatchStats {
  std::uint64_t batches = 0, requests = 0, largest = 0;
  std::vector<std::uint32_t> sizes;  // per batch, in order
  double decide_wall_s = 0;          // inside the policy's decide()
};

class DecisionBatcher {
 public:
  // Registers on sim's window hook; `policy` is the rank's shared deciding policy;
  // `cycle` the decision period (0: decide at the end of the window of the request).
  DecisionBatcher(Simulator& sim, const SchedulingPolicy& policy, SimTime cycle);
  DecisionBatcher(const DecisionBatcher&) = delete;
  DecisionBatcher& operator=(const DecisionBatcher&) = delete;

  // The LP of `ctx` (`who`) raised its first pending request: its requests are decided at the
  // next cycle boundary (sending it a kDecisionCycle wake-up there), or at this window's end.
  void first_request(DecidingLp& who, LpContext& ctx);
  const BatchStats& stats() const { return stats_; }

 private:
  struct Raised {
    SimTime boundary;  // 0: this window's end
    LpId lp;           // global id: (episode, LP id) order
    DecidingLp* who;
  };
  void decide_window(SimTime window_end);

  Simulator& sim_;
  const SchedulingPolicy& policy_;
  SimTime cycle_;
  std::vector<Raised> raised_;
  std::vector<DecisionRequest> batch_;
  std::vector<std::size_t> ends_;  // per raised LP: the end of its requests in batch_
  BatchStats stats_;
};

}  // namespace marlsim

#pragma once
// Request -> decide -> dispatch. Deciding LPs (the central scheduler, decentralized node
// agents) raise decision requests in their event handlers. With scheduler.decide =
// "window-end", this rank's batcher, registered on the kernel's window hook, collects every
// pending request in (LP id, request order), decides them as one batch (one decide() call on
// the rank's shared policy: one matrix product per layer for a learned one) and hands each
// LP its decisions to dispatch through its own context. With "at-once" an LP decides its own
// requests in the handler that raised them, through the same decide() call. With decision
// cycles (agents.decision_period_s = P) an LP's first request schedules a kDecisionCycle event
// at the next multiple of P and the LP hands its requests over there: every request of the
// rank's cycle is decided together, at the end of the window holding the boundary.
//
// Deciding at the window end is causally safe: dispatches leave at the window end and arrive
// a decision latency (>= the lookahead) later, after the window. The window boundaries
// depend only on the model's events, not on the partition, so the results are the same for
// any rank count; they differ from "at-once" by the wait until the window end (at most one
// lookahead), which counts as decision latency.
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
};

class DecisionBatcher {
 public:
  // Registers on sim's window hook; `policy` is the rank's shared deciding policy;
  // `cycle` the decision period (0: decide at the end of the window of the request).
  DecisionBatcher(Simulator& sim, const SchedulingPolicy& policy, SimTime cycle);
  DecisionBatcher(const DecisionBatcher&) = delete;
  DecisionBatcher& operator=(const DecisionBatcher&) = delete;

  // `lp` raised its first pending request: with cycles, sends it a kDecisionCycle event at
  // the next boundary (where it calls raised()); else raised() now.
  void first_request(LpId lp, DecidingLp& who, LpContext& ctx);
  // `lp` has requests for this window's end (once per window).
  void raised(LpId lp, DecidingLp& who) { raised_.emplace_back(lp, &who); }
  const BatchStats& stats() const { return stats_; }

 private:
  void decide_window(SimTime window_end);

  Simulator& sim_;
  const SchedulingPolicy& policy_;
  SimTime cycle_;
  std::vector<std::pair<LpId, DecidingLp*>> raised_;
  std::vector<DecisionRequest> batch_;
  std::vector<std::size_t> ends_;  // per raised LP: the end of its requests in batch_
  BatchStats stats_;
};

}  // namespace marlsim

#include "engine/cluster/scheduler_lp.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

namespace marlsim {

SchedulerLp::SchedulerLp(const ModelSetup& setup)
    : setup_(setup),
      policy_state_(setup.deciding_policy->make_state()),
      rng_(setup.seed, setup.scheduler_lp(), rng_stream(setup.episode, kRngDecisions)),
      view_(*setup.cluster),
      inbox_(setup, setup.scheduler_lp(), 0.0, ReportTiming{true, 0}) {
  inbox_.hear_from_all();
}

void SchedulerLp::handle(const Event& ev, LpContext& ctx) {
  switch (ev.kind) {
    case kSubmit: {
      auto m = ev.as<TaskMessage>();
      if (m.rejected && m.from < setup_.nodes()) {  // that node is down
        NodeView down = std::as_const(view_).state(m.from);
        down.up = false;
        down.as_of = ctx.now();
        view_.set_state(m.from, down);
      }
      // Batching is a centralized-scheduler option; the two-level global scheduler answers
      // each spill at once so the spilling node's context stays with its task.
      if (setup_.scheduler.batch_interval_s > 0 && setup_.scheduler.topology == Topology::Centralized) {
        batch_.push_back(m);
        if (!tick_pending_) {
          tick_pending_ = true;
          ctx.send(ctx.self(), from_seconds(setup_.scheduler.batch_interval_s), kBatchTick);
        }
      } else {
        place({m}, ctx);
      }
      break;
    }
    case kDecisionCycle: break;  // a wake-up: the batcher decided at the boundary
    case kBatchTick: {
      tick_pending_ = false;
      std::vector<TaskMessage> batch;
      batch.swap(batch_);
      place(std::move(batch), ctx);
      break;
    }
    case kNodeReport: {
      const auto r = ev.as<ReportMessage>();
      keeper_.reported(view_, static_cast<NodeId>(ev.source()), r.view, *setup_.tasks);
      if (r.view.up && !parked_.empty()) {
        std::vector<TaskMessage> retry;
        retry.swap(parked_);
        place(std::move(retry), ctx);
      }
      break;
    }
    default: throw std::logic_error("SchedulerLp: unexpected event kind " + std::to_string(ev.kind));
  }
}

void SchedulerLp::candidates_for(const TaskSpec& task, std::vector<NodeId>& out) {
  out.clear();
  const auto n = static_cast<NodeId>(setup_.nodes());
  const std::uint32_t k = setup_.scheduler.candidates;
  auto consider = [&](NodeId c) {
    if (view_.fits_statically(task, c) && std::as_const(view_).state(c).up) out.push_back(c);
  };
  if (k == 0 || k >= n) {
    for (NodeId c = 0; c < n; ++c) consider(c);
  } else {
    // Power of K choices: K random draws (repeats merged).
    for (std::uint32_t i = 0; i < k; ++i) consider(static_cast<NodeId>(rng_.below(n)));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    if (out.empty())
      for (NodeId c = 0; c < n; ++c) consider(c);  // none of the sample can take it: look at all
  }
}

bool SchedulerLp::decides_from_indexes() {
  if (view_.indexes() != nullptr) return true;
  const IndexNeeds needs = setup_.deciding_policy->index_needs();
  const std::uint32_t k = setup_.scheduler.candidates;
  // A window-end decision sees the view as of the window's end, whose up nodes may differ
  // from those when the request was raised: it keeps the list, as built then.
  if (!needs.any() || (k != 0 && k < setup_.nodes()) || setup_.batcher != nullptr) return false;
  view_.keep_indexes(needs);  // from the first decision on (the batcher is known by then)
  return true;
}

void SchedulerLp::place(std::vector<TaskMessage> batch, LpContext& ctx) {
  const auto& tasks = *setup_.tasks;
  const bool first = pending_.empty();
  const bool indexed = decides_from_indexes();
  for (const TaskMessage& m : batch) {
    DecisionRequest r;
    if (indexed) {
      r.every_node = view_.indexes()->any_fits(tasks[m.task]);
      view_.indexes()->catch_up_for(tasks[m.task]);  // index upkeep outside the timed decision
    } else {
      candidates_for(tasks[m.task], r.candidates);
    }
    if (r.candidates.empty() && !r.every_node) {  // no node believed up can take it
      parked_.push_back(m);
      continue;
    }
    r.view = &view_;
    r.ctx = {ctx.now(), m.origin, &rng_, policy_state_.get(), static_cast<std::uint32_t>(ctx.episode())};
    pending_.raise(std::move(r), m, tasks[m.task]);  // r.task points at the spec's copy once collected
  }
  if (pending_.empty()) return;
  if (setup_.batcher) {
    if (first) setup_.batcher->first_request(*this, ctx);
    return;
  }
  std::vector<DecisionRequest>& decided = decided_;  // reused: no allocation per decision
  decided.clear();
  collect_requests(decided);
  ++decisions_.batches;
  decisions_.batched_requests += decided.size();
  const auto t0 = std::chrono::steady_clock::now();
  setup_.deciding_policy->decide(decided);
  dispatch_decisions(decided, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), ctx);
}

void SchedulerLp::collect_requests(std::vector<DecisionRequest>& out) { pending_.collect(out); }

void SchedulerLp::dispatch_decisions(std::span<DecisionRequest> decided, double wall_s, LpContext& ctx) {
  decisions_.wall_s += wall_s;
  for (std::size_t i = 0; i < decided.size(); ++i) {
    TaskMessage m = pending_.dispatching()[i];
    const NodeId node = decided[i].chosen;
    if (node >= setup_.nodes()) throw std::logic_error("policy " + setup_.policy + " chose no node");
    ++decisions_.decisions;
    inbox_.saw(decided[i], kNoNode, decisions_, staleness_s_);
    decisions_.sim_latency_s += to_seconds(ctx.now() - m.raised + setup_.decision_latency);
    m.from = ctx.self();
    m.rejected = 0;
    ctx.send(node, setup_.decision_latency, kAssign, m);
    count_sent(decisions_, kAssign);
    keeper_.dispatched(node, ctx.now() + setup_.decision_latency, m.task);
    ++dispatched_;
  }
  pending_.dispatching().clear();
}

std::uint64_t SchedulerLp::state_hash() const {
  return hash_combine(hash_combine(dispatched_, decisions_.decisions), parked_.size());
}

}  // namespace marlsim

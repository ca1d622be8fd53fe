#include "engine/cluster/scheduler_lp.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

#include "agents/policy_registry.hpp"

namespace marlsim {

SchedulerLp::SchedulerLp(const ModelSetup& setup)
    : setup_(setup),
      policy_(make_scheduling_policy(setup.policy)),
      rng_(setup.seed, setup.scheduler_lp(), rng_stream(setup.episode, kRngDecisions)),
      view_(*setup.cluster) {}

void SchedulerLp::handle(const Event& ev, LpContext& ctx) {
  switch (ev.kind) {
    case kSubmit: {
      auto m = ev.as<TaskMessage>();
      if (m.rejected && m.from < setup_.nodes()) {  // that node is down
        view_.state(m.from).up = false;
        view_.state(m.from).as_of = ctx.now();
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
    case kBatchTick: {
      tick_pending_ = false;
      std::vector<TaskMessage> batch;
      batch.swap(batch_);
      place(std::move(batch), ctx);
      break;
    }
    case kNodeReport: {
      const auto r = ev.as<ReportMessage>();
      keeper_.reported(view_, static_cast<NodeId>(ev.source()), r.view);
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
    if (view_.fits_statically(task, c) && view_.state(c).up) out.push_back(c);
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

void SchedulerLp::place(std::vector<TaskMessage> batch, LpContext& ctx) {
  const auto& tasks = *setup_.tasks;
  std::vector<const TaskSpec*> specs;
  std::vector<std::vector<NodeId>> candidates;
  std::vector<TaskMessage> placed;
  for (const TaskMessage& m : batch) {
    std::vector<NodeId> c;
    candidates_for(tasks[m.task], c);
    if (c.empty()) {
      parked_.push_back(m);
      continue;
    }
    specs.push_back(&tasks[m.task]);
    candidates.push_back(std::move(c));
    placed.push_back(m);
  }
  if (placed.empty()) return;

  std::vector<NodeId> out(placed.size(), kNoNode);
  DispatchContext dctx{ctx.now(), placed.size() == 1 ? placed[0].origin : kNoNode, &rng_};
  const auto t0 = std::chrono::steady_clock::now();
  policy_->assign(specs, candidates, view_, dctx, out);
  decisions_.wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  for (std::size_t i = 0; i < placed.size(); ++i) {
    TaskMessage m = placed[i];
    if (out[i] >= setup_.nodes()) throw std::logic_error("policy " + setup_.policy + " chose no node");
    ++decisions_.decisions;
    decisions_.sim_latency_s += to_seconds(ctx.now() - m.raised + setup_.decision_latency);
    m.from = ctx.self();
    m.rejected = 0;
    ctx.send(out[i], setup_.decision_latency, kAssign, m);
    keeper_.dispatched(out[i], ctx.now() + setup_.decision_latency, *specs[i]);
    ++dispatched_;
  }
}

std::uint64_t SchedulerLp::state_hash() const {
  return hash_combine(hash_combine(dispatched_, decisions_.decisions), parked_.size());
}

}  // namespace marlsim

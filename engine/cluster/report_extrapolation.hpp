#pragma once
// Reports on change (scheduler.report = "on-change"): a decentralized node reports when its load
// changes discretely (a task queued, started or ended, a failure, a repair), at most once per
// report_period_s, and its receivers extrapolate its last report to the time they decide.
//
// Between discrete changes only the running work moves: each running task's remaining reference
// work shrinks at its cores x the node's speed, so the node's running work drains at
// (cores - free cores) x speed core-seconds per second. A report already states the free cores
// and every agent knows the static speed, so the report carries what extrapolation needs (its
// wire size stays 96 B). The extrapolation is exact until the node's next change; what a
// receiver can miss is a change the rate limit holds back (at most one period) and the
// network latency.
#include <algorithm>

#include "agents/cluster_view.hpp"
#include "engine/support/inline_vector.hpp"

namespace marlsim {

// `report` as it would read at `now` if nothing changed discretely since it was produced (never
// extrapolated backwards); as_of stays the time it was produced, so its age is still the report's.
inline NodeView extrapolated(const NodeSpec& spec, const NodeView& report, SimTime now) {
  NodeView v = report;
  if (now <= report.as_of || report.as_of < 0) return v;
  const double drain_core_s_per_s = (spec.cores - report.free_cores) * spec.speed;
  v.running_work_core_s = std::max(0.0,
                                   report.running_work_core_s - drain_core_s_per_s * to_seconds(now - report.as_of));
  return v;
}

// A receiver's last report from each sender it heard from, as it arrived (its view holds the
// report with the receiver's own dispatches applied over it, so it cannot be extrapolated again).
class ReportedLoads {
 public:
  // `nodes` > 0: a slot per node (global sharing: every node reports), else a sorted slot per
  // sender as it is first heard from (a few ring neighbours).
  explicit ReportedLoads(std::size_t nodes = 0) : dense_(nodes > 0), reports_(nodes) {}

  void heard(NodeId from, const NodeView& report) {
    if (dense_) {
      reports_[from] = report;
      return;
    }
    const auto it = std::lower_bound(senders_.begin(), senders_.end(), from);
    const auto at = it - senders_.begin();
    if (it != senders_.end() && *it == from) {
      reports_[static_cast<std::size_t>(at)] = report;
    } else {
      senders_.insert(static_cast<std::size_t>(at), from);
      reports_.insert(static_cast<std::size_t>(at), report);
    }
  }
  // nullptr: never heard from `from`.
  const NodeView* last(NodeId from) const {
    if (dense_) return reports_[from].as_of < 0 ? nullptr : &reports_[from];
    const auto it = std::lower_bound(senders_.begin(), senders_.end(), from);
    return it != senders_.end() && *it == from ? &reports_[static_cast<std::size_t>(it - senders_.begin())] : nullptr;
  }

 private:
  bool dense_;
  // Sparse: the senders' ids sorted, apart from their reports, so the search reads one cache
  // line of ids instead of one report per step (at 10,000 nodes it was a miss per step). A few
  // ring neighbours (4 in the seed study) fit inline, in the agent's own state; more (and
  // dense, every node) move to the heap.
  InlineVector<NodeId, 8> senders_;
  InlineVector<NodeView, 4> reports_;  // dense: by node id, as_of < 0 until heard from; sparse: by senders_
};

}  // namespace marlsim

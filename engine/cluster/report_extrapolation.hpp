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
#include <utility>
#include <vector>

#include "agents/cluster_view.hpp"

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
  template <typename Entries>  // const or not
  static auto by_node(Entries& v, NodeId n) {
    return std::lower_bound(v.begin(), v.end(), n, [](const auto& e, NodeId x) { return e.first < x; });
  }

 public:
  // `nodes` > 0: a slot per node (global sharing: every node reports), else a sorted slot per
  // sender as it is first heard from (a few ring neighbours).
  explicit ReportedLoads(std::size_t nodes = 0) : dense_(nodes > 0), reports_(nodes) {
    for (std::size_t i = 0; i < nodes; ++i) reports_[i].first = static_cast<NodeId>(i);
  }

  void heard(NodeId from, const NodeView& report) {
    if (dense_) {
      reports_[from].second = report;
      return;
    }
    const auto it = by_node(reports_, from);
    if (it != reports_.end() && it->first == from) it->second = report;
    else reports_.insert(it, {from, report});
  }
  // nullptr: never heard from `from`.
  const NodeView* last(NodeId from) const {
    if (dense_) return reports_[from].second.as_of < 0 ? nullptr : &reports_[from].second;
    const auto it = by_node(reports_, from);
    return it != reports_.end() && it->first == from ? &it->second : nullptr;
  }

 private:
  bool dense_;
  std::vector<std::pair<NodeId, NodeView>> reports_;  // by sender; dense: as_of < 0 until heard from
};

}  // namespace marlsim

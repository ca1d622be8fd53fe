#include "engine/cluster/report_inbox.hpp"

#include <algorithm>

namespace marlsim {

namespace {
template <typename Entries>  // the vector of (node, time) pairs sorted by node, const or not
auto by_node(Entries& v, NodeId n) {
  return std::lower_bound(v.begin(), v.end(), n, [](const auto& e, NodeId x) { return e.first < x; });
}
}  // namespace

ReportInbox::ReportInbox(const ModelSetup& setup, LpId owner, double loss, ReportTiming timing)
    : latency_(setup.network_latency),
      loss_(loss),
      timing_(timing),
      rng_(setup.seed, owner, rng_stream(setup.episode, kRngObservationLoss)) {}

void ReportInbox::hear_from(NodeId n) {
  const auto it = std::lower_bound(reporters_.begin(), reporters_.end(), n);
  if (it == reporters_.end() || *it != n) reporters_.insert(static_cast<std::size_t>(it - reporters_.begin()), n);
}

bool ReportInbox::hears(NodeId n) const {
  return hears_all_ || std::binary_search(reporters_.begin(), reporters_.end(), n);
}

bool ReportInbox::receive(NodeId from, const NodeView& report, DecisionStats& stats) {
  const bool lost = loss_ > 0 && rng_.uniform() < loss_;
  if (!timing_.on_change) {
    stats.reports_lost += lost ? 1 : 0;
    return !lost;
  }
  auto it = by_node(lost_, from);
  const bool pending = it != lost_.end() && it->first == from;
  if (lost) {
    ++stats.reports_lost;
    if (!pending) lost_.insert(it, {from, report.as_of});  // the first change the decider missed
  } else if (pending) {
    lost_.erase(it);
  }
  return !lost;
}

SimTime ReportInbox::described_until(NodeId n, SimTime as_of, SimTime now) const {
  if (!timing_.on_change) return std::max<SimTime>(as_of, 0);
  // A change after the report of as_of is reported no earlier than this (never reported: at once).
  const SimTime first_send = as_of < 0 ? 0 : as_of + timing_.min_interval;
  const auto it = by_node(lost_, n);
  if (it != lost_.end() && it->first == n) return it->second > first_send ? it->second : std::max<SimTime>(as_of, 0);
  if (now - latency_ < first_send) return std::max<SimTime>(as_of, 0);
  return std::max({as_of, now - latency_, SimTime{0}});
}

void ReportInbox::saw(const DecisionRequest& decided, NodeId self, DecisionStats& stats,
                      std::vector<double>& staleness_s) const {
  const SimTime now = decided.ctx.now;
  double age_sum = 0;
  std::uint64_t reported = 0;
  // A decision over every node (an indexed policy, no candidate list) counts the entry it acted
  // on: scanning every node's age would cost the O(N) per decision the index avoids.
  const std::span<const NodeId> seen = decided.every_node ? std::span<const NodeId>(&decided.chosen, 1)
                                                          : std::span<const NodeId>(decided.candidates);
  for (NodeId c : seen) {
    if (c == self) continue;
    ++stats.candidates_seen;
    if (!hears(c)) {
      ++stats.candidates_unreported;
      continue;
    }
    age_sum += to_seconds(now - described_until(c, decided.view->state(c).as_of, now));
    ++reported;
  }
  if (reported > 0) staleness_s.push_back(age_sum / static_cast<double>(reported));
}

}  // namespace marlsim

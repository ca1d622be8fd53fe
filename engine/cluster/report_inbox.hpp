#pragma once
// What a deciding LP (a decentralized agent, the central scheduler) hears of other nodes:
// which of the load reports sent to it it sees (agents.observation_loss loses a share of
// them, each drawn from the decider's own stream, so the losses do not depend on the
// partition), and how stale its knowledge is when it decides.
//
// Staleness is the information age of a view entry at decision time t: t minus the last
// instant the entry is known to describe the node.
// - Periodic reports (report_period_s > 0) describe the node when they were produced (as_of);
//   it may have changed any time since.
// - Reports on every change (report_period_s = 0; a central scheduler's) describe the node
//   up to one network latency ago: a later change would have been reported and have arrived.
//   A lost report breaks that: the entry then describes the node only up to the change the
//   lost report was about.
// - Reports on change at most one per interval h (scheduler.report = "on-change"): a change
//   after a report produced at a is reported at once if it comes after a + h, else held back
//   until a + h. So the entry describes the node up to one latency ago once that is after
//   a + h, and only up to a before (a change since may be held back). A lost report was about
//   a change at its own time, unless it was the held-back one (produced exactly at a + h):
//   then only up to a.
// - A node that never reported is in its initial state (idle, up) until it does: described at 0.
// The decider's own node (first hand) and candidates it hears no reports from (sampled, or
// with sharing = "none") have no report age: they count as unreported candidates instead.
// A decision over every node (an indexed policy deciding without a candidate list) counts
// only the node it chose: the age of the entry it acted on.
#include <span>
#include <utility>
#include <vector>

#include "agents/scheduling_policy.hpp"
#include "engine/cluster/model_setup.hpp"
#include "engine/cluster/task_record.hpp"
#include "engine/support/inline_vector.hpp"
#include "engine/support/rng.hpp"

namespace marlsim {

// How the reporters a decider hears send their reports.
struct ReportTiming {
  bool on_change = false;    // on every change of their load, rather than periodically
  SimTime min_interval = 0;  // on change: at most one report per this interval (0: every change)
};

class ReportInbox {
 public:
  // `owner`: the deciding LP (its stream draws the losses); `loss`: the share of reports lost.
  ReportInbox(const ModelSetup& setup, LpId owner, double loss, ReportTiming timing);

  // Whose reports it receives: every node, or (default) only those added here.
  void hear_from_all() { hears_all_ = true; }
  void hear_from(NodeId n);

  // A report from `from` reaches the decider: true if it sees it, false if it is lost (then
  // counted in stats.reports_lost). Draws nothing when the loss is 0.
  bool receive(NodeId from, const NodeView& report, DecisionStats& stats);

  // A decided request: its candidates' ages (all but `self`) go into stats, and their mean,
  // the decision's staleness in seconds, into `staleness_s` (nothing if no candidate reports).
  void saw(const DecisionRequest& decided, NodeId self, DecisionStats& stats, std::vector<double>& staleness_s) const;

 private:
  bool hears(NodeId n) const;
  SimTime described_until(NodeId n, SimTime as_of, SimTime now) const;

  // What every received report reads first (an agent's inbox is part of its per-event state).
  SimTime latency_;
  double loss_;
  ReportTiming timing_;
  bool hears_all_ = false;
  std::vector<std::pair<NodeId, SimTime>> lost_;  // change-driven: the first report lost since the last seen, by node
  InlineVector<NodeId, 8> reporters_;             // sorted; a few ring neighbours fit inline
  RngStream rng_;
};

}  // namespace marlsim

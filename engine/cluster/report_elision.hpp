#pragma once
// Periodic load reports that repeat the last one are not sent as events (issue 10, "no report
// when nothing changed"). With a fixed period p and a fixed latency L, a receiver that got no
// report of a node's tick t by t + L knows that the node's load had not changed since its last
// report; so it applies that report again, as of t, just before the first event that the
// report's arrival would have preceded (events at equal times are ordered by source LP,
// engine/kernel/event.hpp). What every agent sees and decides, and every metric (messages are
// counted as the modeled protocol sends them), stay bit-identical: only the kernel's events
// are fewer. A busy node's report always differs (its running work shrinks with time), so
// what is elided is the reports of idle nodes, which are most of a long episode's tail.
//
// The sender's own ticks go the same way (TickGrid): a node whose next tick would only count
// an elided report (idle: nothing running, nothing parked, its load as last reported) does not
// schedule it; it counts the ticks it skipped before its next event, or at the episode's end.
// A tick it does schedule keeps the original tie-break: a tick precedes an event at its time
// from a higher source id, and it is scheduled before any other event the node sends itself
// after the tick before it, as the periodic tick was (decentralized_agent.cpp).
//
// Exact only where nothing else hangs on a report's arrival event, so elsewhere every report
// is sent (report_elision_applies):
// - no observation loss: a loss is drawn at the receiver per arriving report, and a sender
//   could not know which content a receiver that lost its last report would be repeating;
// - no failures: a report from an up node retries the tasks an agent parked;
// - decisions in the handlers (decide = "at-once", no decision cycles): batched decisions
//   happen at window ends, and the window boundaries depend on every event.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "agents/cluster_view.hpp"
#include "engine/cluster/model_setup.hpp"
#include "engine/kernel/event.hpp"
#include "engine/support/inline_vector.hpp"

namespace marlsim {

// Nothing but filing the report hangs on a report's arrival (the three conditions above; the
// report board's too, report_board.hpp). `windowed_decisions`: a batcher decides.
inline bool report_arrival_only_files(const ModelSetup& setup, bool windowed_decisions) {
  return setup.observation_loss == 0 && setup.failures.distribution == LifetimeDistribution::None &&
         setup.batcher == nullptr && !windowed_decisions;
}

inline bool report_elision_applies(const ModelSetup& setup, bool decision_cycles) {
  const SchedulerConfig& s = setup.scheduler;
  return s.elide_unchanged_reports && s.topology == Topology::Decentralized && s.sharing != Sharing::None &&
         s.report == ReportMode::Periodic && s.report_period_s > 0 && report_arrival_only_files(setup, decision_cycles);
}

// The same load (every field but as_of), bit for bit.
inline bool same_load(const NodeView& a, const NodeView& b) {
  auto eq = [](double x, double y) { return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y); };
  return eq(a.free_cores, b.free_cores) && eq(a.free_memory_gb, b.free_memory_gb) &&
         eq(a.queued_work_core_s, b.queued_work_core_s) && eq(a.queued_cores, b.queued_cores) &&
         eq(a.queued_memory_gb, b.queued_memory_gb) && eq(a.running_work_core_s, b.running_work_core_s) &&
         a.queue_length == b.queue_length && a.running == b.running && a.up == b.up;
}

// Sender side: whether this tick's report repeats the last one sent (then it is not sent).
class UnchangedReports {
 public:
  bool repeats(const NodeView& report) {
    if (would_repeat(report)) return true;
    last_ = report;
    sent_any_ = true;
    return false;
  }
  bool would_repeat(const NodeView& report) const { return sent_any_ && same_load(last_, report); }

 private:
  NodeView last_;
  bool sent_any_ = false;
};

// Sender side, its periodic ticks: tick j at phase + j x period; which of them are done.
class TickGrid {
 public:
  TickGrid() = default;
  TickGrid(SimTime phase, SimTime period) : phase_(phase), period_(period) {}

  SimTime next() const { return phase_ + static_cast<SimTime>(done_) * period_; }  // the first tick not done
  // Ticks not done that precede an event at `time` from `source` (ticks come from `self`).
  std::uint64_t due_before(SimTime time, LpId source, LpId self) const {
    return through(self < source ? time : time - 1);
  }
  std::uint64_t due_until(SimTime stop) const { return through(stop - 1); }  // not done, before `stop`
  void done(std::uint64_t n) { done_ += n; }

 private:
  std::uint64_t through(SimTime last) const {  // ticks not done at or before `last`
    if (last < next()) return 0;
    return static_cast<std::uint64_t>((last - next()) / period_) + 1;
  }

  SimTime phase_ = 0, period_ = 1;
  std::uint64_t done_ = 0;
};

// The tick of the last repeat of a report of `from` produced at `tick` whose arrival precedes an
// event at `time` from `source` (at its time only from a lower source id); `tick` if none has.
inline SimTime last_repeat_before(SimTime tick, SimTime period, SimTime latency, NodeId from, SimTime time,
                                  LpId source) {
  const SimTime limit = (from < source ? time : time - 1) - latency;
  const SimTime next = tick + period;
  return next <= limit ? next + (limit - next) / period * period : tick;
}

namespace detail {
// An ElidedReports entry (outside the class, so that it is complete where the class keeps them inline).
struct ElidedEntry {
  NodeId node = kNoNode;
  SimTime next_tick = -1;  // ElidedReports::kNone: never heard from
  NodeView last;
};
}  // namespace detail

// Receiver side: per sender heard from, its last report and the tick of its next report not yet
// accounted for; replay_before applies the elided reports that precede an event.
class ElidedReports {
 public:
  // `period`, `latency`: of the reports; `nodes` > 0: a slot per node (global sharing, where
  // every node reports), else slots added per sender as it is first heard from.
  ElidedReports(SimTime period, SimTime latency, std::size_t nodes) : period_(period), latency_(latency) {
    entries_.resize(nodes, Entry{});
    for (std::size_t i = 0; i < nodes; ++i) entries_[i].node = static_cast<NodeId>(i);
    dense_ = nodes > 0;
  }

  // A report from `from` arrived (its as_of is its tick).
  void heard(NodeId from, const NodeView& report) {
    Entry& e = entry(from);
    e.last = report;
    e.next_tick = report.as_of + period_;
    earliest_ = earliest_ == kNone ? e.next_tick : std::min(earliest_, e.next_tick);
  }

  // Calls apply(from, report) with the last elided report of each sender whose arrival comes
  // before an event at `time` from `source` (the report repeats the last one heard, as of its tick).
  template <class Apply>
  void replay_before(SimTime time, LpId source, Apply&& apply) {
    if (earliest_ == kNone || earliest_ + latency_ > time) return;
    earliest_ = kNone;
    for (Entry& e : entries_) {
      if (e.next_tick == kNone) continue;
      const SimTime tick = last_repeat_before(e.next_tick - period_, period_, latency_, e.node, time, source);
      if (tick >= e.next_tick) {
        NodeView report = e.last;
        report.as_of = tick;
        apply(e.node, report);
        e.next_tick = tick + period_;
      }
      earliest_ = earliest_ == kNone ? e.next_tick : std::min(earliest_, e.next_tick);
    }
  }

 private:
  static constexpr SimTime kNone = -1;
  using Entry = detail::ElidedEntry;
  Entry& entry(NodeId n) {
    if (dense_) return entries_[n];
    auto it = std::lower_bound(entries_.begin(), entries_.end(), n,
                               [](const Entry& e, NodeId x) { return e.node < x; });
    if (it == entries_.end() || it->node != n)
      return entries_.insert(static_cast<std::size_t>(it - entries_.begin()), Entry{n, kNone, {}});
    return *it;
  }

  SimTime period_, latency_;
  bool dense_ = false;
  SimTime earliest_ = kNone;  // the earliest next_tick of any entry heard from (kNone: none)
  // A few ring neighbours (4 in the seed study) fit inline, in the receiving agent's own state;
  // more (and dense, every node) move to the heap.
  InlineVector<Entry, 4> entries_;
};

}  // namespace marlsim

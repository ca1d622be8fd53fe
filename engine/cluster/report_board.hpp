#pragma once
// Load reports read where they were posted instead of delivered as events (issue 11). A
// decentralized node's report goes to its few ring neighbours; delivered as events, those copies
// were most of the kernel's events per decision (at 10,000 nodes 7.5 of 13 on change, 35 of 49
// periodic), each a queue push and pop and a first touch of a receiver that, without failures,
// only files the report away until it next decides.
//
// Here a sender posts a report once on its rank's board for its neighbours on that rank, each
// copy taking the send order it would have had (LpContext::skip_send), so every other event
// keeps its order. A receiver about to decide reads from each neighbour the latest report whose
// copy's event would have come before the event it handles (a later time, or the same time and a
// lower order: engine/kernel/event.hpp) and files it as that event did. Filing the latest of
// several is filing each in turn: each replaces the last (report_extrapolation.hpp's
// ReportedLoads, view_keeper.hpp). Periodic reports that repeat the last one are not posted
// (report_elision.hpp); the receiver files the last posted one as of its last repeat that has
// arrived, as an elided repeat is filed.
//
// Periodic ticks themselves (one event per node and period) run off the kernel when every
// neighbour a node reports to is on its rank and repeats are elided: the node takes a tick's
// send order wherever it would have scheduled its event (at the start, at the end of the tick
// before, after an event, before sending itself one), and runs the ticks due before its next
// event first thing in that event, as their events would have run (so every send order stays
// what it was). A reader whose
// neighbour has not run the last tick that has arrived (it has had no event since) reads that
// tick's report from the neighbour itself: its load then is its load now, the node having had
// no event in between (ticks_live).
//
// Every model result stays bit-identical: messages are counted as the protocol sends them, and
// the episode's `events` counts the copies read here and the ticks run off the kernel as the
// events they stand for (copies_arrived_before, NodePlacement::unsimulated_events), so it too
// is the same for any partition. Only the kernel runs fewer
// events (EpisodeResult::kernel_events), and with them the windows of a run over ranks may fall
// differently. Neighbours on other ranks still get events.
//
// Exact only where nothing else hangs on a report's arrival, so elsewhere (and with
// scheduler.report_board = false) every report is an event (reports_on_board):
// - no observation loss: a loss is drawn at the receiver per arriving report;
// - no failures: a report from an up node retries the tasks an agent parked (without failures
//   nothing is parked: a task fits a node, or the source never submits it);
// - decisions in the handlers (no batcher): batched decisions happen at window ends, and the
//   window boundaries depend on every event;
// - limited sharing: the receivers are the sender's ring neighbours (global sharing files
//   every node's reports, not only the candidates').
#include <cstdint>
#include <vector>

#include "agents/cluster_view.hpp"
#include "engine/cluster/model_setup.hpp"
#include "engine/cluster/node_lp.hpp"
#include "engine/cluster/report_elision.hpp"
#include "engine/kernel/event.hpp"
#include "engine/support/inline_vector.hpp"

namespace marlsim {

// The scheduler settings under which a decentralized node's reports can go on the board at all.
inline bool board_settings(const SchedulerConfig& s) {
  return s.report_board && s.topology == Topology::Decentralized && s.sharing == Sharing::Limited;
}
// Whether they do in this episode; `windowed_decisions`: a batcher decides.
inline bool reports_on_board(const ModelSetup& setup, bool windowed_decisions) {
  return board_settings(setup.scheduler) && report_arrival_only_files(setup, windowed_decisions);
}

// One report as posted: its copies' events would have arrived at `arrival` with orders
// first_order, first_order + 1, ... in the sender's list of receivers; `copies` of them are
// read here (the receivers on the sender's rank).
struct PostedReport {
  SimTime arrival = 0;
  std::uint64_t first_order = 0;
  std::uint32_t copies = 0;
  NodeView view;
};

class ReportBoard {
  struct Slot {
    // Ticks off the kernel (periodic reports): the node, whose load a reader reads, and the
    // first tick it has not run; null and -1 otherwise. First, where a reader looks first.
    const NodeLp* node = nullptr;
    SimTime next_tick = -1;
    InlineVector<PostedReport, 2> posted;
  };

 public:
  static constexpr std::size_t kBytesPerNode = sizeof(Slot);  // besides reports in flight beyond 2

  explicit ReportBoard(std::size_t nodes) : slots_(nodes) {}

  // `from` runs its ticks off the kernel; `next_tick`: the first it has not run.
  void ticks_read_from(NodeId from, const NodeLp& node, SimTime next_tick) {
    slots_[from].node = &node;
    slots_[from].next_tick = next_tick;
  }
  void ticked(NodeId from, SimTime next_tick) { slots_[from].next_tick = next_tick; }
  struct LiveTicks {
    const NodeLp* node = nullptr;  // null: its ticks are events
    SimTime next_tick = -1;
  };
  LiveTicks ticks_live(NodeId from) const { return {slots_[from].node, slots_[from].next_tick}; }

  // `from` posts a report while handling an event at `now`. A report that arrived before now
  // has arrived for every event still to come, so only the latest of those is kept, with the
  // ones still in flight (one or two at the seed study's rates; more when a node reports more
  // often than once per latency, e.g. on every change).
  void post(NodeId from, SimTime now, const PostedReport& report) {
    auto& p = slots_[from].posted;
    std::size_t arrived = 0;
    while (arrived < p.size() && p[arrived].arrival < now) ++arrived;
    if (arrived > 1) {
      std::size_t kept = 0;
      for (std::size_t i = arrived - 1; i < p.size(); ++i) p[kept++] = p[i];
      p.resize(kept);
    }
    p.push_back(report);
    copies_ += report.copies;
  }

  // The copies posted whose events would have run in an episode that stops at `stop` (those
  // arriving later would have been discarded; they are all still here, in flight).
  std::uint64_t copies_arrived_before(SimTime stop) const {
    std::uint64_t late = 0;
    for (const Slot& s : slots_)
      for (const PostedReport& r : s.posted) late += r.arrival >= stop ? r.copies : 0;
    return copies_ - late;
  }

  struct Found {
    const PostedReport* report = nullptr;  // null: none has arrived yet
    std::uint64_t order = 0;               // its copy's order
  };
  // The latest report of `from` whose copy `copy` would have arrived before an event at (time, order).
  Found latest_before(NodeId from, std::uint32_t copy, SimTime time, std::uint64_t order) const {
    const auto& p = slots_[from].posted;
    for (std::size_t i = p.size(); i-- > 0;) {
      const std::uint64_t copy_order = p[i].first_order + copy;
      if (key_before({p[i].arrival, copy_order, 0, 0}, {time, order, 0, 0})) return {&p[i], copy_order};
    }
    return {};
  }

 private:
  std::vector<Slot> slots_;   // by sender id
  std::uint64_t copies_ = 0;  // every copy posted
};

}  // namespace marlsim

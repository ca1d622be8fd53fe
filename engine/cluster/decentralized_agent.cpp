// Decentralized topology: every node is an agent that places the tasks submitted to it. It
// knows itself first hand, its ring neighbours from their load reports (sharing = "limited",
// or every node with "global"), and a few nodes sampled per decision that it may know nothing
// about; it asks the rank's shared policy (a DecidingLp of the decision batcher) to choose
// among them, keeps the task or sends it on, and parks what no candidate can take until a
// report or a repair says one can. What it hears (and loses, agents.observation_loss) and how
// stale that is when it decides is its ReportInbox's to keep; every message it sends to
// another node is counted (count_sent) for the coordination metrics. It reports its own load
// every period (scheduler.report = "periodic") or on change, rate-limited, and then
// extrapolates what it hears to the time it decides (report_extrapolation.hpp).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "agents/scheduling_policy.hpp"
#include "engine/cluster/decision_batcher.hpp"
#include "engine/cluster/node_placement.hpp"
#include "engine/cluster/pending_requests.hpp"
#include "engine/cluster/report_board.hpp"
#include "engine/cluster/report_elision.hpp"
#include "engine/cluster/report_extrapolation.hpp"
#include "engine/cluster/report_inbox.hpp"
#include "engine/cluster/self_belief.hpp"
#include "engine/support/inline_vector.hpp"

namespace marlsim {

namespace {

using Clock = std::chrono::steady_clock;

ClusterView agent_view(const ModelSetup& setup) {
  if (setup.scheduler.sharing == Sharing::Global) return ClusterView(*setup.cluster);
  return ClusterView(*setup.cluster, ClusterView::Sparse{});
}

ReportTiming report_timing(const SchedulerConfig& s) {
  if (s.report == ReportMode::OnChange) return {true, from_seconds(s.report_period_s)};
  return {s.report_period_s <= 0, 0};
}

// A short list of node ids kept in the agent's own state (neighbours, a decision's candidates):
// the seed study's 4 neighbours and 4 sampled nodes fit; more move to the heap.
using NodeIds = InlineVector<NodeId, 16>;

// Node `id`'s ring neighbours among `n` nodes, nearest first on alternating sides: id+1, id-1,
// id+2, ... (k of them at most).
NodeIds ring_neighbours(NodeId node, std::uint64_t nodes, std::uint32_t k) {
  const auto n = static_cast<std::int64_t>(nodes);
  const auto id = static_cast<std::int64_t>(node);
  const auto want = std::min<std::int64_t>(k, n - 1);
  NodeIds out;
  for (std::int64_t step = 1; static_cast<std::int64_t>(out.size()) < want; ++step) {
    for (std::int64_t sign : {1, -1}) {
      const auto nb = static_cast<NodeId>(((id + sign * step) % n + n) % n);
      if (static_cast<std::int64_t>(out.size()) < want && nb != node &&
          std::find(out.begin(), out.end(), nb) == out.end())
        out.push_back(nb);
    }
  }
  return out;
}

// The nodes whose neighbour `node` is, which its reports go to: the mirror image of its own
// neighbours (the same set for an even count; for an odd one, id+1, id-1, id+2 mirror to id-1,
// id+1, id-2), so every agent hears from each of its neighbours.
NodeIds report_targets(NodeId node, std::uint64_t nodes, std::uint32_t k) {
  const auto n = static_cast<std::int64_t>(nodes);
  const auto id = static_cast<std::int64_t>(node);
  NodeIds out;
  for (NodeId nb : ring_neighbours(node, nodes, k)) out.push_back(static_cast<NodeId>(((2 * id - nb) % n + n) % n));
  return out;
}

// Decisions at once (no batcher) are decided and dispatched inside the handler that raises
// them, one at a time: one request and its task per thread serve every agent, so a decision
// touches no per-agent buffers (at 10,000 agents each would be a cache miss).
struct AtOnceScratch {
  std::vector<DecisionRequest> requests;  // the one being decided; its candidate list is reused
  std::vector<TaskMessage> tasks;         // its task (parallel)
};
AtOnceScratch& at_once_scratch() {
  thread_local AtOnceScratch scratch;
  return scratch;
}

// A report an agent filed from the board: its copy's order (kLiveOrder: a tick's report read from
// the node itself), and as of which repeat (outside the agent, so that it is complete where the
// agent keeps them inline).
struct FiledReport {
  std::uint64_t order = ~std::uint64_t{0};
  SimTime as_of = -1;
};
inline constexpr std::uint64_t kLiveOrder = ~std::uint64_t{0} - 1;  // FiledReport::order of a report read live

class DecentralizedAgent final : public NodePlacement, public DecidingLp {
 public:
  DecentralizedAgent(NodeLp& node, const ModelSetup& setup)
      : on_change_(setup.scheduler.report == ReportMode::OnChange),
        node_(node),
        setup_(setup),
        inbox_(setup, node.id(), setup.observation_loss, report_timing(setup.scheduler)),
        reported_(on_change_ && setup.scheduler.sharing == Sharing::Global ? setup.nodes() : 0),
        elided_(from_seconds(setup.scheduler.report_period_s), setup.network_latency,
                setup.scheduler.sharing == Sharing::Global ? setup.nodes() : 0),
        self_(node, setup, agent_view(setup)),
        board_(setup.report_board),
        neighbours_(ring_neighbours(node.id(), setup.nodes(), setup.scheduler.neighbours)),
        report_to_(report_targets(node.id(), setup.nodes(), setup.scheduler.neighbours)),
        policy_state_(setup.deciding_policy->make_state()) {
    for (NodeId nb : neighbours_) self_.knowledge.track(nb);
    if (setup.scheduler.sharing == Sharing::Global) inbox_.hear_from_all();
    if (setup.scheduler.sharing == Sharing::Limited)
      for (NodeId nb : neighbours_) inbox_.hear_from(nb);
    if (board_ != nullptr) {
      // Which copy of each neighbour's reports is this node's: its place in the neighbour's targets.
      for (NodeId nb : neighbours_) {
        const NodeIds targets = report_targets(nb, setup.nodes(), setup.scheduler.neighbours);
        const auto copy = std::find(targets.begin(), targets.end(), node.id());
        if (copy == targets.end())
          throw std::logic_error("node " + std::to_string(node.id()) + " hears from a node that does not report to it");
        board_copy_.push_back(static_cast<std::uint32_t>(copy - targets.begin()));
        board_filed_.push_back(FiledReport{});
      }
    }
  }

  void init(LpContext& ctx) override {
    elide_ = report_elision_applies(setup_, setup_.batcher != nullptr);  // the batcher exists by now
    // Ticks send periodic reports and retry parked tasks; a random phase spreads them out. On
    // change, nothing is periodic but the retries: it ticks only while it holds parked tasks.
    const double period = setup_.scheduler.report_period_s > 0 ? setup_.scheduler.report_period_s : 1.0;
    RngStream phase(setup_.seed, node_.id(), rng_stream(setup_.episode, kRngReports));
    ticks_ = TickGrid(from_seconds(phase.uniform() * period), from_seconds(period));
    // Periodic ticks off the kernel (report_board.hpp) when every report goes on the board.
    lazy_ticks_ = board_ != nullptr && elide_ &&
                  std::all_of(report_to_.begin(), report_to_.end(), [&](NodeId to) { return ctx.is_local(to); });
    if (lazy_ticks_) board_->ticks_read_from(node_.id(), node_, ticks_.next());
    if (!on_change_) schedule_tick(ctx);
  }

  void before_event(const Event& ev, LpContext& ctx) override {
    event_time_ = ev.time;  // where the board's reports stop (read_board)
    event_order_ = ev.order;
    // Ticks off the kernel that come before this event run now, as their events did.
    while (lazy_ticks_ && tick_scheduled_ &&
           key_before({ticks_.next(), tick_order_, 0, 0}, {ev.time, ev.order, 0, 0})) {
      ++ticks_run_;
      tick(ctx, ticks_.next());
    }
    if (!elide_) return;
    elided_.replay_before(ev.time, ev.source(), [this](NodeId from, const NodeView& report) {
      if (seen(from, report) && !parked_.empty())  // cannot happen without failures
        throw std::logic_error("an elided report would retry parked tasks (engine/cluster/report_elision.hpp)");
    });
    if (!tick_scheduled_) skip_idle_ticks(ticks_.due_before(ev.time, ev.source(), node_.id()));
  }

  void after_event(LpContext& ctx) override {
    if (elide_ && !tick_scheduled_ && !next_tick_idle(ctx.now())) schedule_tick(ctx);
  }

  // The periodic tick was scheduled at the end of the tick before it, before anything else the
  // node sends itself afterwards: so is the next tick here (not from inside a tick: there the
  // tick's own end schedules it, after what the tick sent).
  void before_own_event(LpContext& ctx) override {
    if (elide_ && !tick_scheduled_ && !ticking_) schedule_tick(ctx);
  }

  void count_until(SimTime stop, DecisionStats& stats) const override {
    // Every tick counts its report, sent or elided: the ticks still to come before `stop`.
    if (elide_ && (lazy_ticks_ || !tick_scheduled_))
      count_sent(stats, kNodeReport, ticks_.due_until(stop) * report_copies());
  }

  std::uint64_t unsimulated_events(SimTime stop) const override {
    if (!lazy_ticks_) return 0;
    // The ticks run before events, and those that would still have run before `stop`, with
    // the copies they would have posted, as the tick handler would have (no event changes the
    // node any more).
    std::uint64_t events = ticks_run_;
    if (!tick_scheduled_) return events;
    UnchangedReports last = unchanged_;
    for (SimTime t = ticks_.next(); t < stop; t += from_seconds(setup_.scheduler.report_period_s)) {
      ++events;
      const NodeView report = node_.own_view(t);
      if (!last.repeats(report) && t + setup_.network_latency < stop) events += report_to_.size();
      if (idle_after(last, report)) break;  // next_tick_idle
    }
    return events;
  }

  void submitted(TaskMessage m, LpContext& ctx) override {
    if (m.rejected && m.from != node_.id() && m.from < setup_.nodes() && self_.knowledge.tracks(m.from)) {
      self_.knowledge.edit_state(m.from).up = false;  // it sent the task back because it is down
      self_.knowledge.edit_state(m.from).as_of = ctx.now();
    }
    if (node_.up()) place_decentralized(m, ctx);
    else bounce(m, ctx);
  }

  void bounce(TaskMessage m, LpContext& ctx) override;

  bool handle(const Event& ev, LpContext& ctx) override {
    switch (ev.kind) {
      case kNodeReport: {
        const auto from = static_cast<NodeId>(ev.source());
        const NodeView report = ev.as<ReportMessage>().view;
        if (!inbox_.receive(from, report, node_.decision_stats())) return true;  // lost: never seen
        if (elide_) elided_.heard(from, report);  // its repeats are replayed before later events
        if (file_report(from, report) && !parked_.empty()) retry_parked(ctx);
        return true;
      }
      case kReportTick:
        if (!tick_scheduled_ || ticks_.next() != ctx.now())
          throw std::logic_error("node " + std::to_string(node_.id()) + ": a report tick off its grid");
        tick(ctx, ctx.now());
        return true;
      case kReportDue:
        report_due_ = false;
        send_reports(ctx, ctx.now());
        return true;
      case kDecisionCycle: return true;  // a wake-up: the batcher decided at the boundary
      default: return false;
    }
  }

  void state_changed(LpContext& ctx) override {
    // Periodic reports: on every change only when no period is set.
    const SchedulerConfig& s = setup_.scheduler;
    if (s.sharing == Sharing::None) return;
    if (on_change_) report_change(ctx);
    else if (s.report_period_s <= 0) send_reports(ctx, ctx.now());
  }

  void evacuate(std::vector<TaskMessage>& out) override {
    out.insert(out.end(), parked_.begin(), parked_.end());
    parked_.clear();
  }
  void repaired(LpContext& ctx) override { retry_parked(ctx); }
  std::uint64_t held() const override { return parked_.size(); }
  void hot_state(std::vector<HotRange>& out) const override { out.push_back({this, sizeof(*this)}); }

  void collect_requests(std::vector<DecisionRequest>& out) override;
  void dispatch_decisions(std::span<DecisionRequest> decided, double wall_s, LpContext& ctx) override;

 private:
  // Keeps, sends on or bounces each decided request's task (tasks[i] is decided[i]'s).
  void dispatch(std::span<DecisionRequest> decided, std::span<const TaskMessage> tasks, double wall_s, LpContext& ctx);
  void place_decentralized(TaskMessage m, LpContext& ctx);  // raises a request (or parks the task)
  void forget_sampled();
  void assume_typical_load(std::span<const NodeId> unknown);
  void retry_parked(LpContext& ctx);
  void send_reports(LpContext& ctx, SimTime at);  // its load at `at` (now, or a tick run off the kernel)
  void report_change(LpContext& ctx);
  void park(const TaskMessage& m, LpContext& ctx);
  void extrapolate_reports(std::span<const NodeId> nodes, SimTime now);
  std::uint64_t report_copies() const {  // one periodic report goes to this many nodes
    return setup_.scheduler.sharing == Sharing::Global ? setup_.nodes() - 1 : report_to_.size();
  }
  // An empty candidate list, with the capacity of one used before when there is one: the at-once
  // request's own (at_once), else one a dispatched request gave back.
  std::vector<NodeId> spare_candidate_list(bool at_once) {
    std::vector<NodeId> list;
    std::vector<DecisionRequest>& shared = at_once_scratch().requests;
    if (at_once && !shared.empty()) list = std::move(shared.front().candidates);
    if (!at_once && !spare_candidate_lists_.empty()) {
      list = std::move(spare_candidate_lists_.back());
      spare_candidate_lists_.pop_back();
    }
    list.clear();
    return list;
  }
  void give_back(std::vector<NodeId> list, bool at_once) {
    std::vector<DecisionRequest>& shared = at_once_scratch().requests;
    if (at_once && !shared.empty()) shared.front().candidates = std::move(list);
    if (!at_once) spare_candidate_lists_.push_back(std::move(list));
  }
  // The tick due `now` (ticks_.next()): as its event, or before the node's next event when ticks
  // run off the kernel (then ctx is that event's, and only its send orders may be used: nothing
  // parked to retry, no report sent as an event).
  void tick(LpContext& ctx, SimTime now) {
    if (lazy_ticks_ && !parked_.empty())
      throw std::logic_error("a tick off the kernel would retry parked tasks (report_board.hpp)");
    tick_scheduled_ = false;
    const SchedulerConfig& s = setup_.scheduler;
    ticking_ = true;
    if (!on_change_ && s.sharing != Sharing::None && s.report_period_s > 0) send_reports(ctx, now);
    retry_parked(ctx);
    ticking_ = false;
    ticks_.done(1);
    if (lazy_ticks_) board_->ticked(node_.id(), ticks_.next());
    if (on_change_ ? !parked_.empty() : !elide_ || !next_tick_idle(now)) schedule_tick(ctx);
  }
  void schedule_tick(LpContext& ctx) {
    if (lazy_ticks_) tick_order_ = ctx.skip_send();  // the order its event would have had
    else ctx.send(node_.id(), ticks_.next() - ctx.now(), kReportTick);
    tick_scheduled_ = true;
  }
  // Whether the next tick, if nothing reaches the node before it, would only count a report
  // that repeats the last one sent.
  bool next_tick_idle(SimTime now) const { return idle_after(unchanged_, node_.own_view(now)); }
  // The same, given what it last sent and its load now.
  bool idle_after(const UnchangedReports& sent, const NodeView& load) const {
    return parked_.empty() && !node_.busy() && sent.would_repeat(load);
  }
  void skip_idle_ticks(std::uint64_t n) {
    if (n == 0) return;
    count_sent(node_.decision_stats(), kNodeReport, n * report_copies());  // as the protocol sends them
    ticks_.done(n);
    if (lazy_ticks_) board_->ticked(node_.id(), ticks_.next());
  }
  // A report from `from` that it sees (not lost), as an event or from the board: true if it tells
  // that a node it knows is up.
  bool file_report(NodeId from, const NodeView& report) {
    if (on_change_) {
      reported_.heard(from, report);
      heard_since_extrapolated_ = true;
    }
    return seen(from, report);
  }
  void read_board();
  // A report it sees from `from`: true if it tells that a node it knows is up.
  bool seen(NodeId from, const NodeView& report) {
    if (!self_.knowledge.tracks(from) || from == node_.id()) return false;
    self_.keeper.reported(self_.knowledge, from, report, *setup_.tasks);
    return report.up;
  }

  // Declared in the order a received report touches them (at 10,000 agents each event's first
  // touches of its agent are cache misses): the flags, the inbox, the senders' last reports,
  // then its view, whose entries are inline; the lists of decisions and ticks after them.
  bool elide_ = false;                     // report_elision.hpp: repeated reports are not sent
  bool on_change_;                         // scheduler.report = "on-change"
  bool tick_scheduled_ = false;            // a tick is pending for ticks_.next() (its event, or tick_order_)
  bool lazy_ticks_ = false;                // ticks run off the kernel, before the node's next event
  std::uint64_t tick_order_ = 0;           // off the kernel: the order of the pending tick's event
  std::uint64_t ticks_run_ = 0;            // off the kernel: ticks run (events not simulated)
  bool ticking_ = false;                   // inside a tick
  bool report_due_ = false;                // on change: a held-back report is scheduled (kReportDue)
  bool heard_since_extrapolated_ = false;  // on change: a report arrived since extrapolate_reports
  NodeLp& node_;
  const ModelSetup& setup_;
  std::vector<TaskMessage> parked_;            // nowhere to place them yet
  ReportInbox inbox_;                          // which reports it sees; the staleness of its decisions
  ReportedLoads reported_;                     // on change: the last report heard from each sender, as sent
  ElidedReports elided_;                       // periodic: what it last heard, and the repeats it did not get
  SelfBelief self_;                            // its knowledge: itself, its neighbours, the nodes it samples
  ReportBoard* board_;                         // report_board.hpp: where its neighbours' reports are read (or null)
  SimTime event_time_ = 0;                     // the event being handled: its time
  std::uint64_t event_order_ = 0;              // and its order (Event::order as its handler sees it)
  InlineVector<std::uint32_t, 4> board_copy_;  // per neighbour: which copy of its reports is this node's
  InlineVector<FiledReport, 4> board_filed_;   // per neighbour: the report last filed from the board
  NodeIds neighbours_;                         // its candidates, whose reports it receives
  NodeIds sampled_;                            // tracked only for the pending requests: forgotten after dispatch
  NodeIds report_to_;                          // the nodes it is a neighbour of: its reports go there
  SimTime last_report_ = -1;                   // on change: when it last sent its report (-1: never)
  TickGrid ticks_;                             // its periodic ticks, and which are done
  std::unique_ptr<PolicyState> policy_state_;  // the shared policy's memory of this agent's decisions
  PendingRequests pending_;                    // batched: raised, not yet dispatched
  std::vector<std::vector<NodeId>> spare_candidate_lists_;  // batched: dispatched requests' lists, for reuse
  UnchangedReports unchanged_;                              // what it last sent
};

void DecentralizedAgent::read_board() {
  const SimTime period = from_seconds(setup_.scheduler.report_period_s);
  const LpId source = order_source(event_order_);
  for (std::size_t i = 0; i < neighbours_.size(); ++i) {
    const NodeId from = neighbours_[i];
    NodeView report;
    std::uint64_t order = kLiveOrder;
    // Ticks off the kernel: the last tick that has arrived, if the neighbour has not run it (it
    // has had no event since), reports its load now (report_board.hpp).
    const ReportBoard::LiveTicks live = elide_ ? board_->ticks_live(from) : ReportBoard::LiveTicks{};
    const SimTime tick = live.node != nullptr ? last_repeat_before(live.next_tick - period, period,
                                                                   setup_.network_latency, from, event_time_, source)
                                              : -1;
    if (live.node != nullptr && tick >= live.next_tick) {
      report = live.node->own_view(tick);
    } else {
      const ReportBoard::Found found = board_->latest_before(from, board_copy_[i], event_time_, event_order_);
      if (found.report == nullptr) continue;  // none has arrived yet
      report = found.report->view;
      order = found.order;
      if (elide_)  // periodic: as of its last repeat that has arrived (report_elision.hpp)
        report.as_of = last_repeat_before(report.as_of, period, setup_.network_latency, from, event_time_, source);
    }
    // Filed already: the same copy as of the same repeat, or a tick's report read from the node
    // and since posted (periodic reports: one per tick, as of the tick).
    const FiledReport& filed = board_filed_[i];
    if (report.as_of == filed.as_of && (order == filed.order || order == kLiveOrder || filed.order == kLiveOrder))
      continue;
    board_filed_[i] = {order, report.as_of};
    if (!inbox_.receive(from, report, node_.decision_stats())) continue;  // (never lost: no loss on the board)
    if (file_report(from, report) && !parked_.empty())                    // reports_on_board: no failures
      throw std::logic_error("a report read from the board would retry parked tasks (report_board.hpp)");
  }
}

void DecentralizedAgent::place_decentralized(TaskMessage m, LpContext& ctx) {
  // What it heard since it last decided (every reader of its neighbours' entries decides).
  if (board_ != nullptr) read_board();
  const TaskSpec task = (*setup_.tasks)[m.task];  // a copy: the lookups below may drop a replayed table's chunk
  const SchedulerConfig& s = setup_.scheduler;
  // Candidates: itself, its neighbours, and a few sampled nodes it may know nothing about.
  NodeIds pool;
  pool.push_back(node_.id());
  for (NodeId nb : neighbours_) pool.push_back(nb);
  NodeIds sampled;
  const auto n = setup_.nodes();
  for (std::uint32_t i = 0; i < s.sampled && pool.size() < n; ++i) {
    const auto c = static_cast<NodeId>(node_.decision_rng().below(n));
    if (std::find(pool.begin(), pool.end(), c) != pool.end()) continue;
    pool.push_back(c);
    if (!self_.knowledge.tracks(c)) {
      self_.knowledge.track(c);
      sampled.push_back(c);
    }
  }
  // None of them is big enough: add the nearest node down the ring whose machine is (every
  // agent knows the static specs), so a large task is never stranded on small nodes.
  if (std::none_of(pool.begin(), pool.end(), [&](NodeId c) { return self_.knowledge.fits_statically(task, c); })) {
    for (std::uint64_t step = 1; step < n; ++step) {
      const auto c = static_cast<NodeId>((node_.id() + step) % n);
      if (!self_.knowledge.fits_statically(task, c)) continue;
      pool.push_back(c);
      if (!self_.knowledge.tracks(c)) {
        self_.knowledge.track(c);
        sampled.push_back(c);
      }
      break;
    }
  }
  self_.believed_self(ctx.now());
  if (on_change_) {
    extrapolate_reports(pool, ctx.now());
    if (pending_.empty()) heard_since_extrapolated_ = false;  // the pending requests are up to date
  }
  if (s.sharing == Sharing::None) {
    // Local only: its neighbours are as unknown as the sampled nodes (a learned policy sees
    // their report age: never); what it believes of their up state stays.
    NodeIds unknown = sampled;
    for (NodeId nb : neighbours_) unknown.push_back(nb);
    assume_typical_load(unknown);
  } else {
    assume_typical_load(sampled);
  }
  if (s.sharing == Sharing::None || ((s.report_period_s <= 0 || on_change_) && setup_.observation_loss > 0)) {
    // No report will ever say a node is back (or the one that said so on its repair may
    // have been lost, and an idle node has nothing else to report): a node believed down is
    // believed so for one mean repair time, then tried again.
    const SimTime repair = from_seconds(setup_.failures.mttr_s);
    for (NodeId c : pool) {
      NodeView& v = self_.knowledge.edit_state(c);
      if (!v.up && ctx.now() - v.as_of >= repair) v.up = true;
    }
  }
  const bool at_once = setup_.batcher == nullptr;
  DecisionRequest r;
  r.candidates = spare_candidate_list(at_once);
  for (NodeId c : pool)
    if (self_.knowledge.fits_statically(task, c) && self_.knowledge.state(c).up) r.candidates.push_back(c);
  for (NodeId c : sampled) sampled_.push_back(c);
  if (r.candidates.empty()) {
    give_back(std::move(r.candidates), at_once);
    park(m, ctx);
    if (pending_.empty()) forget_sampled();
    return;
  }
  r.view = &self_.knowledge;
  r.ctx = {ctx.now(), node_.id(), &node_.decision_rng(), policy_state_.get(),
           static_cast<std::uint32_t>(ctx.episode())};
  if (!at_once) {
    const bool first = pending_.empty();
    pending_.raise(std::move(r), m, task);  // r.task points at the spec's copy once collected
    if (first) setup_.batcher->first_request(*this, ctx);
    return;
  }
  r.task = &task;  // the local copy: decided and dispatched within this call
  AtOnceScratch& scratch = at_once_scratch();
  scratch.requests.resize(1);
  scratch.requests.front() = std::move(r);
  scratch.tasks.assign(1, m);
  ++node_.decision_stats().batches;
  ++node_.decision_stats().batched_requests;
  const auto t0 = Clock::now();
  setup_.deciding_policy->decide(scratch.requests);
  dispatch(scratch.requests, scratch.tasks, std::chrono::duration<double>(Clock::now() - t0).count(), ctx);
}

void DecentralizedAgent::collect_requests(std::vector<DecisionRequest>& out) {
  // Decided later (a batch at a window end or cycle boundary): reports that arrived in between
  // replaced the extrapolated entries.
  if (heard_since_extrapolated_)
    for (const DecisionRequest& r : pending_.raised()) extrapolate_reports(r.candidates, r.ctx.now);
  heard_since_extrapolated_ = false;
  pending_.collect(out);
}

void DecentralizedAgent::dispatch_decisions(std::span<DecisionRequest> decided, double wall_s, LpContext& ctx) {
  // Keeping or bouncing a task only sends events, so nothing in dispatch raises or dispatches
  // new requests: `decided` and the buffers given back after it stay this call's.
  std::vector<TaskMessage> tasks;
  tasks.swap(pending_.dispatching());
  dispatch(decided, tasks, wall_s, ctx);
  // The candidate lists go back for the next requests (nothing reads a dispatched request's list).
  for (DecisionRequest& d : decided) give_back(std::move(d.candidates), false);
  tasks.clear();
  if (pending_.dispatching().empty()) pending_.dispatching().swap(tasks);
}

void DecentralizedAgent::dispatch(std::span<DecisionRequest> decided, std::span<const TaskMessage> tasks, double wall_s,
                                  LpContext& ctx) {
  const SchedulerConfig& s = setup_.scheduler;
  node_.decision_stats().wall_s += wall_s;
  for (std::size_t i = 0; i < decided.size(); ++i) {
    TaskMessage m = tasks[i];
    const NodeId chosen = decided[i].chosen;
    ++node_.decision_stats().decisions;
    inbox_.saw(decided[i], node_.id(), node_.decision_stats(), node_.staleness_samples());
    if (!node_.up()) {  // it failed while the decision waited for the window end
      bounce(m, ctx);
    } else if (chosen == node_.id()) {
      before_own_event(ctx);
      self_.keep(m, ctx);
    } else {
      node_.decision_stats().sim_latency_s += to_seconds(ctx.now() - m.raised + setup_.decision_latency);
      m.from = node_.id();
      ctx.send(chosen, setup_.decision_latency, kAssign, m);
      count_sent(node_.decision_stats(), kAssign);
      if (s.sharing != Sharing::None)  // reports will reconcile it; without them nothing would
        self_.keeper.dispatched(chosen, ctx.now() + setup_.decision_latency, m.task);
    }
  }
  forget_sampled();
}

void DecentralizedAgent::forget_sampled() {
  for (NodeId c : sampled_) {
    self_.knowledge.untrack(c);
    self_.keeper.forget(c);
  }
  sampled_.clear();
}

void DecentralizedAgent::assume_typical_load(std::span<const NodeId> unknown) {
  if (unknown.empty()) return;
  // What the agent knows first hand (itself) or from reports, per unit of capacity.
  double busy = 0, memory_busy = 0, queued_per_core = 0, queued_memory = 0, queued_s = 0, running_s = 0, queue = 0;
  int known = 0;
  auto add = [&](NodeId k) {
    const NodeSpec& sp = self_.knowledge.spec(k);
    const NodeView& v = self_.knowledge.state(k);
    busy += 1.0 - v.free_cores / sp.cores;
    memory_busy += 1.0 - v.free_memory_gb / sp.memory_gb;
    queued_per_core += v.queued_cores / sp.cores;
    queued_memory += v.queued_memory_gb / sp.memory_gb;
    queued_s += v.queued_work_core_s / (sp.cores * sp.speed);
    running_s += v.running_work_core_s / (sp.cores * sp.speed);
    queue += v.queue_length;
    ++known;
  };
  add(node_.id());
  if (setup_.scheduler.sharing != Sharing::None)
    for (NodeId nb : neighbours_)
      if (self_.knowledge.state(nb).as_of >= 0) add(nb);
  // A node never heard from is believed as loaded as a typical known one, scaled to its
  // size: believing it idle would send every load-aware decision to the unknown.
  for (NodeId c : unknown) {
    const NodeSpec& sp = self_.knowledge.spec(c);
    NodeView& v = self_.knowledge.edit_state(c);
    v.free_cores = sp.cores * (1.0 - busy / known);
    v.free_memory_gb = sp.memory_gb * (1.0 - memory_busy / known);
    v.queued_cores = sp.cores * queued_per_core / known;
    v.queued_memory_gb = sp.memory_gb * queued_memory / known;
    v.queued_work_core_s = sp.cores * sp.speed * queued_s / known;
    v.running_work_core_s = sp.cores * sp.speed * running_s / known;
    v.queue_length = static_cast<std::uint32_t>(std::lround(queue / known));
    // up and as_of stay: a sampled node is freshly tracked (up, never heard from); a
    // neighbour without sharing keeps what bounces taught it.
  }
}

void DecentralizedAgent::bounce(TaskMessage m, LpContext& ctx) {
  ++m.reschedules;
  m.raised = ctx.now();
  m.rejected = 1;
  const LpId sender = m.from;
  m.from = node_.id();
  if (m.reschedules > setup_.nodes() + 8) {  // every node seems down: wait here for the repair
    park(m, ctx);
    return;
  }
  // Back to the agent that sent it (it learns this node is down and decides again), else
  // (a task fresh from the source) on around the ring.
  const bool to_sender = sender < setup_.nodes() && sender != node_.id();
  const LpId target = to_sender ? sender : static_cast<LpId>((node_.id() + 1) % setup_.nodes());
  if (target == node_.id()) before_own_event(ctx);
  ctx.send(target, setup_.network_latency, kSubmit, m);
  if (target != node_.id()) count_sent(node_.decision_stats(), kSubmit);
}

void DecentralizedAgent::retry_parked(LpContext& ctx) {
  if (parked_.empty() || !node_.up()) return;
  std::vector<TaskMessage> retry;
  retry.swap(parked_);
  for (TaskMessage& m : retry) place_decentralized(m, ctx);
}

void DecentralizedAgent::report_change(LpContext& ctx) {
  if (report_due_) return;  // the held-back report will carry this change too
  const SimTime allowed = last_report_ < 0 ? ctx.now() : last_report_ + from_seconds(setup_.scheduler.report_period_s);
  if (allowed <= ctx.now()) {
    send_reports(ctx, ctx.now());
    return;
  }
  ctx.send(node_.id(), allowed - ctx.now(), kReportDue);
  report_due_ = true;
}

void DecentralizedAgent::park(const TaskMessage& m, LpContext& ctx) {
  parked_.push_back(m);
  // On change, ticks run only while tasks are parked: the next one on the grid after now.
  if (!on_change_ || tick_scheduled_ || ticking_) return;
  ticks_.done(ticks_.due_until(ctx.now() + 1));
  schedule_tick(ctx);
}

void DecentralizedAgent::extrapolate_reports(std::span<const NodeId> nodes, SimTime now) {
  for (NodeId c : nodes) {
    if (c == node_.id() || !self_.knowledge.tracks(c)) continue;
    const NodeView* last = reported_.last(c);
    // Not if what it believes of c is newer than the report (c sent a task back: believed down).
    if (last == nullptr || self_.knowledge.state(c).as_of != last->as_of) continue;
    self_.keeper.reported(self_.knowledge, c, extrapolated(self_.knowledge.spec(c), *last, now), *setup_.tasks);
  }
}

void DecentralizedAgent::send_reports(LpContext& ctx, SimTime at) {
  // `at` is before now only for a tick run off the kernel, whose copies all go on the board.
  last_report_ = at;
  const ReportMessage report{node_.own_view(at)};
  // Counted as the modeled protocol sends it, elided or not (report_elision.hpp).
  count_sent(node_.decision_stats(), kNodeReport, report_copies());
  if (elide_ && unchanged_.repeats(report.view)) return;
  if (setup_.scheduler.sharing == Sharing::Global) {
    for (NodeId n = 0; n < setup_.nodes(); ++n)
      if (n != node_.id()) ctx.send(n, setup_.network_latency, kNodeReport, report);
  } else {
    // Copies to neighbours on this rank are posted once on the board (each taking its send's
    // order, so every other event keeps its place), the others sent.
    PostedReport posted{.arrival = at + setup_.network_latency, .view = report.view};
    for (std::size_t i = 0; i < report_to_.size(); ++i) {
      const NodeId to = report_to_[i];
      if (board_ == nullptr || !ctx.is_local(to)) {
        if (at != ctx.now()) throw std::logic_error("a report of an earlier time sent as an event");
        ctx.send(to, setup_.network_latency, kNodeReport, report);
      } else {
        const std::uint64_t order = ctx.skip_send();
        if (posted.copies++ == 0) posted.first_order = order - i;
        if (order != posted.first_order + i)  // a reader finds its copy's order as first_order + i
          throw std::logic_error("report board: the copies' send orders are not consecutive");
      }
    }
    if (posted.copies > 0) board_->post(node_.id(), at, posted);
  }
}

}  // namespace

std::unique_ptr<NodePlacement> make_decentralized_agent(NodeLp& node, const ModelSetup& setup) {
  return std::make_unique<DecentralizedAgent>(node, setup);
}

}  // namespace marlsim

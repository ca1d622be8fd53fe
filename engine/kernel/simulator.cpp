#include "engine/kernel/simulator.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

#include "engine/support/rng.hpp"
#include "engine/support/stop_signal.hpp"

namespace marlsim {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
SimTime saturating_add(SimTime a, SimTime b) { return a > kTimeInfinity - b ? kTimeInfinity : a + b; }
}  // namespace

SimTime LpContext::lookahead() const { return sim_->lookahead(); }
SimTime LpContext::later(SimTime delay) const {
  if (delay < 0 || delay > kTimeInfinity - now_)
    throw std::overflow_error("LP " + std::to_string(self_) + " sent an event beyond the end of simulated time " +
                              "(int64 nanoseconds, about 292 years)");
  return now_ + delay;
}
void LpContext::post(Event& ev) { sim_->post(self_, now_, ev); }
void LpContext::raise_window_flag(std::uint32_t flag) { sim_->raised_flags_ |= flag; }

Simulator::Simulator(const Communicator& comm, std::uint64_t num_lps, SimTime lookahead, PartitionKind partition,
                     const LpFactory& factory)
    : comm_(comm), partition_(num_lps, comm.size(), partition), lookahead_(lookahead) {
  if (lookahead <= 0) throw std::invalid_argument("Simulator: lookahead must be positive");
  local_lps_ = partition_.lps_of(comm.rank());
  local_index_.assign(num_lps, kNoLp);
  lps_.reserve(local_lps_.size());
  for (LpId id : local_lps_) {
    local_index_[id] = static_cast<LpId>(lps_.size());
    lps_.push_back(factory(id));
  }
  send_seq_.assign(local_lps_.size(), 0);
  outgoing_.resize(static_cast<std::size_t>(comm.size()));
}

void Simulator::post(LpId source, SimTime now, Event& ev) {
  if (ev.dst >= partition_.num_lps())
    throw std::logic_error("event to LP " + std::to_string(ev.dst) + " which does not exist");
  if (ev.time < floor_ || ev.time < now)
    throw std::logic_error("LP " + std::to_string(source) + " scheduled an event in the past");
  if (ev.dst != source && ev.time - now < lookahead_)
    throw std::logic_error("LP " + std::to_string(source) + " sent to LP " + std::to_string(ev.dst) +
                           " with a delay below the lookahead");
  ev.order = make_order(source, send_seq_[local_index_[source]]++);
  const int dst_rank = partition_.rank_of(ev.dst);
  if (dst_rank == comm_.rank()) {
    push_local(ev);
  } else {
    outgoing_[static_cast<std::size_t>(dst_rank)].push_back(ev);
    outgoing_min_ = std::min(outgoing_min_, ev.time);
    ++remote_sent_;
  }
}

SimTime Simulator::stop_grid_after(SimTime t) const {
  return stop_grid_ > 0 ? saturating_add(t - t % stop_grid_, stop_grid_) : kTimeInfinity;
}

void Simulator::process_until(SimTime& window_end, RunStats& stats) {
  while (!queue_.empty() && queue_.top().time < window_end) {
    const EventKey key = queue_.top();
    queue_.pop();
    const Event ev = pool_[key.slot];
    pool_.release(key.slot);
    floor_ = ev.time;
    LpContext ctx(*this, ev.dst, ev.time);
    lps_[local_index_[ev.dst]]->handle(ev, ctx);
    ++stats.events;
    // A single window (one rank, no hooks) ends where a multi-rank run that agreed on the
    // done flag would: at the stop grid point after the event that raised it.
    if (!windowed_ && (raised_flags_ & kWindowDone) && stop_grid_ > 0)
      window_end = std::min(window_end, stop_grid_after(ev.time));
    // One rank may run everything as a single window: look for a stop request now and then.
    if ((stats.events & 4095) == 0 && comm_.size() == 1 && stop_signal() != 0) throw RunStopped(stop_signal());
  }
}

WindowState Simulator::local_window_state() {
  WindowState s{local_next_time(), raised_flags_, stop_signal()};
  if (s.stop_signal != 0) s.flags |= kWindowStop;
  raised_flags_ = 0;  // sent once; the agreed flags are in window_flags_
  return s;
}

SimTime Simulator::synchronize_window(RunStats& stats) {
  auto t0 = Clock::now();
  Communicator::PendingWindow pending;
  comm_.start_window(local_window_state(), pending);  // outgoing events count: receivers learn of them below
  for (const Event& ev : comm_.exchange(outgoing_)) push_local(ev);
  outgoing_min_ = kTimeInfinity;
  stats.exchange_s += seconds_since(t0);
  t0 = Clock::now();
  const WindowState agreed = pending.wait();
  stats.reduce_s += seconds_since(t0);
  window_flags_ = agreed.flags;
  if (agreed.flags & kWindowStop) throw RunStopped(agreed.stop_signal);
  return agreed.next;
}

SimTime Simulator::local_next_time() const {
  const SimTime queued = queue_.empty() ? kTimeInfinity : queue_.top().time;
  return std::min(queued, outgoing_min_);
}

RunStats Simulator::run(SimTime end_time) {
  RunStats stats;
  const auto t_start = Clock::now();
  remote_sent_ = 0;
  if (!started_) {
    started_ = true;
    floor_ = 0;
    for (std::size_t i = 0; i < lps_.size(); ++i) {
      LpContext ctx(*this, local_lps_[i], 0);
      lps_[i]->init(ctx);
    }
  }
  // Plain sequential mode: one rank and nobody listening for window ends.
  windowed_ = comm_.size() > 1 || !hooks_.empty();

  // Events sent during init may be bound for other ranks: exchange before the first window.
  next_time_ = synchronize_window(stats);
  SimTime stop_at = end_time;  // lowered to the stop grid once the done flag is agreed
  if (window_flags_ & kWindowDone) stop_at = std::min(end_time, stop_grid_ > 0 ? stop_grid_after(floor_) : floor_);

  while (next_time_ < stop_at) {
    SimTime window_end = stop_at;
    if (windowed_)
      window_end = std::min({saturating_add(next_time_, lookahead_), stop_grid_after(next_time_), stop_at});
    const auto t0 = Clock::now();
    process_until(window_end, stats);
    floor_ = window_end;
    for (auto& hook : hooks_) hook(window_end);
    stats.compute_s += seconds_since(t0);
    ++stats.windows;
    next_time_ = synchronize_window(stats);
    if ((window_flags_ & kWindowDone) && stop_at == end_time)
      stop_at = std::min(end_time, stop_grid_ > 0 ? stop_grid_after(window_end - 1) : window_end);
  }
  floor_ = std::max(floor_, std::min(end_time, stop_at));
  stats.remote_events = remote_sent_;
  stats.wall_s = seconds_since(t_start);
  return stats;
}

std::uint64_t Simulator::global_state_hash() const {
  std::uint64_t local = 0;
  for (std::size_t i = 0; i < lps_.size(); ++i) local += mix64(hash_combine(local_lps_[i], lps_[i]->state_hash()));
  return comm_.allreduce_sum(local);
}

RunStats RunStats::reduced(const Communicator& comm) const {
  RunStats g = *this;
  g.events = comm.allreduce_sum(events);
  g.remote_events = comm.allreduce_sum(remote_events);
  g.wall_s = comm.allreduce_max(wall_s);
  g.compute_s = comm.allreduce_max(compute_s);
  g.exchange_s = comm.allreduce_max(exchange_s);
  g.reduce_s = comm.allreduce_max(reduce_s);
  return g;
}

}  // namespace marlsim

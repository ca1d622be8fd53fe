#include "engine/kernel/simulator.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
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

LpContext::LpContext(Simulator& sim, LpId global_self, SimTime now)
    : sim_(&sim),
      self_(global_self),
      base_(static_cast<LpId>(sim.episode_of(global_self) * sim.lps_per_episode())),
      now_(now) {}
std::uint64_t LpContext::episode() const { return sim_->episode_of(self_); }
SimTime LpContext::lookahead() const { return sim_->lookahead(); }
SimTime LpContext::later(SimTime delay) const {
  if (delay < 0 || delay > kTimeInfinity - now_)
    throw std::overflow_error("LP " + std::to_string(self_) + " sent an event beyond the end of simulated time " +
                              "(int64 nanoseconds, about 292 years)");
  return now_ + delay;
}
void LpContext::post(Event& ev) { sim_->post(self_, now_, ev); }
bool LpContext::is_local(LpId dst) const { return sim_->is_local(base_ + dst); }
std::uint64_t LpContext::skip_send() { return make_order(self_ - base_, sim_->take_send_seq(self_)); }
void LpContext::raise_window_flag(std::uint32_t flag) { sim_->raise_from(self_, now_, flag); }

Simulator::Simulator(const Communicator& comm, std::uint64_t num_lps, SimTime lookahead, PartitionKind partition,
                     const LpFactory& factory)
    : Simulator(comm, 1, num_lps, lookahead, partition, factory) {}

Simulator::Simulator(const Communicator& comm, std::uint64_t episodes, std::uint64_t lps_per_episode, SimTime lookahead,
                     PartitionKind partition, const LpFactory& factory)
    : comm_(comm),
      partition_(episodes * lps_per_episode, comm.size(), partition),
      lookahead_(lookahead),
      exchange_(comm),
      lps_per_episode_(lps_per_episode),
      stop_grid_(episodes, 0),
      stop_at_(episodes, kTimeInfinity),
      done_(episodes, 0),
      dead_min_(episodes, kTimeInfinity),
      episode_next_(episodes, 0),
      episode_events_(episodes, 0) {
  if (lookahead <= 0) throw std::invalid_argument("Simulator: lookahead must be positive");
  if (episodes < 1 || episodes > kMaxEpisodes || lps_per_episode < 1)
    throw std::invalid_argument("Simulator: 1 to " + std::to_string(kMaxEpisodes) +
                                " episodes of at least one LP each");
  const std::uint64_t num_lps = episodes * lps_per_episode;
  local_lps_ = partition_.lps_of(comm.rank());
  local_index_.assign(num_lps, kNoLp);
  lps_.reserve(local_lps_.size());
  for (LpId id : local_lps_) {
    local_index_[id] = static_cast<LpId>(lps_.size());
    lps_.push_back(factory(id));
  }
  hot_first_.reserve(lps_.size() + 1);
  for (const auto& lp : lps_) {
    hot_first_.push_back(static_cast<std::uint32_t>(hot_.size()));
    lp->hot_state(hot_);
  }
  hot_first_.push_back(static_cast<std::uint32_t>(hot_.size()));
  send_seq_.assign(local_lps_.size(), 0);
  outgoing_.resize(static_cast<std::size_t>(comm.size()));
}

void Simulator::raise_window_flag(WindowFlag flag) {
  if (flag & kWindowDone) raised_done_ = ~std::uint64_t{0} >> (kMaxEpisodes - episodes());
  raised_flags_ |= flag & ~kWindowDone;
}

void Simulator::raise_from(LpId source, SimTime now, std::uint32_t flag) {
  if (flag & kWindowDone) {
    const std::uint64_t e = episode_of(source);
    raised_done_ |= std::uint64_t{1} << e;
    // It stops at its grid point after now: no window crosses one, so the ranks that learn
    // of it at this window's end have run nothing at or after it yet.
    if (stop_grid_[e] > 0) stop_at_[e] = std::min(stop_at_[e], stop_grid_after(e, now));
  }
  raised_flags_ |= flag & ~kWindowDone;
}

void Simulator::post(LpId source, SimTime now, Event& ev) {
  const LpId base = static_cast<LpId>(episode_of(source) * lps_per_episode_);
  if (ev.dst >= lps_per_episode_)
    throw std::logic_error("event to LP " + std::to_string(ev.dst) + " which does not exist");
  ev.dst += base;
  if (ev.time < floor_ || ev.time < now)
    throw std::logic_error("LP " + std::to_string(source - base) + " scheduled an event in the past");
  if (ev.dst != source && ev.time - now < lookahead_)
    throw std::logic_error("LP " + std::to_string(source - base) + " sent to LP " + std::to_string(ev.dst - base) +
                           " with a delay below the lookahead");
  ev.order = make_order(source, send_seq_[local_index_[source]]++);
  const int dst_rank = partition_.rank_of(ev.dst);
  if (dead(ev)) {  // past its episode's stop: never runs
    discard(ev);
  } else if (dst_rank == comm_.rank()) {
    push_local(ev);
  } else {
    outgoing_[static_cast<std::size_t>(dst_rank)].push_back(ev);
    outgoing_min_ = std::min(outgoing_min_, ev.time);
    ++remote_sent_;
  }
}

SimTime Simulator::stop_grid_after(std::uint64_t e, SimTime t) const {
  const SimTime grid = stop_grid_[e];
  return grid > 0 ? saturating_add(t - t % grid, grid) : kTimeInfinity;
}

void Simulator::discard(const Event& ev) {
  const std::uint64_t e = episode_of(ev.dst);
  dead_min_[e] = std::min(dead_min_[e], ev.time);
}

namespace {
// Prefetches every cache line of [begin, begin + bytes).
void prefetch_lines(const void* begin, std::size_t bytes) {
  constexpr std::uintptr_t kLine = 64;
  const auto first = reinterpret_cast<std::uintptr_t>(begin) & ~(kLine - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(begin) + bytes;
  for (std::uintptr_t at = first; at < end; at += kLine) __builtin_prefetch(reinterpret_cast<const void*>(at));
}
}  // namespace

void Simulator::prefetch(const EventKey& key) const {
  prefetch_lines(&pool_[key.slot], sizeof(Event));
  for (std::uint32_t r = hot_first_[key.lp]; r < hot_first_[key.lp + 1]; ++r)
    prefetch_lines(hot_[r].begin, hot_[r].bytes);
}

void Simulator::process_until(SimTime& window_end, RunStats& stats) {
  while (!queue_.empty() && queue_.top().time < window_end) {
    const EventKey key = queue_.top();
    queue_.pop();
    Event ev = pool_[key.slot];
    pool_.release(key.slot);
    // The next event's LP is one of thousands whose state does not fit the caches: start
    // loading it now, so that it arrives while this event runs (unless this one sends an
    // earlier event: then the hint is wasted, nothing else).
    if (!queue_.empty()) prefetch(queue_.top());
    // An episode stops at its own point (a single window runs past the others' stops).
    if (dead(ev)) {
      discard(ev);
      continue;
    }
    floor_ = ev.time;
    LpContext ctx(*this, ev.dst, ev.time);
    LogicalProcess& lp = *lps_[key.lp];
    if (lps_per_episode_ < partition_.num_lps()) {  // the handler sees ids of its own episode
      const LpId base = static_cast<LpId>(episode_of(ev.dst) * lps_per_episode_);
      ev.dst -= base;
      ev.order = make_order(ev.source() - base, ev.order);
    }
    ++episode_events_[episode_of(ctx.global_self())];
    lp.handle(ev, ctx);
    ++stats.events;
    // One rank may run everything as a single window: look for a stop request now and then.
    if ((stats.events & 4095) == 0 && comm_.size() == 1 && stop_signal() != 0) throw RunStopped(stop_signal());
  }
}

WindowState Simulator::local_window_state() {
  WindowState s{local_next_time(), raised_flags_, stop_signal(), raised_done_};
  if (s.stop_signal != 0) s.flags |= kWindowStop;
  raised_flags_ = 0;  // sent once; the agreed flags are in window_flags_
  raised_done_ = 0;
  return s;
}

SimTime Simulator::synchronize_window(RunStats& stats) {
  auto t0 = Clock::now();
  // The state's next time covers the outgoing events too: their receivers learn of them below.
  const std::uint64_t messages_before = exchange_.messages_sent();
  exchange_.start(local_window_state(), outgoing_);
  outgoing_min_ = kTimeInfinity;
  stats.exchange_s += seconds_since(t0);
  t0 = Clock::now();
  const WindowState agreed = exchange_.wait();
  stats.reduce_s += seconds_since(t0);
  t0 = Clock::now();
  exchange_.receive(incoming_);
  for (const Event& ev : incoming_) push_local(ev);
  stats.exchange_s += seconds_since(t0);
  stats.remote_messages += exchange_.messages_sent() - messages_before;
  window_flags_ = agreed.flags;
  agreed_done_ = agreed.done_episodes;
  if (agreed.flags & kWindowStop) throw RunStopped(agreed.stop_signal);
  return agreed.next;
}

SimTime Simulator::local_next_time() {
  // Events past their episode's stop never run: drop them from the top so that they do not
  // hold windows open.
  while (!queue_.empty() && queue_.top().time >= stop_at_[episode_of(pool_[queue_.top().slot].dst)]) {
    discard(pool_[queue_.top().slot]);
    pool_.release(queue_.top().slot);
    queue_.pop();
  }
  const SimTime queued = queue_.empty() ? kTimeInfinity : queue_.top().time;
  return std::min(queued, outgoing_min_);
}

void Simulator::agree_done(std::uint64_t done_mask, SimTime window_start, SimTime window_end) {
  bool all = true;
  for (std::uint64_t e = 0; e < episodes(); ++e) {
    if ((done_mask >> e & 1) && !done_[e]) {
      done_[e] = 1;
      // The grid point after the window's events (windows never cross one; a single window
      // set it at the event that raised it); without a grid, the end of the window.
      if (stop_grid_[e] == 0) stop_at_[e] = std::min(stop_at_[e], window_end);
      else if (windowed_) stop_at_[e] = std::min(stop_at_[e], stop_grid_after(e, window_start));
    }
    all = all && done_[e];
  }
  if (all) window_flags_ |= kWindowDone;
  else window_flags_ &= ~std::uint32_t{kWindowDone};
}

SimTime Simulator::window_end_after(SimTime start, SimTime end_time) const {
  SimTime end = std::min(saturating_add(start, lookahead_), end_time);
  for (std::uint64_t e = 0; e < episodes(); ++e) {
    if (stop_at_[e] <= start) continue;  // stopped: its grid no longer matters
    end = std::min({end, stop_grid_after(e, start), stop_at_[e]});
  }
  if (hook_grid_ > 0) {
    // The first multiple at or after start not yet ended at (an empty window if it is start).
    SimTime point = start % hook_grid_ == 0 ? start : saturating_add(start - start % hook_grid_, hook_grid_);
    if (point <= last_hook_point_) point = saturating_add(point, hook_grid_);
    end = std::min(end, point);
  }
  return end;
}

void Simulator::note_episode_next_times() {
  // The earliest event left per episode: discarded past its stop, or still queued (drained
  // and put back, so that run() can go on).
  std::vector<SimTime> next = dead_min_;
  std::vector<EventKey> keys;
  while (!queue_.empty()) {
    keys.push_back(queue_.top());
    queue_.pop();
  }
  for (const EventKey& k : keys) {
    const std::uint64_t e = episode_of(pool_[k.slot].dst);
    next[e] = std::min(next[e], k.time);
    queue_.push(k);
  }
  episode_next_ = comm_.allreduce_min(next);
}

SimTime Simulator::next_time() const {
  SimTime t = kTimeInfinity;
  for (SimTime e : episode_next_) t = std::min(t, e);
  return t;
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
  agree_done(agreed_done_, floor_, floor_);

  // Each episode stops on its own (stop_at_); the run ends when no episode has an event
  // left before its stop, or at end_time.
  while (next_time_ < end_time) {
    const SimTime window_start = next_time_;
    SimTime window_end = windowed_ ? window_end_after(window_start, end_time) : end_time;
    const auto t0 = Clock::now();
    process_until(window_end, stats);
    floor_ = std::max(floor_, window_end);
    if (hook_grid_ > 0 && window_end % hook_grid_ == 0) last_hook_point_ = window_end;
    for (auto& hook : hooks_) hook(window_end);
    stats.compute_s += seconds_since(t0);
    ++stats.windows;
    next_time_ = synchronize_window(stats);
    agree_done(agreed_done_, window_start, window_end);
  }
  floor_ = std::max(floor_, std::min(end_time, next_time_));
  note_episode_next_times();
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
  g.remote_messages = comm.allreduce_sum(remote_messages);
  g.wall_s = comm.allreduce_max(wall_s);
  g.compute_s = comm.allreduce_max(compute_s);
  g.exchange_s = comm.allreduce_max(exchange_s);
  g.reduce_s = comm.allreduce_max(reduce_s);
  return g;
}

}  // namespace marlsim

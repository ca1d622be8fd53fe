#pragma once
// The PDES kernel: owns this rank's LPs and their pending events, and runs conservative
// synchronous windows (YAWNS style). Each window [T, T+L) runs all local events below its
// end, calls the window hooks (batched decisions), then synchronizes (WindowExchange): one
// MPI_Iallreduce that agrees on the next T (MIN, which also skips idle gaps), on a flags word
// (done, stop, checkpoint: OR) and on how many events each rank is due, plus one message to
// each rank this one has events for.
// One rank without hooks runs everything as a single window.
//
// Batched episodes: the kernel can hold E independent copies of a model (episodes) side by
// side, episode e's LPs at global ids [e x n, (e+1) x n). An LP addresses only its own
// episode, by episode-local ids (LpContext::self, send, Event::source and dst as its handler
// sees them), so the model code does not know it shares the kernel. Each episode has its own
// done flag, stop grid and time limit; windows are shared, so whatever an episode computes
// must not depend on where windows end: only the hook grid (set_hook_grid) places hooks
// at times that are the same for any company.
#include <functional>
#include <memory>
#include <vector>

#include "engine/kernel/event_pool.hpp"
#include "engine/kernel/event_queue.hpp"
#include "engine/kernel/logical_process.hpp"
#include "engine/kernel/partition.hpp"
#include "engine/kernel/quad_heap.hpp"
#include "engine/kernel/run_stats.hpp"
#include "mpi/communicator.hpp"

namespace marlsim {

using EventQueue = QuadHeap;  // swap here; benchmarks/bench_event_queue.cpp measures alternatives
static_assert(EventQueueLike<EventQueue>);

class Simulator {
 public:
  using LpFactory = std::function<std::unique_ptr<LogicalProcess>(LpId)>;
  // Called at the end of each window, after its events, before the exchange. Events it
  // sends (through context()) must not be earlier than window_end.
  using WindowHook = std::function<void(SimTime window_end)>;

  // Collective. Builds this rank's LPs with `factory`. lookahead > 0 is the smallest delay
  // of any event between two different LPs.
  Simulator(const Communicator& comm, std::uint64_t num_lps, SimTime lookahead, PartitionKind partition,
            const LpFactory& factory);
  // Collective. `episodes` copies of an `lps_per_episode`-LP model; the factory gets global
  // ids (episode_of and local_id split them).
  static constexpr std::uint64_t kMaxEpisodes = 64;  // one bit each in the window reduction
  Simulator(const Communicator& comm, std::uint64_t episodes, std::uint64_t lps_per_episode, SimTime lookahead,
            PartitionKind partition, const LpFactory& factory);

  // Collective. Processes every event with time < end_time, or stops early once a handler
  // raises kWindowDone (see set_stop_grid); can be called again to go on.
  RunStats run(SimTime end_time);

  // Where a run stops once kWindowDone is raised: at the first multiple of `period` after
  // the event that raised it (0, the default: at the end of the window it was raised in).
  // Windows never cross a multiple, so the stopping point, and with it every LP's final
  // state, is the same for any rank count and window layout.
  void set_stop_grid(SimTime period) { stop_grid_.assign(stop_grid_.size(), period); }
  void set_stop_grid(std::uint64_t episode, SimTime period) { stop_grid_.at(episode) = period; }
  // Episode `episode` runs no event at or after `limit` (run()'s end_time caps every episode).
  void set_time_limit(std::uint64_t episode, SimTime limit) { stop_at_.at(episode) = limit; }
  // Window hooks at fixed times: no window crosses a multiple of `period`, and the first
  // window reaching one ends exactly there, before any event at that time runs (an empty
  // window when an event is due then). What a hook does at a multiple then depends only on
  // the events before it, not on the window layout (which other episodes change).
  void set_hook_grid(SimTime period) { hook_grid_ = period; }
  // After run(): the earliest event not run (past its episode's stop, or pending), over
  // every rank (kTimeInfinity: none is left, the model has nothing more to do).
  SimTime next_time() const;
  SimTime next_time(std::uint64_t episode) const { return episode_next_.at(episode); }
  // Whether the episode raised kWindowDone (agreed at a window end), and where it stops.
  bool episode_done(std::uint64_t episode) const { return done_.at(episode) != 0; }
  SimTime episode_stop(std::uint64_t episode) const { return stop_at_.at(episode); }

  std::uint64_t episodes() const { return stop_grid_.size(); }
  // Events run per episode on this rank (all run() calls).
  const std::vector<std::uint64_t>& episode_events() const { return episode_events_; }
  std::uint64_t lps_per_episode() const { return lps_per_episode_; }
  std::uint64_t episode_of(LpId global) const { return global / lps_per_episode_; }
  LpId local_id(LpId global) const { return static_cast<LpId>(global % lps_per_episode_); }
  LpId global_id(std::uint64_t episode, LpId local) const {
    return static_cast<LpId>(episode * lps_per_episode_ + local);
  }

  void add_window_hook(WindowHook hook) { hooks_.push_back(std::move(hook)); }

  // Raises a WindowFlag on this window's reduction (from a handler or hook); every rank sees
  // it in window_flags() once the window ends. kWindowDone (here: every episode is done) makes
  // run() return there; a stop signal (engine/support/stop_signal.hpp) is raised automatically
  // and makes run() throw RunStopped.
  void raise_window_flag(WindowFlag flag);
  // As agreed at the last window end; kWindowDone once every episode is done.
  std::uint32_t window_flags() const { return window_flags_; }

  const Communicator& comm() const { return comm_; }
  const Partition& partition() const { return partition_; }
  SimTime lookahead() const { return lookahead_; }
  const std::vector<LpId>& local_lps() const { return local_lps_; }
  bool is_local(LpId lp) const { return lp < local_index_.size() && local_index_[lp] != kNoLp; }
  LogicalProcess& lp(LpId id) { return *lps_[local_index_.at(id)]; }
  const LogicalProcess& lp(LpId id) const { return *lps_[local_index_.at(id)]; }
  // A context for sending on behalf of a local LP (global id) from outside its handler (window hooks).
  LpContext context(LpId lp, SimTime now) { return LpContext(*this, lp, now); }
  std::size_t pending_events() const { return queue_.size(); }

  // Collective: an order-independent digest of every LP's state_hash().
  std::uint64_t global_state_hash() const;

 private:
  friend class LpContext;
  void post(LpId source, SimTime now, Event& ev);  // source global, ev.dst local to its episode
  std::uint64_t take_send_seq(LpId source) { return send_seq_[local_index_[source]]++; }  // source global
  void raise_from(LpId source, SimTime now, std::uint32_t flag);
  bool dead(const Event& ev) const { return ev.time >= stop_at_[episode_of(ev.dst)]; }
  void discard(const Event& ev);
  SimTime window_end_after(SimTime start, SimTime end_time) const;
  void agree_done(std::uint64_t done_mask, SimTime window_start, SimTime window_end);
  void note_episode_next_times();
  void push_local(const Event& ev) { queue_.push({ev.time, ev.order, pool_.put(ev), local_index_[ev.dst]}); }
  // Starts loading what the event of `key` will touch first: its slot and its LP's hot state.
  void prefetch(const EventKey& key) const;
  // Runs local events below window_end (which it lowers in a single window once done is raised).
  void process_until(SimTime& window_end, RunStats& stats);
  SimTime local_next_time();  // drops events past their episode's stop from the top
  WindowState local_window_state();
  // The window's synchronization: exchanges cross-rank events, agrees on the next event time
  // and the flags (throws RunStopped on a stop), and returns the next event time.
  SimTime synchronize_window(RunStats& stats);
  SimTime stop_grid_after(std::uint64_t episode, SimTime t) const;  // the first multiple of its grid above t

  const Communicator& comm_;
  Partition partition_;
  SimTime lookahead_;
  std::vector<LpId> local_lps_;
  std::vector<LpId> local_index_;  // global LP id -> index into lps_, kNoLp when remote
  std::vector<std::unique_ptr<LogicalProcess>> lps_;
  // Per local LP, its hot_state() ranges: hot_[hot_first_[i]] up to hot_[hot_first_[i + 1]].
  std::vector<HotRange> hot_;
  std::vector<std::uint32_t> hot_first_;
  std::vector<std::uint64_t> send_seq_;  // per local LP
  EventQueue queue_;
  EventPool pool_;
  WindowExchange exchange_;
  std::vector<std::vector<Event>> outgoing_;  // per destination rank
  std::vector<Event> incoming_;               // this window's from the other ranks
  SimTime outgoing_min_ = kTimeInfinity;
  SimTime floor_ = 0;  // no event may be scheduled before this (current event / window end)
  std::uint64_t remote_sent_ = 0;
  std::vector<WindowHook> hooks_;
  std::uint32_t raised_flags_ = 0;  // to send with the next window reduction
  std::uint32_t window_flags_ = 0;  // agreed at the last one
  std::uint64_t raised_done_ = 0;   // episodes (bits) that raised kWindowDone, to send
  std::uint64_t agreed_done_ = 0;   // and as agreed at the last window end
  bool started_ = false;
  bool windowed_ = false;  // false: one rank without hooks, everything in one window
  SimTime next_time_ = 0;  // the earliest live event (before its episode's stop), as agreed
  std::uint64_t lps_per_episode_;
  // Per episode.
  std::vector<SimTime> stop_grid_;
  std::vector<SimTime> stop_at_;       // no event at or after it runs (its limit, then its stop)
  std::vector<std::uint8_t> done_;     // kWindowDone agreed
  std::vector<SimTime> dead_min_;      // the earliest event discarded past stop_at_ (this rank)
  std::vector<SimTime> episode_next_;  // after run(): see next_time(episode)
  std::vector<std::uint64_t> episode_events_;
  SimTime hook_grid_ = 0;
  SimTime last_hook_point_ = -1;  // the last multiple of hook_grid_ a window ended at
};

}  // namespace marlsim

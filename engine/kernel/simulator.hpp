#pragma once
// The PDES kernel: owns this rank's LPs and their pending events, and runs conservative
// synchronous windows (YAWNS style). Each window [T, T+L) runs all local events below its
// end, calls the window hooks (batched decisions), then synchronizes: one batched
// non-blocking exchange of cross-rank events and one MPI_Iallreduce that agrees on the next
// T (MIN, which also skips idle gaps) and on a flags word (done, stop, checkpoint: OR).
// One rank without hooks runs everything as a single window.
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

  // Collective. Processes every event with time < end_time, or stops early once a handler
  // raises kWindowDone (see set_stop_grid); can be called again to go on.
  RunStats run(SimTime end_time);

  // Where a run stops once kWindowDone is raised: at the first multiple of `period` after
  // the event that raised it (0, the default: at the end of the window it was raised in).
  // Windows never cross a multiple, so the stopping point, and with it every LP's final
  // state, is the same for any rank count and window layout.
  void set_stop_grid(SimTime period) { stop_grid_ = period; }
  // As agreed at the last window end: the earliest pending event anywhere (kTimeInfinity:
  // none is left, the model has nothing more to do).
  SimTime next_time() const { return next_time_; }

  void add_window_hook(WindowHook hook) { hooks_.push_back(std::move(hook)); }

  // Raises a WindowFlag on this window's reduction (from a handler or hook); every rank sees
  // it in window_flags() once the window ends. kWindowDone makes run() return there; a stop
  // signal (engine/support/stop_signal.hpp) is raised automatically and makes run() throw RunStopped.
  void raise_window_flag(WindowFlag flag) { raised_flags_ |= flag; }
  std::uint32_t window_flags() const { return window_flags_; }  // as agreed at the last window end

  const Communicator& comm() const { return comm_; }
  const Partition& partition() const { return partition_; }
  SimTime lookahead() const { return lookahead_; }
  const std::vector<LpId>& local_lps() const { return local_lps_; }
  bool is_local(LpId lp) const { return lp < local_index_.size() && local_index_[lp] != kNoLp; }
  LogicalProcess& lp(LpId id) { return *lps_[local_index_.at(id)]; }
  const LogicalProcess& lp(LpId id) const { return *lps_[local_index_.at(id)]; }
  // A context for sending on behalf of a local LP from outside its handler (window hooks).
  LpContext context(LpId lp, SimTime now) { return LpContext(*this, lp, now); }
  std::size_t pending_events() const { return queue_.size(); }

  // Collective: an order-independent digest of every LP's state_hash().
  std::uint64_t global_state_hash() const;

 private:
  friend class LpContext;
  void post(LpId source, SimTime now, Event& ev);
  void push_local(const Event& ev) { queue_.push({ev.time, ev.order, pool_.put(ev)}); }
  // Runs local events below window_end (which it lowers in a single window once done is raised).
  void process_until(SimTime& window_end, RunStats& stats);
  SimTime local_next_time() const;
  WindowState local_window_state();
  // The window's synchronization: exchanges cross-rank events, agrees on the next event time
  // and the flags (throws RunStopped on a stop), and returns the next event time.
  SimTime synchronize_window(RunStats& stats);
  SimTime stop_grid_after(SimTime t) const;  // the first multiple of stop_grid_ above t

  const Communicator& comm_;
  Partition partition_;
  SimTime lookahead_;
  std::vector<LpId> local_lps_;
  std::vector<LpId> local_index_;  // global LP id -> index into lps_, kNoLp when remote
  std::vector<std::unique_ptr<LogicalProcess>> lps_;
  std::vector<std::uint64_t> send_seq_;  // per local LP
  EventQueue queue_;
  EventPool pool_;
  std::vector<std::vector<Event>> outgoing_;  // per destination rank
  SimTime outgoing_min_ = kTimeInfinity;
  SimTime floor_ = 0;  // no event may be scheduled before this (current event / window end)
  std::uint64_t remote_sent_ = 0;
  std::vector<WindowHook> hooks_;
  std::uint32_t raised_flags_ = 0;  // to send with the next window reduction
  std::uint32_t window_flags_ = 0;  // agreed at the last one
  bool started_ = false;
  bool windowed_ = false;  // false: one rank without hooks, everything in one window
  SimTime next_time_ = 0;
  SimTime stop_grid_ = 0;
};

}  // namespace marlsim

#pragma once
// The PDES kernel: owns this rank's LPs and their pending events, and runs conservative
// synchronous windows (YAWNS style). Each window [T, T+L) runs all local events below its
// end, calls the window hooks (batched decisions), exchanges cross-rank events in one
// batched non-blocking step, and agrees on the next T with one MPI_Allreduce(MIN), which
// also skips idle gaps and carries a flags word (done, stop, checkpoint). One rank
// without hooks runs everything as a single window.
#include <functional>
#include <memory>
#include <vector>

#include "engine/kernel/event_pool.hpp"
#include "engine/kernel/logical_process.hpp"
#include "engine/kernel/partition.hpp"
#include "engine/kernel/quad_heap.hpp"
#include "engine/kernel/run_stats.hpp"
#include "mpi/communicator.hpp"

namespace marlsim {

using EventQueue = QuadHeap;  // swap here; benchmarks/bench_event_queue.cpp measures alternatives

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

  // Collective. Processes every event with time < end_time; can be called again to go on.
  RunStats run(SimTime end_time);

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
  void process_until(SimTime window_end, RunStats& stats);
  SimTime local_next_time() const;
  WindowState local_window_state();
  SimTime agree(Communicator::PendingWindow& pending);  // waits; acts on the agreed flags

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
};

}  // namespace marlsim

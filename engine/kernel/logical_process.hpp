#pragma once
// A logical process (LP): a piece of model state that changes only in its own event
// handlers and talks to other LPs only through timestamped events.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/kernel/event.hpp"

namespace marlsim {

class Simulator;

// What a handler may do: read the clock and send events. Sending to another LP must
// respect the lookahead (delay >= L), which is what lets ranks run a window independently.
// LP ids are those of the LP's own episode (Simulator: batched episodes).
class LpContext {
 public:
  LpContext(Simulator& sim, LpId global_self, SimTime now);

  SimTime now() const { return now_; }
  LpId self() const { return self_ - base_; }
  LpId global_self() const { return self_; }
  std::uint64_t episode() const;
  SimTime lookahead() const;

  // Schedules `kind` with `payload` at now() + delay on `dst`.
  template <class Payload>
  void send(LpId dst, SimTime delay, std::uint32_t kind, const Payload& payload) {
    Event ev;
    ev.dst = dst;
    ev.kind = kind;
    ev.time = later(delay);
    ev.set(payload);
    post(ev);
  }
  void send(LpId dst, SimTime delay, std::uint32_t kind) {
    Event ev;
    ev.dst = dst;
    ev.kind = kind;
    ev.time = later(delay);
    post(ev);
  }
  // Whether `dst` (of this LP's episode) lives on this rank.
  bool is_local(LpId dst) const;
  // Takes the send order (Event::order, as a handler sees it) that a send would take now, without
  // sending: for a message delivered another way whose place among the events must stay what
  // it would have been (engine/cluster/report_board.hpp). Later sends keep their orders.
  std::uint64_t skip_send();

  // Raises a flag (a WindowFlag of mpi/communicator.hpp, e.g. kWindowDone when the model is
  // finished) on this window's reduction: every rank sees it at the same window end.
  void raise_window_flag(std::uint32_t flag);

 private:
  SimTime later(SimTime delay) const;  // now + delay; throws past the end of the int64 clock
  void post(Event& ev);
  Simulator* sim_;
  LpId self_;  // global
  LpId base_;  // its episode's first global id
  SimTime now_;
};

// Memory an LP's handlers touch on (nearly) every event, for the kernel to prefetch.
struct HotRange {
  const void* begin;
  std::size_t bytes;
};

class LogicalProcess {
 public:
  virtual ~LogicalProcess() = default;
  // Called once, at time 0, before the first event: schedule the initial events here.
  virtual void init(LpContext& ctx) {}
  virtual void handle(const Event& ev, LpContext& ctx) = 0;
  // A digest of the LP's state, for the cross-partition determinism checks.
  virtual std::uint64_t state_hash() const { return 0; }
  // What its handlers touch first on every event, in memory that does not move (the object
  // itself, objects it owns by pointer): asked once, after construction. With thousands of LPs
  // their state outgrows the caches and each event's first touches, not its work, dominate,
  // so the kernel prefetches these while the event before runs. Only a hint: the default is
  // the object's first cache line (its vtable); list the rest with `sizeof(*this)`.
  virtual void hot_state(std::vector<HotRange>& out) const { out.push_back({this, 64}); }
};

}  // namespace marlsim

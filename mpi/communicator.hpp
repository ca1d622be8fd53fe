#pragma once
// The one place marlsim talks to MPI for the simulation kernel: rank facts, the batched
// cross-rank event exchange, and the reductions a window needs. One rank works without any
// message passing, so the sequential mode shares this code.
#include <mpi.h>

#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/kernel/event.hpp"

namespace marlsim {

// Bits of the flags word a window's reduction carries: any rank raises one, every rank sees
// it at the same window (as SST's sync carries end, shutdown and checkpoint).
enum WindowFlag : std::uint32_t {
  kWindowDone = 1u << 0,        // the model is finished: run() returns after this window
  kWindowStop = 1u << 1,        // a stop signal (engine/support/stop_signal.hpp): run() throws RunStopped
  kWindowCheckpoint = 1u << 2,  // reserved for checkpoint-then-continue (training)
};

// What the ranks agree on at the end of every window: the earliest next event time (MIN),
// the flags (OR), the stop signal (MAX, so every rank reports the same one) and which of the
// kernel's episodes are done (OR, one bit each: engine/kernel/simulator.hpp).
struct WindowState {
  SimTime next = kTimeInfinity;
  std::uint32_t flags = 0;
  std::int32_t stop_signal = 0;
  std::uint64_t done_episodes = 0;
};

// Owns MPI_Init/MPI_Finalize for a program (tests and the CLI create exactly one).
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
};

class Communicator {
 public:
  // Wraps MPI_COMM_WORLD (or another communicator the caller keeps alive).
  explicit Communicator(MPI_Comm comm = MPI_COMM_WORLD);
  // This rank alone (an episode simulated on one rank while the others run their own).
  static Communicator rank_alone() { return Communicator(MPI_COMM_SELF); }

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  MPI_Comm raw() const { return comm_; }

  SimTime allreduce_min(SimTime v) const;
  std::vector<SimTime> allreduce_min(std::vector<SimTime> v) const;  // element by element; same length everywhere
  SimTime allreduce_max(SimTime v) const;
  std::uint64_t allreduce_sum(std::uint64_t v) const;                            // wraps modulo 2^64
  std::vector<std::uint64_t> allreduce_sum(std::vector<std::uint64_t> v) const;  // element by element
  double allreduce_sum(double v) const;
  double allreduce_max(double v) const;
  // Training's gradient average: every rank's values summed element by element, then times
  // 1 / size (in that order, so every rank holds the same bits). Same length everywhere.
  void allreduce_mean(std::span<float> values) const;
  // Every rank's floats, concatenated in rank order, on every rank.
  std::vector<float> all_gather(const std::vector<float>& local) const;
  std::int64_t exclusive_scan_sum(std::int64_t v) const;  // sum over lower ranks; 0 on rank 0
  void barrier() const;

  // Rank 0 gets every rank's items, concatenated in rank order; other ranks get nothing.
  template <class T>
  std::vector<T> gather_to_root(const std::vector<T>& local) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (size_ == 1) return local;
    const int bytes = static_cast<int>(local.size() * sizeof(T));
    std::vector<int> counts(static_cast<std::size_t>(size_)), displs(static_cast<std::size_t>(size_));
    MPI_Gather(&bytes, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm_);
    std::vector<T> all;
    if (rank_ == 0) {
      int total = 0;
      for (int r = 0; r < size_; ++r) {
        displs[static_cast<std::size_t>(r)] = total;
        total += counts[static_cast<std::size_t>(r)];
      }
      all.resize(static_cast<std::size_t>(total) / sizeof(T));
    }
    MPI_Gatherv(local.data(), bytes, MPI_BYTE, all.data(), counts.data(), displs.data(), MPI_BYTE, 0, comm_);
    return all;
  }

  // Every rank gets rank 0's value.
  void broadcast(std::string& value) const;
  template <class T>
  void broadcast(T& value) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (size_ > 1) MPI_Bcast(&value, static_cast<int>(sizeof(T)), MPI_BYTE, 0, comm_);
  }
  // Every rank gets rank 0's items (the other ranks' vectors take rank 0's length).
  template <class T>
  void broadcast(std::vector<T>& items) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (size_ == 1) return;
    std::uint64_t count = items.size();
    broadcast(count);
    items.resize(count);
    MPI_Bcast(items.data(), static_cast<int>(count * sizeof(T)), MPI_BYTE, 0, comm_);
  }
  // Every rank gets rank `root`'s value.
  void broadcast_from(int root, std::string& value) const;
  template <class T>
  void broadcast_from(int root, T& value) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (size_ > 1) MPI_Bcast(&value, static_cast<int>(sizeof(T)), MPI_BYTE, root, comm_);
  }

 private:
  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
};

// One window's synchronization over the ranks of a communicator, in three steps so that the
// events and the reduction travel together:
//  - start() sends outgoing[r] to each rank r it has events for (one message each, none to
//    the other ranks) and starts one non-blocking all-reduce of the window state together
//    with the number of events bound for each rank (one count per rank, summed);
//  - wait() returns the agreed state; the reduction has told this rank how many events are
//    on their way to it;
//  - receive() takes exactly those events (from any source, in arrival order: the event
//    queue orders them by their unique keys), no probes and no empty messages.
// Per window that is one collective plus one message per pair of ranks that share events, in
// place of a message (empty or not) and a probe between every pair.
//
// Why a message never meets the wrong window: the messages of consecutive windows carry
// alternating tags, and a rank cannot send window w + 2's events before every rank has
// joined window w + 1's reduction, which each does only after receiving all of window w's
// events. So window w's receives match window w's messages only, although a faster rank may
// already have sent window w + 1's. Two WindowExchanges on one communicator must therefore be
// separated by a blocking collective (each Simulator::run() ends with one).
class WindowExchange {
 public:
  explicit WindowExchange(const Communicator& comm);
  ~WindowExchange();
  WindowExchange(const WindowExchange&) = delete;
  WindowExchange& operator=(const WindowExchange&) = delete;

  // outgoing has one batch per rank (this rank's own stays empty) and must stay untouched
  // until receive(), which clears it.
  void start(const WindowState& local, std::vector<std::vector<Event>>& outgoing);
  WindowState wait();
  // Replaces `incoming` with the events the other ranks sent here this window.
  void receive(std::vector<Event>& incoming);

  std::uint64_t messages_sent() const { return messages_sent_; }  // over this object's life

 private:
  MPI_Comm comm_;
  int rank_;
  int size_;
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
  std::vector<std::uint64_t> local_, agreed_;  // see kWindowWords in the .cpp
  MPI_Request reduction_ = MPI_REQUEST_NULL;
  std::vector<MPI_Request> sends_;
  std::vector<std::vector<Event>>* outgoing_ = nullptr;
  std::uint64_t round_ = 0;  // windows started; its parity is the message tag
  std::uint64_t messages_sent_ = 0;
};

// A communicator of a subset of the ranks (MPI_Comm_split), freed with this object: the ranks
// passing the same color form one, ranked by key. Collective over the parent.
class SplitCommunicator {
 public:
  SplitCommunicator(const Communicator& parent, int color, int key);
  ~SplitCommunicator();
  SplitCommunicator(const SplitCommunicator&) = delete;
  SplitCommunicator& operator=(const SplitCommunicator&) = delete;
  const Communicator& comm() const { return comm_; }

 private:
  static MPI_Comm split(const Communicator& parent, int color, int key);
  MPI_Comm raw_;
  Communicator comm_;
};

}  // namespace marlsim

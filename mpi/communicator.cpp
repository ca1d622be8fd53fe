#include "mpi/communicator.hpp"

#include <algorithm>
#include <stdexcept>

namespace marlsim {

namespace {
constexpr int kEventTag = 7301;

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI call failed: ") + what);
}
}  // namespace

MpiSession::MpiSession(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    // Funneled: OpenMP threads compute, only the main thread talks to MPI.
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  }
}

MpiSession::~MpiSession() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

Communicator::Communicator(MPI_Comm comm) : comm_(comm) {
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
}

std::vector<Event> Communicator::exchange(std::vector<std::vector<Event>>& outgoing) const {
  std::vector<Event> incoming;
  if (size_ == 1) return incoming;
  std::vector<MPI_Request> sends;
  sends.reserve(size_ - 1);
  for (int peer = 0; peer < size_; ++peer) {
    if (peer == rank_) continue;
    const auto bytes = static_cast<int>(outgoing[peer].size() * sizeof(Event));
    sends.emplace_back();
    check(MPI_Isend(outgoing[peer].data(), bytes, MPI_BYTE, peer, kEventTag, comm_, &sends.back()),
          "MPI_Isend (event exchange)");
  }
  // Receive in rank order so the incoming batch has a fixed order (the queue re-sorts anyway).
  for (int peer = 0; peer < size_; ++peer) {
    if (peer == rank_) continue;
    MPI_Status status;
    check(MPI_Probe(peer, kEventTag, comm_, &status), "MPI_Probe (event exchange)");
    int bytes = 0;
    MPI_Get_count(&status, MPI_BYTE, &bytes);
    const std::size_t first = incoming.size();
    incoming.resize(first + static_cast<std::size_t>(bytes) / sizeof(Event));
    check(MPI_Recv(incoming.data() + first, bytes, MPI_BYTE, peer, kEventTag, comm_, MPI_STATUS_IGNORE),
          "MPI_Recv (event exchange)");
  }
  check(MPI_Waitall(static_cast<int>(sends.size()), sends.data(), MPI_STATUSES_IGNORE), "MPI_Waitall (event exchange)");
  for (int peer = 0; peer < size_; ++peer) outgoing[peer].clear();
  return incoming;
}

namespace {
// The window reduction as one MPI datatype and operator (created once, on first use).
extern "C" void reduce_window_states(void* in, void* inout, int* len, MPI_Datatype*) {
  const auto* a = static_cast<const WindowState*>(in);
  auto* b = static_cast<WindowState*>(inout);
  for (int i = 0; i < *len; ++i) {
    b[i].next = std::min(a[i].next, b[i].next);
    b[i].flags |= a[i].flags;
    b[i].stop_signal = std::max(a[i].stop_signal, b[i].stop_signal);
    b[i].done_episodes |= a[i].done_episodes;
  }
}

struct WindowReduction {
  MPI_Datatype type = MPI_DATATYPE_NULL;
  MPI_Op op = MPI_OP_NULL;
  WindowReduction() {
    check(MPI_Type_contiguous(sizeof(WindowState), MPI_BYTE, &type), "MPI_Type_contiguous (window state)");
    check(MPI_Type_commit(&type), "MPI_Type_commit (window state)");
    check(MPI_Op_create(&reduce_window_states, 1, &op), "MPI_Op_create (window state)");
  }
};
}  // namespace

void Communicator::start_window(const WindowState& local, PendingWindow& pending) const {
  pending.in_ = local;
  pending.out_ = local;
  pending.single_ = size_ == 1;
  if (!pending.single_) {
    static const WindowReduction reduction;  // freed by MPI_Finalize
    check(MPI_Iallreduce(&pending.in_, &pending.out_, 1, reduction.type, reduction.op, comm_, &pending.request_),
          "MPI_Iallreduce (window state)");
  }
}

WindowState Communicator::PendingWindow::wait() {
  if (!single_) check(MPI_Wait(&request_, MPI_STATUS_IGNORE), "MPI_Wait (window state)");
  return out_;
}

namespace {
// One value reduced over all ranks (a no-op on one rank).
template <class T>
T allreduce(MPI_Comm comm, int size, T v, MPI_Datatype type, MPI_Op op) {
  T out = v;
  if (size > 1) check(MPI_Allreduce(&v, &out, 1, type, op, comm), "MPI_Allreduce");
  return out;
}
}  // namespace

SimTime Communicator::allreduce_min(SimTime v) const { return allreduce(comm_, size_, v, MPI_INT64_T, MPI_MIN); }
std::vector<SimTime> Communicator::allreduce_min(std::vector<SimTime> v) const {
  if (size_ > 1)
    check(MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_INT64_T, MPI_MIN, comm_),
          "MPI_Allreduce (vector min)");
  return v;
}
std::vector<std::uint64_t> Communicator::allreduce_sum(std::vector<std::uint64_t> v) const {
  if (size_ > 1)
    check(MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_UINT64_T, MPI_SUM, comm_),
          "MPI_Allreduce (vector sum)");
  return v;
}
void Communicator::allreduce_mean(std::span<float> values) const {
  if (size_ == 1) return;
  check(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_FLOAT, MPI_SUM, comm_),
        "MPI_Allreduce (float mean)");
  const float inv = 1.0f / static_cast<float>(size_);
  for (float& x : values) x *= inv;
}
std::vector<float> Communicator::all_gather(const std::vector<float>& local) const {
  if (size_ == 1) return local;
  const int n = static_cast<int>(local.size());
  std::vector<int> counts(static_cast<std::size_t>(size_)), displs(counts.size());
  check(MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_), "MPI_Allgather (counts)");
  int total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    displs[r] = total;
    total += counts[r];
  }
  std::vector<float> all(static_cast<std::size_t>(total));
  check(MPI_Allgatherv(local.data(), n, MPI_FLOAT, all.data(), counts.data(), displs.data(), MPI_FLOAT, comm_),
        "MPI_Allgatherv (floats)");
  return all;
}
SimTime Communicator::allreduce_max(SimTime v) const { return allreduce(comm_, size_, v, MPI_INT64_T, MPI_MAX); }
std::uint64_t Communicator::allreduce_sum(std::uint64_t v) const {
  return allreduce(comm_, size_, v, MPI_UINT64_T, MPI_SUM);
}
double Communicator::allreduce_sum(double v) const { return allreduce(comm_, size_, v, MPI_DOUBLE, MPI_SUM); }
double Communicator::allreduce_max(double v) const { return allreduce(comm_, size_, v, MPI_DOUBLE, MPI_MAX); }
std::int64_t Communicator::exclusive_scan_sum(std::int64_t v) const {
  std::int64_t out = 0;
  if (size_ > 1) check(MPI_Exscan(&v, &out, 1, MPI_INT64_T, MPI_SUM, comm_), "MPI_Exscan");
  return rank_ == 0 ? 0 : out;
}
void Communicator::broadcast(std::string& value) const {
  if (size_ == 1) return;
  std::uint64_t length = value.size();
  broadcast(length);
  value.resize(length);
  MPI_Bcast(value.data(), static_cast<int>(length), MPI_CHAR, 0, comm_);
}

void Communicator::broadcast_from(int root, std::string& value) const {
  if (size_ == 1) return;
  std::uint64_t length = value.size();
  broadcast_from(root, length);
  value.resize(length);
  MPI_Bcast(value.data(), static_cast<int>(length), MPI_CHAR, root, comm_);
}

void Communicator::barrier() const {
  if (size_ > 1) MPI_Barrier(comm_);
}

MPI_Comm SplitCommunicator::split(const Communicator& parent, int color, int key) {
  MPI_Comm out = MPI_COMM_NULL;
  check(MPI_Comm_split(parent.raw(), color, key, &out), "MPI_Comm_split");
  return out;
}

SplitCommunicator::SplitCommunicator(const Communicator& parent, int color, int key)
    : raw_(split(parent, color, key)), comm_(raw_) {}

SplitCommunicator::~SplitCommunicator() { MPI_Comm_free(&raw_); }

}  // namespace marlsim

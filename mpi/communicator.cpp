#include "mpi/communicator.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <stdexcept>

namespace marlsim {

namespace {
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

namespace {
// The window reduction's buffer, in 64-bit words: the WindowState, the number of ranks P (the
// same everywhere, so the reduction can read the buffer's length from the buffer), then P
// event counts, one per destination rank.
constexpr std::size_t kStateWords = sizeof(WindowState) / sizeof(std::uint64_t);
static_assert(sizeof(WindowState) % sizeof(std::uint64_t) == 0 && std::is_trivially_copyable_v<WindowState>);
constexpr std::size_t kRanksWord = kStateWords;
constexpr std::size_t kCountsWord = kStateWords + 1;

using StateWords = std::array<std::uint64_t, kStateWords>;
WindowState read_state(const std::uint64_t* words) {
  StateWords w;
  std::copy_n(words, kStateWords, w.begin());
  return std::bit_cast<WindowState>(w);
}
void write_state(const WindowState& state, std::uint64_t* words) {
  const auto w = std::bit_cast<StateWords>(state);
  std::copy(w.begin(), w.end(), words);
}

extern "C" void reduce_window_words(void* in, void* inout, int* len, MPI_Datatype*) {
  const auto* a = static_cast<const std::uint64_t*>(in);
  auto* b = static_cast<std::uint64_t*>(inout);
  for (int i = 0; i < *len; ++i) {
    const std::size_t words = kCountsWord + a[kRanksWord];
    const WindowState x = read_state(a);
    WindowState y = read_state(b);
    y.next = std::min(x.next, y.next);
    y.flags |= x.flags;
    y.stop_signal = std::max(x.stop_signal, y.stop_signal);
    y.done_episodes |= x.done_episodes;
    write_state(y, b);
    for (std::size_t k = kCountsWord; k < words; ++k) b[k] += a[k];
    a += words;
    b += words;
  }
}

MPI_Op window_reduction_op() {
  static const MPI_Op op = [] {  // freed by MPI_Finalize
    MPI_Op created = MPI_OP_NULL;
    check(MPI_Op_create(&reduce_window_words, 1, &created), "MPI_Op_create (window state)");
    return created;
  }();
  return op;
}

constexpr int kEventTags[2] = {7301, 7302};  // alternate by window (see WindowExchange)
}  // namespace

WindowExchange::WindowExchange(const Communicator& comm) : comm_(comm.raw()), rank_(comm.rank()), size_(comm.size()) {
  const std::size_t words = kCountsWord + static_cast<std::size_t>(size_);
  local_.assign(words, 0);
  agreed_.assign(words, 0);
  local_[kRanksWord] = static_cast<std::uint64_t>(size_);
  if (size_ == 1) return;
  check(MPI_Type_contiguous(static_cast<int>(words * sizeof(std::uint64_t)), MPI_BYTE, &type_),
        "MPI_Type_contiguous (window state)");
  check(MPI_Type_commit(&type_), "MPI_Type_commit (window state)");
  sends_.reserve(static_cast<std::size_t>(size_ - 1));
}

WindowExchange::~WindowExchange() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (type_ != MPI_DATATYPE_NULL && !finalized) MPI_Type_free(&type_);
}

void WindowExchange::start(const WindowState& local, std::vector<std::vector<Event>>& outgoing) {
  write_state(local, local_.data());
  if (size_ == 1) {
    agreed_ = local_;
    return;
  }
  outgoing_ = &outgoing;
  const int tag = kEventTags[round_++ & 1];
  sends_.clear();
  for (int peer = 0; peer < size_; ++peer) {
    const std::vector<Event>& batch = outgoing[static_cast<std::size_t>(peer)];
    local_[kCountsWord + static_cast<std::size_t>(peer)] = batch.size();
    if (peer == rank_ || batch.empty()) continue;
    sends_.emplace_back();
    check(MPI_Isend(batch.data(), static_cast<int>(batch.size() * sizeof(Event)), MPI_BYTE, peer, tag, comm_,
                    &sends_.back()),
          "MPI_Isend (event exchange)");
  }
  messages_sent_ += sends_.size();
  check(MPI_Iallreduce(local_.data(), agreed_.data(), 1, type_, window_reduction_op(), comm_, &reduction_),
        "MPI_Iallreduce (window state)");
}

WindowState WindowExchange::wait() {
  if (size_ > 1) check(MPI_Wait(&reduction_, MPI_STATUS_IGNORE), "MPI_Wait (window state)");
  return read_state(agreed_.data());
}

void WindowExchange::receive(std::vector<Event>& incoming) {
  incoming.clear();
  if (size_ == 1) return;
  if (reduction_ != MPI_REQUEST_NULL) throw std::logic_error("WindowExchange::receive before wait");
  const int tag = kEventTags[(round_ - 1) & 1];
  const std::size_t expected = agreed_[kCountsWord + static_cast<std::size_t>(rank_)];
  incoming.resize(expected);
  // Every message holds at least one event and fits in what is still due (a sender's message
  // is below INT_MAX bytes too), so the receives end exactly at the count.
  constexpr std::size_t kMaxEventsPerMessage = std::numeric_limits<int>::max() / sizeof(Event);
  for (std::size_t got = 0; got < expected;) {
    const std::size_t room = std::min(expected - got, kMaxEventsPerMessage);
    MPI_Status status;
    check(MPI_Recv(incoming.data() + got, static_cast<int>(room * sizeof(Event)), MPI_BYTE, MPI_ANY_SOURCE, tag, comm_,
                   &status),
          "MPI_Recv (event exchange)");
    int bytes = 0;
    MPI_Get_count(&status, MPI_BYTE, &bytes);
    got += static_cast<std::size_t>(bytes) / sizeof(Event);
  }
  check(MPI_Waitall(static_cast<int>(sends_.size()), sends_.data(), MPI_STATUSES_IGNORE),
        "MPI_Waitall (event exchange)");
  for (std::vector<Event>& batch : *outgoing_) batch.clear();
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

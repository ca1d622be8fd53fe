#include "mpi/machine_memory.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>

namespace marlsim {

MPI_Comm MachineCommunicator::split(const Communicator& parent) {
  MPI_Comm out = MPI_COMM_NULL;
  MPI_Comm_split_type(parent.raw(), MPI_COMM_TYPE_SHARED, parent.rank(), MPI_INFO_NULL, &out);
  return out;
}

MachineCommunicator::MachineCommunicator(const Communicator& parent) : raw_(split(parent)), comm_(raw_) {}

// Freeing is collective: while an exception unwinds, this rank may be the only one here (the
// others wait in another collective), so the free is left to MPI_Abort or MPI_Finalize.
MachineCommunicator::~MachineCommunicator() {
  if (std::uncaught_exceptions() == 0) MPI_Comm_free(&raw_);
}

MachineSharedBytes::MachineSharedBytes(const Communicator& machine, std::uint64_t bytes)
    : machine_(machine), writer_(machine.rank() == 0) {
  machine.broadcast(bytes);
  allocated_here_ = writer_ ? bytes : 0;
  // An empty block still allocates one word, so that every rank has a valid base.
  const auto mine = static_cast<MPI_Aint>(writer_ ? std::max<std::uint64_t>(bytes, 8) : 0);
  void* local = nullptr;
  if (MPI_Win_allocate_shared(mine, 8, MPI_INFO_NULL, machine.raw(), &local, &win_) != MPI_SUCCESS)
    throw std::runtime_error("MPI_Win_allocate_shared failed for a block of machine-shared memory");
  MPI_Aint size = 0;
  int disp = 0;
  void* base = nullptr;
  MPI_Win_shared_query(win_, 0, &size, &disp, &base);
  base_ = static_cast<std::byte*>(base);
  size_ = static_cast<std::size_t>(bytes);
}

MachineSharedBytes::~MachineSharedBytes() {
  if (std::uncaught_exceptions() == 0) MPI_Win_free(&win_);  // as ~MachineCommunicator
}

std::span<std::byte> MachineSharedBytes::writable() {
  if (!writer_) throw std::logic_error("MachineSharedBytes: only the machine's first rank writes");
  return {base_, size_};
}

void MachineSharedBytes::publish() {
  // The unified memory model of shared windows: a barrier orders the writer's stores before
  // the readers' loads (MPI-3.1 s. 11.5.4.2; no RMA epoch is open).
  MPI_Win_lock_all(MPI_MODE_NOCHECK, win_);
  MPI_Win_sync(win_);
  machine_.barrier();
  MPI_Win_sync(win_);
  MPI_Win_unlock_all(win_);
}

}  // namespace marlsim

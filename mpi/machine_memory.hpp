#pragma once
// Memory that the ranks of one machine share: the ranks that can map each other's memory
// (MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)) hold one block (MPI_Win_allocate_shared), which
// the machine's first rank writes and every rank reads in place. A trace is held this way, once
// per machine instead of once per rank (engine/experiment/machine_trace.hpp).
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "mpi/communicator.hpp"

namespace marlsim {

// The ranks of `parent` on this machine, ranked as in `parent`. Collective over `parent`.
class MachineCommunicator {
 public:
  explicit MachineCommunicator(const Communicator& parent);
  ~MachineCommunicator();
  MachineCommunicator(const MachineCommunicator&) = delete;
  MachineCommunicator& operator=(const MachineCommunicator&) = delete;
  const Communicator& comm() const { return comm_; }

 private:
  static MPI_Comm split(const Communicator& parent);
  MPI_Comm raw_;
  Communicator comm_;
};

// `bytes` bytes (rank 0 of `machine` decides how many; the others' argument is ignored), held
// once by the machine, 8-byte aligned. Collective over `machine` (construction and
// destruction: MPI_Win_free), which must outlive this object.
class MachineSharedBytes {
 public:
  MachineSharedBytes(const Communicator& machine, std::uint64_t bytes);
  ~MachineSharedBytes();
  MachineSharedBytes(const MachineSharedBytes&) = delete;
  MachineSharedBytes& operator=(const MachineSharedBytes&) = delete;

  bool writer() const { return writer_; }
  // For the writer, before publish().
  std::span<std::byte> writable();
  // Collective: the writer has written; every rank then sees its bytes.
  void publish();
  std::span<const std::byte> bytes() const { return {base_, size_}; }
  // What this rank itself allocated in the window (the writer: all of it; the others: 0).
  std::uint64_t allocated_here() const { return allocated_here_; }

 private:
  const Communicator& machine_;
  MPI_Win win_ = MPI_WIN_NULL;
  std::byte* base_ = nullptr;
  std::size_t size_ = 0;
  std::uint64_t allocated_here_ = 0;
  bool writer_ = false;
};

}  // namespace marlsim

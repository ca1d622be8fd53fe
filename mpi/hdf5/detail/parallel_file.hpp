#pragma once
// A new HDF5 file that every rank of a communicator writes through MPI-IO, made the same way
// for the results and the trajectory writers: rank 0 creates the file (a partial file of a
// name unique to the run, or `path` itself when in_place) and tells the others its name or why
// it could not, so all ranks give the same answer on any file system; metadata operations and
// dataset transfers are collective. Closing publishes it the same way for both writers too.
#include <string>

#include "mpi/communicator.hpp"
#include "mpi/hdf5/detail/hdf5_handle.hpp"

namespace marlsim::detail {

struct ParallelFile {
  std::string partial;  // where the data goes until the writer publishes it
  Hdf5Handle file;
  Hdf5Handle xfer;  // collective dataset transfers
};

// Collective. Throws InputError when the file cannot be created (naming the path), and
// std::runtime_error "path: what (HDF5's reason)" when HDF5 cannot open it for MPI-IO.
ParallelFile create_parallel_file(const std::string& path, bool in_place, const Communicator& comm);

// Collective: closes `file` (and its `xfer` list) on every rank and, unless in_place, rank 0
// renames the partial file to `path`: the commit point, atomic on POSIX, so `path` is either
// the old file or the complete new one. Throws std::runtime_error "path: /: ..." on every rank
// if any rank could not close it (the partial file is left in place) or the rename failed.
void close_parallel_file(Hdf5Handle& file, Hdf5Handle& xfer, const std::string& partial, const std::string& path,
                         bool in_place, const Communicator& comm);

}  // namespace marlsim::detail

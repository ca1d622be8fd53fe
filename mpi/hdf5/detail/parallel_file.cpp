#include "mpi/hdf5/detail/parallel_file.hpp"

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "engine/support/atomic_write.hpp"
#include "engine/support/input_error.hpp"
#include "mpi/hdf5/detail/hdf5_support.hpp"

namespace marlsim::detail {

ParallelFile create_parallel_file(const std::string& path, bool in_place, const Communicator& comm) {
  std::string created, create_error;
  if (comm.is_root()) {
    try {
      created = in_place ? path : create_partial_file(path);
    } catch (const InputError& e) {
      create_error = e.what();
    }
  }
  comm.broadcast(created);
  comm.broadcast(create_error);
  if (!create_error.empty()) throw InputError(create_error);

  auto fail = [&](const std::string& what) {
    const std::string reason = hdf5_error_detail();
    throw std::runtime_error(path + ": /: " + what + (reason.empty() ? "" : " (" + reason + ")"));
  };
  ParallelFile f;
  f.partial = created;
  Hdf5Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  // Collective metadata reads and writes: one rank touches the metadata, the rest get it
  // by broadcast, instead of every rank hitting the file system for each lookup.
  if (!fapl.valid() || H5Pset_fapl_mpio(fapl.get(), comm.raw(), MPI_INFO_NULL) < 0 ||
      H5Pset_all_coll_metadata_ops(fapl.get(), 1) < 0 || H5Pset_coll_metadata_write(fapl.get(), 1) < 0)
    fail("cannot set up MPI-IO file access");
  f.file = Hdf5Handle(H5Fcreate(f.partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
  if (!f.file.valid()) fail("cannot create '" + f.partial + "'");
  f.xfer = Hdf5Handle(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
  if (!f.xfer.valid() || H5Pset_dxpl_mpio(f.xfer.get(), H5FD_MPIO_COLLECTIVE) < 0)
    fail("cannot set up collective transfers");
  return f;
}

void close_parallel_file(Hdf5Handle& file, Hdf5Handle& xfer, const std::string& partial, const std::string& path,
                         bool in_place, const Communicator& comm) {
  xfer.close();
  std::uint64_t failed = file.close() < 0 ? 1 : 0;
  if (comm.size() > 1) failed = comm.allreduce_sum(failed);
  if (failed) throw std::runtime_error(path + ": /: closing '" + partial + "' failed; it is left in place");
  if (in_place) return;  // the caller publishes
  int rename_error = 0;
  if (comm.is_root()) {
    std::error_code ec;
    std::filesystem::rename(partial, path, ec);
    rename_error = ec.value();
  }
  if (comm.size() > 1) MPI_Bcast(&rename_error, 1, MPI_INT, 0, comm.raw());
  if (rename_error != 0)
    throw std::runtime_error(path + ": /: cannot rename '" + partial +
                             "' to it: " + std::generic_category().message(rename_error));
}

}  // namespace marlsim::detail

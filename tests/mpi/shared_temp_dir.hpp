#pragma once
// A scratch directory for the MPI tests, one for all ranks: rank 0 names and creates it, the
// others receive the name; rank 0 removes it after every rank is done.
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <string>

#include "mpi/communicator.hpp"

namespace marlsim::test {

struct SharedTempDir {
  Communicator comm;
  std::filesystem::path dir;
  SharedTempDir() {
    static int counter = 0;
    std::array<char, 256> name{};
    if (comm.is_root()) {
      const std::string n = (std::filesystem::temp_directory_path() /
                             ("marlsim-test-" + std::to_string(::getpid()) + "-mpi-" + std::to_string(counter)))
                                .string();
      std::filesystem::create_directories(n);
      std::strncpy(name.data(), n.c_str(), name.size() - 1);
    }
    ++counter;
    MPI_Bcast(name.data(), static_cast<int>(name.size()), MPI_CHAR, 0, comm.raw());
    dir = name.data();
  }
  ~SharedTempDir() {
    comm.barrier();
    std::error_code ec;
    if (comm.is_root()) std::filesystem::remove_all(dir, ec);
  }
  SharedTempDir(const SharedTempDir&) = delete;
  SharedTempDir& operator=(const SharedTempDir&) = delete;
  std::string file(const std::string& n) const { return (dir / n).string(); }
};

}  // namespace marlsim::test

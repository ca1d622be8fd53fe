// TrajectoryWriter at 1, 2 and 4 ranks: each rank writes its block of agents; rank 0 reads the
// file back and compares it row for row with the synthetic trajectory, which does not depend on
// the rank count, so the file is the same at any R.
#include <unistd.h>
#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <filesystem>
#include <string>

#include "mpi/communicator.hpp"
#include "mpi/hdf5/trajectory_file.hpp"
#include "tests/trajectory_rows.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using marlsim::Communicator;
using marlsim::TrajectoryWriter;
namespace t = marlsim::test;

namespace {

std::string shared_dir(const Communicator& comm) {
  std::array<char, 256> name{};
  if (comm.is_root()) {
    static int counter = 0;
    const std::string n = (fs::temp_directory_path() /
                           ("marlsim-traj-mpi-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
                              .string();
    fs::create_directories(n);
    std::strncpy(name.data(), n.c_str(), name.size() - 1);
  }
  MPI_Bcast(name.data(), static_cast<int>(name.size()), MPI_CHAR, 0, comm.raw());
  return name.data();
}

}  // namespace

TEST_CASE("trajectory file: R ranks write exactly the rows each appended, in rank order", "[mpi][trajectory]") {
  Communicator comm;
  const std::string dir = shared_dir(comm);
  const std::string path = dir + "/traj.h5";
  {
    TrajectoryWriter out(path, comm, t::example_settings());
    t::write_example(out, comm.rank(), comm.size());
    out.close();
  }
  comm.barrier();
  if (comm.is_root()) {
    CHECK(t::verify_example_file(path) == "");
    fs::remove_all(dir);
  }
}

TEST_CASE("trajectory file: a missing outcome on one rank stops every rank's flush", "[mpi][trajectory]") {
  Communicator comm;
  const std::string dir = shared_dir(comm);
  TrajectoryWriter out(dir + "/bad.h5", comm, t::example_settings());
  t::ExampleDecision x = t::example_decision(0, 0, 0);
  x.decision.observation = x.observation;
  x.decision.candidate_features = x.features;
  const auto row = out.append(x.decision);
  if (comm.rank() == comm.size() - 1) {
    CHECK_THROWS_WITH(out.flush(), Contains("1 row(s) whose outcome is not set yet (1 on this rank)"));
  } else {
    out.set_outcome(row, 1.0f, false);
    CHECK_THROWS_WITH(out.flush(), Contains("outcome is not set"));
  }
  out.set_outcome(row, 1.0f, false);
  out.close();
  comm.barrier();
  if (comm.is_root()) {
    CHECK(t::read_dataset<float>(dir + "/bad.h5", "rewards", H5T_NATIVE_FLOAT).size() ==
          static_cast<std::size_t>(comm.size()));
    fs::remove_all(dir);
  }
}

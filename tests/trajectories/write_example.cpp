// Writes the synthetic trajectory of tests/trajectory_rows.hpp to argv[1] at any rank count,
// for the Python loader test (tests/trajectories/loader_test.sh).
#include <cstdio>
#include <exception>

#include "mpi/communicator.hpp"
#include "mpi/hdf5/trajectory_file.hpp"
#include "tests/trajectory_rows.hpp"

int main(int argc, char* argv[]) {
  marlsim::MpiSession mpi(&argc, &argv);
  marlsim::Communicator comm;
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_trajectory_example OUT.h5\n");
    return 2;
  }
  try {
    marlsim::TrajectoryWriter out(argv[1], comm, marlsim::test::example_settings());
    marlsim::test::write_example(out, comm.rank(), comm.size());
    out.close();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}

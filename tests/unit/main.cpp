// Unit tests run in one process (MPI singleton) so code that needs an initialized MPI,
// such as parallel HDF5, works here too.
#include <cstdlib>

#include "mpi/communicator.hpp"
#include "tests/catch/catch_session.hpp"

int main(int argc, char* argv[]) {
  // ctest runs each test case as its own process: Open MPI's default start-up probes network
  // stacks and cores, which one process does not need (~0.5 s of each start on 2 busy cores).
  // Settings already in the environment are kept.
  setenv("OMPI_MCA_pml", "ob1", 0);
  setenv("HWLOC_COMPONENTS", "-x86", 0);
  marlsim::MpiSession mpi(&argc, &argv);
  return marlsim::testing::run_catch_session(argc, argv, true);
}

// Unit tests run in one process (MPI singleton) so code that needs an initialized MPI,
// such as parallel HDF5, works here too.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "mpi/communicator.hpp"

int main(int argc, char* argv[]) {
  marlsim::MpiSession mpi(&argc, &argv);
  return Catch::Session().run(argc, argv);
}

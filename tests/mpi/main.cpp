// MPI integration tests: the same binary runs under mpirun at 1, 2 and 4 ranks. Every rank
// runs every test case; a failure on any rank fails the run. Only rank 0 reports to the
// console so the output stays readable.
#include <cstdint>
#include <cstdio>

#include "mpi/communicator.hpp"
#include "tests/catch/catch_session.hpp"

int main(int argc, char* argv[]) {
  marlsim::MpiSession mpi(&argc, &argv);
  marlsim::Communicator world;
  const int failed = marlsim::testing::run_catch_session(argc, argv, world.is_root());
  const auto any_failed = world.allreduce_sum(static_cast<std::uint64_t>(failed > 0 ? 1 : 0));
  if (world.is_root()) std::printf("MPI tests at %d ranks: %s\n", world.size(), any_failed ? "FAILED" : "passed");
  return any_failed ? 1 : 0;
}

// Catch2's whole implementation (~20 s of CPU at -O1, ~50 s under ASan): one object for the
// unit, threaded and MPI test programs.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "tests/catch/catch_session.hpp"

namespace marlsim::testing {

int run_catch_session(int argc, char* argv[], bool console_output) {
  Catch::Session session;
  if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  if (!console_output) session.configData().outputFilename = "/dev/null";
  return session.run();
}

}  // namespace marlsim::testing

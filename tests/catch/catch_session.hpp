// Catch2's implementation is compiled once (catch_session.cpp) for every test program; their
// main() functions set up MPI and call this.
#pragma once

namespace marlsim::testing {

// Runs the test cases selected by the command line; `console_output` false sends the report
// to /dev/null (the MPI tests' ranks other than 0). Returns Catch's exit code.
int run_catch_session(int argc, char* argv[], bool console_output);

}  // namespace marlsim::testing

#pragma once
// Child processes for sweeps: `marlsim run` (or mpirun) per run, and sbatch/sinfo. Children
// get the environment this program started with: MPI_Init turns the sweeper into an MPI
// singleton whose PMIx variables would make a child mpirun believe it is nested.
#include <sys/types.h>

#include <string>
#include <vector>

namespace marlsim {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH unless it contains a '/'
  std::vector<std::string> env;   // extra NAME=VALUE entries (replace inherited ones)
  std::string cwd;                // "" = this process's
  std::string stdout_path;        // "" = inherit
  std::string stderr_path;
};

// The program's path on PATH ("" if not found); a name with a '/' is returned if executable.
std::string find_program(const std::string& name);

// Starts the process; throws std::runtime_error naming the program if it cannot be started.
pid_t start_process(const ProcessSpec& spec);
// Waits for any child; returns its pid and exit status (the exit code, or 128 + signal), or
// pid -1 when a signal interrupted the wait.
std::pair<pid_t, int> wait_any_process();

struct Captured {
  int status = 0;
  std::string out;
  std::string err;
};
// Runs to completion and returns its exit status and output (small outputs: sbatch, sinfo).
Captured run_captured(const std::vector<std::string>& argv, const std::string& scratch_dir);

// `a b 'c d'`: a command line a shell reads back as the same arguments.
std::string shell_quote(const std::vector<std::string>& argv);

}  // namespace marlsim

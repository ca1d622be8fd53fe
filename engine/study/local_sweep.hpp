#pragma once
// Runs a sweep's pending runs on this machine, as many at once as the cores allow (a run
// takes ranks x threads cores), each in its own folder with its command line, output and
// exit status.
#include <functional>
#include <string>
#include <vector>

#include "engine/study/study.hpp"

namespace marlsim {

struct LocalSweepOptions {
  std::string marlsim;            // the marlsim program (absolute path)
  std::string mpirun = "mpirun";  // launcher for runs of more than one rank
  int cores = 1;                  // cores to fill
};

struct RunOutcome {
  const StudyRun* run = nullptr;
  int status = 0;  // exit status (128 + signal when killed)
  double wall_s = 0;
};

// The command line a run is launched with here.
std::vector<std::string> local_command(const StudyRun& run, const LocalSweepOptions& options);

// Runs `pending` (already prepared with prepare_run) in `dir`; calls `done` as each ends.
// On SIGINT or SIGTERM it stops the running runs (they get no exit_status, so the next
// sweep reruns them) and sets `interrupted_by` to the signal.
std::vector<RunOutcome> run_sweep_locally(const std::string& dir, const std::vector<const StudyRun*>& pending,
                                          const LocalSweepOptions& options,
                                          const std::function<void(const RunOutcome&)>& done, int& interrupted_by);

}  // namespace marlsim

#pragma once
// `marlsim collect`: every run of a sweep as rows of one table (one row per run and policy),
// written as HDF5 (/runs/<column>, one 1-D dataset per column, units in attributes) and CSV.
// Runs that failed or never finished get a row too, with their status and exit status and
// NaN metrics: a sweep's table never hides a run.
#include <string>
#include <vector>

namespace marlsim {

struct RunProblem {
  std::string dir;       // "run-0003"
  std::string status;    // "failed", "missing" (never finished), "no-results" (exit 0, no summary.json)
  int exit_status = -1;  // -1 when there is none
  std::string detail;    // the last line of its stderr, if any
};

struct CollectedSweep {
  std::size_t runs = 0;
  std::size_t rows = 0;
  std::vector<RunProblem> problems;
};

// Reads DIR/study.json and each run's folder; writes h5_path and csv_path (each atomically).
CollectedSweep collect_sweep(const std::string& dir, const std::string& h5_path, const std::string& csv_path);

}  // namespace marlsim

#pragma once
// The sbatch job-array script of a sweep: array task i (SLURM_ARRAY_TASK_ID, 0-based) runs
// its share of the pending runs one after another (short runs are packed several to a
// task), each with `srun --mpi=<mpi> --ntasks=<ranks> --cpus-per-task=<threads>` in its own
// folder, writing the same command.txt, stdout.txt, stderr.txt and exit_status as a local sweep.
#include <string>
#include <vector>

#include "engine/study/study.hpp"

namespace marlsim {

struct SlurmOptions {
  std::string marlsim;    // absolute path of the marlsim program (shared file system)
  std::string partition;  // "" = the cluster's default partition
  std::string account;    // "" = the user's default account
  std::string time_limit = "01:00:00";
  int max_parallel = 8;      // K in --array=0-N%K
  int runs_per_task = 1;     // runs packed into one array task
  std::string mpi = "pmix";  // srun --mpi= plugin
  bool overcommit = false;   // more ranks than CPUs (srun --overcommit)
};

// Array tasks needed for `runs` runs.
std::size_t slurm_array_tasks(std::size_t runs, const SlurmOptions& options);

std::string slurm_array_script(const std::string& sweep_dir, const Study& study,
                               const std::vector<const StudyRun*>& pending, const SlurmOptions& options);

}  // namespace marlsim

#include "engine/study/slurm_script.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "engine/study/subprocess.hpp"

namespace marlsim {

std::size_t slurm_array_tasks(std::size_t runs, const SlurmOptions& options) {
  const auto per = static_cast<std::size_t>(std::max(1, options.runs_per_task));
  return (runs + per - 1) / per;
}

std::string slurm_array_script(const std::string& sweep_dir, const Study& study,
                               const std::vector<const StudyRun*>& pending, const SlurmOptions& options) {
  int ranks = 1, threads = 1;
  for (const StudyRun* r : pending) ranks = std::max(ranks, r->ranks), threads = std::max(threads, r->threads);
  const std::size_t tasks = slurm_array_tasks(pending.size(), options);
  std::string s = "#!/bin/bash\n";
  s += fmt::format("# marlsim sweep --slurm: study {} ({}), {} run(s) in {} array task(s).\n", study.name, study.path,
                   pending.size(), tasks);
  s += "# Array task i runs its runs one after another; every task asks for the widest run's\n"
       "# ranks and threads (one array has one shape). Resubmitting with `marlsim sweep --slurm`\n"
       "# skips the runs that finished.\n";
  std::string job_name = "marlsim-" + study.name;  // #SBATCH lines end at a space
  for (char& ch : job_name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.') ch = '-';
  s += fmt::format("#SBATCH --job-name={}\n", job_name);
  s += fmt::format("#SBATCH --array=0-{}%{}\n", tasks - 1, std::max(1, options.max_parallel));
  s += fmt::format("#SBATCH --ntasks={}\n#SBATCH --cpus-per-task={}\n", ranks, threads);
  s += fmt::format("#SBATCH --time={}\n", options.time_limit);
  if (!options.partition.empty()) s += fmt::format("#SBATCH --partition={}\n", options.partition);
  if (!options.account.empty()) s += fmt::format("#SBATCH --account={}\n", options.account);
  if (options.overcommit) s += "#SBATCH --overcommit\n";
  s += fmt::format("#SBATCH --output={}/slurm/%A_%a.out\n", sweep_dir);
  s += "set -u\n";
  s += "export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}\n";
  s += fmt::format("MARLSIM={}\n", shell_quote({options.marlsim}));
  s += fmt::format("SWEEP={}\n", shell_quote({sweep_dir}));
  s += "failed=0\n";
  s += "# run DIR RANKS THREADS ARGS...: one run in its folder; its exit status is written last.\n";
  s += "run() {\n"
       "  local dir=$SWEEP/$1 ranks=$2 threads=$3\n"
       "  shift 3\n"
       "  local cmd=(srun --mpi=" +
       options.mpi + " --ntasks=\"$ranks\" --cpus-per-task=\"$threads\"" + (options.overcommit ? " --overcommit" : "") +
       " \"$MARLSIM\" \"$@\")\n"
       "  cd \"$dir\" || { failed=1; return; }\n"
       "  rm -f exit_status\n"
       "  printf 'cd %q && OMP_NUM_THREADS=%s' \"$dir\" \"$threads\" >command.txt\n"
       "  printf ' %q' \"${cmd[@]}\" >>command.txt\n"
       "  echo >>command.txt\n"
       "  OMP_NUM_THREADS=$threads \"${cmd[@]}\" >stdout.txt 2>stderr.txt\n"
       "  local status=$?\n"
       "  echo \"$status\" >exit_status.partial && mv exit_status.partial exit_status\n"
       "  [ \"$status\" -eq 0 ] || failed=1\n"
       "}\n";
  s += "case ${SLURM_ARRAY_TASK_ID:?not run as an array task} in\n";
  const auto per = static_cast<std::size_t>(std::max(1, options.runs_per_task));
  for (std::size_t t = 0; t < tasks; ++t) {
    s += fmt::format("  {})\n", t);
    for (std::size_t i = t * per; i < std::min(pending.size(), (t + 1) * per); ++i) {
      const StudyRun& r = *pending[i];
      std::vector<std::string> line{"run", r.dir, std::to_string(r.ranks), std::to_string(r.threads)};
      line.insert(line.end(), r.args.begin(), r.args.end());
      s += "    " + shell_quote(line) + "\n";
    }
    s += "    ;;\n";
  }
  s += "  *) echo \"no runs for array task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\n";
  s += "esac\nexit $failed\n";
  return s;
}

}  // namespace marlsim

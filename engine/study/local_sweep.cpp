#include "engine/study/local_sweep.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "engine/atomic_write.hpp"
#include "engine/study/subprocess.hpp"
#include "engine/study/sweep_dir.hpp"

namespace marlsim {

namespace fs = std::filesystem;

std::vector<std::string> local_command(const StudyRun& run, const LocalSweepOptions& options) {
  std::vector<std::string> cmd;
  if (run.ranks > 1) {
    cmd = {options.mpirun, "-np", std::to_string(run.ranks), "--oversubscribe", "--bind-to", "none"};
    if (geteuid() == 0) cmd.push_back("--allow-run-as-root");
  }
  cmd.push_back(options.marlsim);
  cmd.insert(cmd.end(), run.args.begin(), run.args.end());
  return cmd;
}

std::vector<RunOutcome> run_sweep_locally(const std::string& dir, const std::vector<const StudyRun*>& pending,
                                          const LocalSweepOptions& options,
                                          const std::function<void(const RunOutcome&)>& done) {
  using Clock = std::chrono::steady_clock;
  struct Running {
    const StudyRun* run;
    int cores;
    Clock::time_point start;
  };
  // A run wider than the machine (allowed with --oversubscribe) runs alone.
  auto cost = [&](const StudyRun* r) { return std::min(r->ranks * r->threads, options.cores); };
  std::vector<const StudyRun*> queue = pending;
  std::map<pid_t, Running> running;
  std::vector<RunOutcome> outcomes;
  int free = options.cores;
  while (!queue.empty() || !running.empty()) {
    // Start every queued run that fits, in order (a narrow run may pass a wide one).
    for (auto it = queue.begin(); it != queue.end();) {
      const StudyRun* r = *it;
      if (cost(r) > free) {
        ++it;
        continue;
      }
      const fs::path run_dir = fs::path(dir) / r->dir;
      const std::vector<std::string> cmd = local_command(*r, options);
      std::vector<std::string> env{"OMP_NUM_THREADS=" + std::to_string(r->threads)};
      // Busy polling on shared cores slows runs that wait on each other by orders of magnitude.
      if (std::getenv("OMPI_MCA_mpi_yield_when_idle") == nullptr) env.push_back("OMPI_MCA_mpi_yield_when_idle=1");
      write_file_atomically((run_dir / "command.txt").string(),
                            "cd " + shell_quote({run_dir.string()}) + " && OMP_NUM_THREADS=" +
                                std::to_string(r->threads) + " " + shell_quote(cmd) + "\n");
      pid_t pid = 0;
      try {
        pid = start_process({cmd, env, run_dir.string(), "stdout.txt", "stderr.txt"});
      } catch (const std::exception& e) {
        write_file_atomically((run_dir / "stderr.txt").string(), std::string(e.what()) + "\n");
        record_exit_status(run_dir.string(), 127);
        outcomes.push_back({r, 127, 0});
        done(outcomes.back());
        it = queue.erase(it);
        continue;
      }
      running[pid] = {r, cost(r), Clock::now()};
      free -= cost(r);
      it = queue.erase(it);
    }
    if (running.empty()) continue;
    const auto [pid, status] = wait_any_process();
    auto it = running.find(pid);
    if (it == running.end()) continue;  // not one of ours
    const Running finished = it->second;
    running.erase(it);
    free += finished.cores;
    record_exit_status((fs::path(dir) / finished.run->dir).string(), status);
    outcomes.push_back({finished.run, status, std::chrono::duration<double>(Clock::now() - finished.start).count()});
    done(outcomes.back());
  }
  return outcomes;
}

}  // namespace marlsim

#include "engine/study/local_sweep.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "engine/study/subprocess.hpp"
#include "engine/study/sweep_dir.hpp"
#include "engine/support/atomic_write.hpp"

namespace marlsim {

namespace fs = std::filesystem;

namespace {

volatile sig_atomic_t g_stop_signal = 0;
void request_stop(int sig) { g_stop_signal = sig; }

// SIGINT and SIGTERM interrupt waits (no SA_RESTART) while a sweep runs; restored after.
class StopSignals {
 public:
  StopSignals() {
    g_stop_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = request_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace

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
                                          const std::function<void(const RunOutcome&)>& done, int& interrupted_by) {
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
  const StopSignals signals;
  interrupted_by = 0;
  while (!queue.empty() || !running.empty()) {
    if (g_stop_signal != 0) {  // stop the runs (mpirun passes SIGTERM on to its ranks) and wait for them
      interrupted_by = g_stop_signal;
      for (const auto& [pid, r] : running) kill(pid, SIGTERM);
      for (const auto& [pid, r] : running) waitpid(pid, nullptr, 0);
      return outcomes;
    }
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
                            "cd " + shell_quote({run_dir.string()}) +
                                " && OMP_NUM_THREADS=" + std::to_string(r->threads) + " " + shell_quote(cmd) + "\n");
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
    if (pid < 0) continue;  // a signal: checked at the top
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

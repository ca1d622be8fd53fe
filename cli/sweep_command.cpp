// `marlsim sweep`: a study file expanded into runs, run here (--local) or as one Slurm job
// array (--slurm). Everything that can be wrong with the study (an unknown axis or value, a
// missing scenario, a run wider than the machine or the partition) is found before any run
// starts or anything is submitted.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/command.hpp"
#include "engine/study/local_sweep.hpp"
#include "engine/study/slurm_script.hpp"
#include "engine/study/study.hpp"
#include "engine/study/subprocess.hpp"
#include "engine/study/sweep_dir.hpp"
#include "engine/support/atomic_write.hpp"
#include "engine/support/input_error.hpp"

namespace marlsim::cli {
namespace {

namespace fs = std::filesystem;

std::string describe(const StudyRun& r) {
  std::string s;
  for (const auto& [k, v] : r.params) s += (s.empty() ? "" : ", ") + k + "=" + v;
  return s.empty() ? "the scenario as it is" : s;
}

// Total CPUs of the partition (sinfo's %C is allocated/idle/other/total per line), 0 if unknown.
int partition_cpus(const std::string& partition) {
  if (find_program("sinfo").empty()) return 0;
  std::vector<std::string> argv{"sinfo", "-h", "-o", "%C"};
  if (!partition.empty()) argv.insert(argv.end(), {"-p", partition});
  const Captured c = run_captured(argv, fs::temp_directory_path().string());
  if (c.status != 0) return 0;
  std::istringstream lines(c.out);
  int total = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto slash = line.rfind('/');
    if (slash != std::string::npos) total += std::atoi(line.c_str() + slash + 1);
  }
  return total;
}

class SweepCommand final : public Command {
 public:
  explicit SweepCommand(CLI::App& parent) {
    app_ = parent.add_subcommand("sweep", "Run a study (a scenario over parameter axes) here or on Slurm");
    app_->add_option("--study", study_path_, "Study TOML file (see configs/studies/, slurm/)")->required();
    app_->add_option("--out", out_, "Sweep directory: study.json and one folder per run")->required();
    auto* local = app_->add_flag("--local", local_, "Run here, as many runs at once as the cores allow");
    auto* slurm = app_->add_flag("--slurm", slurm_, "Write one sbatch job-array script and submit it");
    local->excludes(slurm);
    app_->add_flag("--dry-run", dry_run_, "Prepare the runs and write the script or list the commands; run nothing");
    app_->add_option("--cores", cores_, "--local: cores to fill (default: this machine's)")->check(CLI::PositiveNumber);
    app_->add_flag("--oversubscribe", oversubscribe_, "--local: allow runs wider than --cores (each then runs alone)");
    app_->add_option("--mpirun", mpirun_, "--local: launcher for runs of more than one rank")->capture_default_str();
    app_->add_option("--partition", slurm_options_.partition, "--slurm: partition (default: the cluster's default)");
    app_->add_option("--account", slurm_options_.account, "--slurm: account (default: yours)");
    app_->add_option("--time", slurm_options_.time_limit, "--slurm: time limit of one array task")
        ->capture_default_str();
    app_->add_option("--max-parallel", slurm_options_.max_parallel, "--slurm: array tasks running at once (%K)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app_->add_option("--runs-per-task", slurm_options_.runs_per_task, "--slurm: runs packed into one array task")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app_->add_option("--mpi", slurm_options_.mpi, "--slurm: srun --mpi plugin")->capture_default_str();
    app_->add_option("--max-cpus", max_cpus_, "--slurm: CPUs one run may use (default: the partition's, from sinfo)")
        ->check(CLI::PositiveNumber);
    app_->add_flag("--overcommit", slurm_options_.overcommit,
                   "--slurm: allow more ranks than CPUs (srun --overcommit)");
  }

  const CLI::App& app() const override { return *app_; }

  int run(const Communicator& comm) override {
    if (comm.size() > 1)
      throw InputError::at("sweep", "run it without mpirun: it launches each run with its own ranks");
    if (!local_ && !slurm_) throw InputError::at("sweep", "expected --local or --slurm");
    const Study study = load_study(study_path_);
    const std::vector<StudyRun> runs = expand_study(study);
    local_ ? check_local(runs) : check_slurm(runs);
    fs::create_directories(out_);
    const std::string dir = fs::canonical(out_).string();

    if (slurm_) check_no_job_running(dir);
    write_sweep_manifest(dir, study, runs);
    std::vector<const StudyRun*> pending;
    for (const StudyRun& r : runs)
      if (!run_finished(dir, r)) pending.push_back(&r);
    fmt::print("study {}: {} run(s), {} finished before, {} to run; sweep directory {}\n", study.name, runs.size(),
               runs.size() - pending.size(), pending.size(), dir);
    for (const StudyRun* r : pending) prepare_run(dir, *r);
    std::fflush(stdout);
    return local_ ? run_local(dir, pending) : submit(dir, study, pending);
  }

 private:
  std::string marlsim_path() const { return fs::canonical("/proc/self/exe").string(); }

  void check_local(const std::vector<StudyRun>& runs) {
    if (cores_ == 0) cores_ = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (const StudyRun& r : runs) {
      if (r.ranks * r.threads > cores_ && !oversubscribe_)
        throw InputError::at(study_path_, fmt::format("{} ({}) asks for {} rank(s) x {} thread(s), this machine has {} "
                                                      "core(s) (--cores); --oversubscribe runs it anyway, alone",
                                                      r.dir, describe(r), r.ranks, r.threads, cores_));
      if (r.ranks > 1 && find_program(mpirun_).empty())
        throw InputError::at("--mpirun", mpirun_ + ": not found on PATH (needed for " + r.dir + ", " +
                                             std::to_string(r.ranks) + " ranks)");
    }
  }

  void check_slurm(const std::vector<StudyRun>& runs) {
    const int cpus = max_cpus_ > 0 ? max_cpus_ : partition_cpus(slurm_options_.partition);
    if (cpus == 0) return;  // no sinfo here (a --dry-run for another cluster): nothing to check against
    for (const StudyRun& r : runs)
      if (r.ranks * r.threads > cpus && !slurm_options_.overcommit)
        throw InputError::at(study_path_,
                             fmt::format("{} ({}) asks for {} rank(s) x {} thread(s), the partition{} has {} CPU(s) "
                                         "({}); --overcommit runs it anyway",
                                         r.dir, describe(r), r.ranks, r.threads,
                                         slurm_options_.partition.empty() ? "" : " " + slurm_options_.partition, cpus,
                                         max_cpus_ > 0 ? "--max-cpus" : "sinfo"));
  }

  // Resubmitting while the sweep's last job still runs would clean the folders of runs in flight.
  static void check_no_job_running(const std::string& dir) {
    std::ifstream in(fs::path(dir) / "slurm_job_id");
    std::string job;
    if (!(in >> job) || find_program("squeue").empty()) return;
    const Captured c = run_captured({"squeue", "-h", "-j", job}, fs::temp_directory_path().string());
    if (c.status == 0 && c.out.find_first_not_of(" \n") != std::string::npos)
      throw InputError::at(dir, "job " + job + " of this sweep is still queued or running: wait for it (squeue -j " +
                                    job + ") or scancel it, then sweep again to submit what did not finish");
  }

  int run_local(const std::string& dir, const std::vector<const StudyRun*>& pending) {
    LocalSweepOptions options{marlsim_path(), mpirun_, cores_};
    if (dry_run_) {
      for (const StudyRun* r : pending) fmt::print("{}: {}\n", r->dir, shell_quote(local_command(*r, options)));
      return 0;
    }
    std::size_t done = 0, failed = 0;
    int interrupted_by = 0;
    const auto outcomes = run_sweep_locally(
        dir, pending, options,
        [&](const RunOutcome& o) {
          ++done;
          failed += o.status != 0;
          if (o.status == 0)
            fmt::print("[{}/{}] {} ({}): ok in {:.1f} s\n", done, pending.size(), o.run->dir, describe(*o.run),
                       o.wall_s);
          else
            fmt::print("[{}/{}] {} ({}): FAILED with exit status {} (see {}/{}/stderr.txt)\n", done, pending.size(),
                       o.run->dir, describe(*o.run), o.status, dir, o.run->dir);
          std::fflush(stdout);
        },
        interrupted_by);
    if (interrupted_by != 0) {
      fmt::print("interrupted by signal {}: {} run(s) done, the running ones stopped; the same command resumes\n",
                 interrupted_by, outcomes.size());
      return 128 + interrupted_by;
    }
    fmt::print("{} run(s) done, {} failed; gather them with: marlsim collect {}\n", outcomes.size(), failed, dir);
    return failed == 0 ? 0 : 1;
  }

  int submit(const std::string& dir, const Study& study, const std::vector<const StudyRun*>& pending) {
    if (pending.empty()) {
      fmt::print("every run has finished: nothing to submit\n");
      return 0;
    }
    SlurmOptions options = slurm_options_;
    options.marlsim = marlsim_path();
    fs::create_directories(fs::path(dir) / "slurm");
    const std::string script = (fs::path(dir) / "sweep.sbatch").string();
    write_file_atomically(script, slurm_array_script(dir, study, pending, options));
    fmt::print("wrote {} ({} array task(s))\n", script, slurm_array_tasks(pending.size(), options));
    if (dry_run_) return 0;
    if (find_program("sbatch").empty())
      throw InputError::at("sbatch", "not found on PATH: is this a Slurm login node? (the script is written: " +
                                         script + "; --dry-run only writes it)");
    const Captured c = run_captured({"sbatch", "--parsable", script}, dir);
    if (c.status != 0) {
      std::fprintf(stderr, "marlsim: sbatch refused %s (exit status %d): %s\n", script.c_str(), c.status,
                   c.err.empty() ? c.out.c_str() : c.err.c_str());
      return 1;
    }
    const std::string job = c.out.substr(0, c.out.find_first_of(";\n"));
    write_file_atomically((fs::path(dir) / "slurm_job_id").string(), job + "\n");
    fmt::print("submitted job {}\n", job);
    fmt::print("when it has finished: marlsim collect {}\n", dir);
    return 0;
  }

  CLI::App* app_ = nullptr;
  std::string study_path_;
  std::string out_;
  bool local_ = false;
  bool slurm_ = false;
  bool dry_run_ = false;
  int cores_ = 0;
  bool oversubscribe_ = false;
  std::string mpirun_ = "mpirun";
  int max_cpus_ = 0;
  SlurmOptions slurm_options_;
};

}  // namespace

std::unique_ptr<Command> make_sweep_command(CLI::App& parent) { return std::make_unique<SweepCommand>(parent); }

}  // namespace marlsim::cli

// `marlsim collect DIR`: a sweep's runs gathered into one table (HDF5 and CSV). Runs that
// failed or have not finished are rows too, and are listed; the exit status is 1 then.
#include <fmt/format.h>

#include <filesystem>

#include "cli/command.hpp"
#include "engine/study/study_table.hpp"
#include "engine/support/input_error.hpp"

namespace marlsim::cli {
namespace {

namespace fs = std::filesystem;

class CollectCommand final : public Command {
 public:
  explicit CollectCommand(CLI::App& parent) {
    app_ = parent.add_subcommand("collect", "Gather a sweep's results into one HDF5 table and a CSV");
    app_->add_option("dir,--dir", dir_, "Sweep directory (marlsim sweep --out)")->required();
    app_->add_option("--h5", h5_, "HDF5 table (default DIR/table.h5)");
    app_->add_option("--csv", csv_, "CSV table (default DIR/table.csv)");
  }

  const CLI::App& app() const override { return *app_; }

  int run(const Communicator& comm) override {
    if (comm.size() > 1) throw InputError::at("collect", "run it without mpirun");
    const std::string h5 = h5_.empty() ? (fs::path(dir_) / "table.h5").string() : h5_;
    const std::string csv = csv_.empty() ? (fs::path(dir_) / "table.csv").string() : csv_;
    const CollectedSweep c = collect_sweep(dir_, h5, csv);
    fmt::print("{} run(s), {} row(s) (one per run and policy): {}, {}\n", c.runs, c.rows, h5, csv);
    for (const RunProblem& p : c.problems) {
      if (p.status == "missing")
        fmt::print("  {}: missing (no exit status: not run yet, still running, or killed)\n", p.dir);
      else
        fmt::print("  {}: {} (exit status {}){}\n", p.dir, p.status, p.exit_status,
                   p.detail.empty() ? "" : ": " + p.detail);
    }
    if (!c.problems.empty())
      fmt::print("{} of {} run(s) have no results (their rows say why)\n", c.problems.size(), c.runs);
    return c.problems.empty() ? 0 : 1;
  }

 private:
  CLI::App* app_ = nullptr;
  std::string dir_;
  std::string h5_;
  std::string csv_;
};

}  // namespace

std::unique_ptr<Command> make_collect_command(CLI::App& parent) { return std::make_unique<CollectCommand>(parent); }

}  // namespace marlsim::cli

// `marlsim phold`: the kernel's standing benchmark (see engine/phold/phold.hpp).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/output_set.hpp"
#include "engine/phold/phold.hpp"
#include "engine/support/input_error.hpp"

namespace marlsim::cli {
namespace {

class PholdCommand final : public Command {
 public:
  explicit PholdCommand(CLI::App& parent) {
    app_ = parent.add_subcommand("phold", "Run the PHOLD benchmark model on the PDES kernel");
    app_->add_option("--lps", lps_, "Total logical processes over all ranks (default 1024)")
        ->check(CLI::PositiveNumber);
    app_->add_option("--lps-per-rank", lps_per_rank_, "Logical processes per rank (instead of --lps)")
        ->check(CLI::PositiveNumber);
    app_->add_option("--population", config_.population, "Initial events per LP")->check(CLI::PositiveNumber);
    app_->add_option("--remote", config_.remote_fraction, "Fraction of events sent to a random LP")
        ->check(CLI::Range(0.0, 1.0));
    app_->add_option("--mean", config_.mean_delay_s, "Mean event delay in simulated seconds")
        ->check(CLI::PositiveNumber);
    app_->add_option("--lookahead", config_.lookahead_s, "Minimum delay (lookahead) in simulated seconds")
        ->check(CLI::PositiveNumber);
    app_->add_option("--end", config_.end_time_s, "End time in simulated seconds")->check(CLI::PositiveNumber);
    app_->add_option("--seed", config_.seed, "Random seed")->check(seed_validator());
    app_->add_option("--partition", partition_, "LP to rank mapping: block or round-robin")
        ->check(CLI::IsMember({"block", "round-robin"}));
    app_->add_option("--summary-json", summary_json_, "Also write the figures as JSON to FILE");
    app_->get_option("--lps")->excludes(app_->get_option("--lps-per-rank"));
  }

  const CLI::App& app() const override { return *app_; }

  int run(const Communicator& comm) override {
    config_.partition = parse_partition_kind(partition_);
    config_.lps = lps_per_rank_ > 0 ? lps_per_rank_ * static_cast<std::uint64_t>(comm.size()) : lps_;
    OutputSet outputs(comm);  // checked and created now, published only when written
    outputs.add("--summary-json", summary_json_);
    const PholdResult result = run_phold(comm, config_);
    if (comm.is_root() && !summary_json_.empty())
      outputs.write_text("--summary-json", summary(result, comm.size()).dump(2) + "\n");
    outputs.publish();
    if (!comm.is_root()) return 0;

    const RunStats& s = result.stats;
    const double remote_pct = s.events ? 100.0 * static_cast<double>(s.remote_events) / static_cast<double>(s.events)
                                       : 0.0;
    const std::string checksum = fmt::format("{:016x}", result.checksum);
    fmt::print(
        "phold: {} LPs on {} rank(s) ({}), remote fraction {}, mean delay {} s, lookahead {} s, end {} s, seed {}\n",
        config_.lps, comm.size(), partition_, config_.remote_fraction, config_.mean_delay_s, config_.lookahead_s,
        config_.end_time_s, config_.seed);
    fmt::print("events: {} committed, {} remote ({:.1f} % crossed ranks), {} windows ({:.1f} events per window)\n",
               s.events, s.remote_events, remote_pct, s.windows, s.mean_events_per_window());
    fmt::print("time: {:.3f} s wall (slowest rank: compute {:.3f} s, exchange {:.3f} s, reduce {:.3f} s)\n", s.wall_s,
               s.compute_s, s.exchange_s, s.reduce_s);
    fmt::print("events/s: {:.4g}\n", s.events_per_second());
    fmt::print("checksum: {}\n", checksum);
    return 0;
  }

 private:
  nlohmann::json summary(const PholdResult& result, int ranks) const {
    const RunStats& s = result.stats;
    const std::string checksum = fmt::format("{:016x}", result.checksum);
    return {{"command", "phold"},
            {"lps", config_.lps},
            {"ranks", ranks},
            {"partition", partition_},
            {"remote_fraction", config_.remote_fraction},
            {"mean_delay_s", config_.mean_delay_s},
            {"lookahead_s", config_.lookahead_s},
            {"end_time_s", config_.end_time_s},
            {"seed", config_.seed},
            {"events", s.events},
            {"remote_events", s.remote_events},
            {"remote_messages", s.remote_messages},
            {"windows", s.windows},
            {"mean_events_per_window", s.mean_events_per_window()},
            {"wall_s", s.wall_s},
            {"compute_s", s.compute_s},
            {"exchange_s", s.exchange_s},
            {"reduce_s", s.reduce_s},
            {"events_per_second", s.events_per_second()},
            {"checksum", checksum},
            {"version", MARLSIM_VERSION}};
  }

  CLI::App* app_ = nullptr;
  PholdConfig config_;
  std::uint64_t lps_ = 1024;
  std::uint64_t lps_per_rank_ = 0;
  std::string partition_ = "block";
  std::string summary_json_;
};

}  // namespace

std::unique_ptr<Command> make_phold_command(CLI::App& parent) { return std::make_unique<PholdCommand>(parent); }

}  // namespace marlsim::cli

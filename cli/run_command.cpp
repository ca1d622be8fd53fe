// `marlsim run`: every policy of a scenario over the same episodes; a summary table (mean
// and 95 % confidence interval over episodes), the HDF5 results file and a JSON summary.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/command.hpp"
#include "cli/output_set.hpp"
#include "engine/cluster/comparison.hpp"
#include "engine/cluster/metric_fields.hpp"
#include "engine/input_error.hpp"
#include "engine/statistics.hpp"
#include "mpi/results_file.hpp"

namespace marlsim::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<double> column(const PolicyEpisodes& p, const MetricField& f) {
  std::vector<double> v;
  for (const EpisodeMetrics& m : p.episodes) v.push_back(f.get(m));
  return v;
}

const MetricField& field(std::string_view name) {
  for (const MetricField& f : episode_metric_fields())
    if (f.name == name) return f;
  throw std::logic_error("no metric " + std::string(name));
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ",") + i;
  return s;
}

class RunCommand final : public Command {
 public:
  explicit RunCommand(CLI::App& parent) {
    app_ = parent.add_subcommand("run", "Compare scheduling policies on a scenario over several episodes");
    app_->add_option("scenario,--scenario", scenario_path_, "Scenario TOML file (see configs/)")->required();
    app_->add_option("--policy", policies_, "Policy, or a comma-separated list to compare on identical task streams")
        ->delimiter(',');
    app_->add_option("--episodes", episodes_, "Episodes per policy (overrides run.episodes)")->check(CLI::PositiveNumber);
    app_->add_option("--seed", seed_, "Random seed (overrides run.seed)")->check(seed_validator());
    app_->add_option("--out", out_, "HDF5 results file (overrides output.results)");
    app_->add_option("--summary-json", summary_json_, "Write per-policy means and 95 % CIs as JSON");
    app_->add_option("--set", overrides_, "Override a scenario field: KEY=VALUE (repeatable)");
    app_->add_flag("--quiet", quiet_, "No progress lines");
  }

  const CLI::App& app() const override { return *app_; }

  int run(const Communicator& comm) override {
    std::vector<std::string> overrides = overrides_;
    if (!policies_.empty()) {
      std::string list;
      for (const auto& p : policies_) list += (list.empty() ? "\"" : ", \"") + p + "\"";
      overrides.push_back("scheduler.policy=[" + list + "]");
    }
    if (episodes_ > 0) overrides.push_back("run.episodes=" + std::to_string(episodes_));
    if (app_->count("--seed") > 0) overrides.push_back("run.seed=" + std::to_string(seed_));
    Scenario scenario = load_scenario(scenario_path_, overrides);
    const std::string out = out_.empty() ? scenario.output.results : out_;
    OutputSet outputs(comm);  // checked and created now, published only when everything is written
    outputs.add_input(scenario.path);
    if (scenario.workload.kind != "synthetic") {
      outputs.add_input(scenario.workload.trace.path);
      outputs.add_input(scenario.workload.trace.second_path);
    }
    const std::string out_partial = outputs.add(out_.empty() ? "output.results" : "--out", out);
    outputs.add("--summary-json", summary_json_);

    const bool root = comm.is_root();
    if (root)
      fmt::print("scenario {} ({}): {} topology, queue {}, policies {}, {} episode(s), seed {}, {} rank(s)\n",
                 scenario.name, scenario.path, topology_name(scenario.scheduler.topology), scenario.scheduler.queue,
                 join(scenario.scheduler.policies), scenario.run.episodes, scenario.run.seed, comm.size());
    std::fflush(stdout);

    const auto t0 = Clock::now();
    auto last_print = t0;
    const std::size_t total = scenario.scheduler.policies.size() * scenario.run.episodes;
    std::size_t finished = 0;
    ProgressFn progress = [&](std::size_t p, std::uint64_t e, const EpisodeMetrics& m) {
      ++finished;
      const auto now = Clock::now();
      const double elapsed = std::chrono::duration<double>(now - t0).count();
      if (!root || quiet_ || elapsed < 2.0 || std::chrono::duration<double>(now - last_print).count() < 1.0) return;
      last_print = now;
      std::fprintf(stderr, "  [%5.1f s] %zu/%zu episodes done (%s, episode %llu: mean completion %.1f s)\n", elapsed,
                   finished, total, scenario.scheduler.policies[p].c_str(), static_cast<unsigned long long>(e + 1),
                   m.mean_completion_s);
    };

    std::unique_ptr<ResultsFile> results;
    if (!out.empty()) results = std::make_unique<ResultsFile>(out_partial, comm, ResultsFileSettings{.in_place = true});
    const ComparisonResult result = run_comparison(comm, scenario, results.get(), progress);
    if (results) results->close();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!summary_json_.empty() && root)
      outputs.write_text("--summary-json", summary_json(scenario, result, comm.size(), wall).dump(2) + "\n");
    outputs.publish();
    if (!root) return 0;

    print_table(scenario, result, wall);
    if (!out.empty()) fmt::print("results: {}\n", out);
    if (!summary_json_.empty()) fmt::print("summary: {}\n", summary_json_);
    return 0;
  }

 private:
  static void print_table(const Scenario& scenario, const ComparisonResult& r, double wall) {
    fmt::print("{} nodes, {} tasks in episode 1", r.nodes, r.tasks_first_episode);
    if (r.offered_utilization > 0) fmt::print(", offered load {:.1f} % of capacity", 100 * r.offered_utilization);
    fmt::print("\n");
    for (const auto& note : r.notes) fmt::print("{}\n", note);
    const std::vector<std::string_view> shown{"mean_completion_s", "p95_completion_s", "sla_pct",
                                              "energy_kwh",        "utilization_pct",  "makespan_s",
                                              "reschedules",       "decision_latency_wall_us"};
    const std::vector<std::string_view> heads{"completion s", "p95 s",   "SLA %",       "energy kWh",
                                              "util %",       "makespan s", "reschedules", "decide us"};
    fmt::print("\nmean ± 95 % CI over {} episode(s)\n{:<16}", scenario.run.episodes, "policy");
    for (auto h : heads) fmt::print(" {:>18}", h);
    fmt::print(" {:>12}\n", "wall s/ep");
    for (const PolicyEpisodes& p : r.policies) {
      fmt::print("{:<16}", p.policy);
      for (auto name : shown) {
        const auto v = column(p, field(name));
        fmt::print(" {:>18}", fmt::format("{:.4g} ± {:.2g}", mean_of(v), ci95_half_width(v)));
      }
      fmt::print(" {:>12.4f}\n", mean_of(column(p, field("wall_s"))));
      std::uint64_t unsched = 0, incomplete = 0;
      for (const auto& m : p.episodes) {
        unsched += m.unschedulable + m.blocked;
        incomplete += m.incomplete;
      }
      if (unsched > 0) fmt::print("{:<16} {} task(s) fit no node (or wait on one): listed in the results file\n", "", unsched);
      if (incomplete > 0)
        fmt::print("{:<16} {} task(s) unfinished when episodes reached their time limit (run.max_time_s, or by "
                   "default last arrival + 3 x the stream's serial run time + repairs + 1 h)\n", "", incomplete);
    }
    fmt::print("\nwall time {:.2f} s\n", wall);
  }

  static nlohmann::json summary_json(const Scenario& scenario, const ComparisonResult& r, int ranks, double wall) {
    nlohmann::json policies = nlohmann::json::array();
    for (const PolicyEpisodes& p : r.policies) {
      nlohmann::json j = {{"policy", p.policy}, {"episodes", p.episodes.size()}};
      for (const MetricField& f : episode_metric_fields()) {
        const auto v = column(p, f);
        j[std::string(f.name)] = mean_of(v);
        j[std::string(f.name) + "_ci95"] = ci95_half_width(v);
      }
      j["wall_s_per_episode"] = mean_of(column(p, field("wall_s")));
      policies.push_back(j);
    }
    nlohmann::json units;
    for (const MetricField& f : episode_metric_fields()) units[std::string(f.name)] = f.unit;
    return {{"command", "run"},
            {"scenario", scenario.name},
            {"scenario_file", scenario.path},
            {"seed", scenario.run.seed},
            {"episodes", scenario.run.episodes},
            {"topology", topology_name(scenario.scheduler.topology)},
            {"nodes", r.nodes},
            {"offered_utilization", r.offered_utilization},
            {"ranks", ranks},
            {"wall_s", wall},
            {"units", units},
            {"version", MARLSIM_VERSION},
            {"policies", policies}};
  }

  CLI::App* app_ = nullptr;
  std::string scenario_path_;
  std::vector<std::string> policies_;
  std::uint32_t episodes_ = 0;
  std::uint64_t seed_ = 1;
  std::string out_;
  std::string summary_json_;
  std::vector<std::string> overrides_;
  bool quiet_ = false;
};

}  // namespace

std::unique_ptr<Command> make_run_command(CLI::App& parent) { return std::make_unique<RunCommand>(parent); }

}  // namespace marlsim::cli

// `marlsim run`: every policy of a scenario over the same episodes; a summary table (mean
// and 95 % confidence interval over episodes, and with --baseline each policy's paired
// difference from a reference policy), the HDF5 results file and a JSON summary.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/command.hpp"
#include "cli/output_set.hpp"
#include "engine/cluster/metric_fields.hpp"
#include "engine/experiment/comparison.hpp"
#include "engine/experiment/rank_groups.hpp"
#include "engine/support/input_error.hpp"
#include "engine/support/statistics.hpp"
#include "mpi/hdf5/results_file.hpp"

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

// The main metrics: the summary table's columns, in two blocks, and the ones compared
// against --baseline.
struct Column {
  std::string_view metric, heading;
};
const std::vector<Column> kTaskColumns{
    {"mean_completion_s", "completion s"},    {"p95_completion_s", "p95 s"}, {"mean_wait_s", "wait s"},
    {"wait_drift_s", "wait drift s"},         {"sla_pct", "SLA %"},          {"reschedules", "reschedules"},
    {"decision_latency_wall_us", "decide us"}};
const std::vector<Column> kClusterColumns{{"arrival_window_utilization_pct", "util % window"},
                                          {"arrival_window_speed_weighted_utilization_pct", "speed util % window"},
                                          {"utilization_pct", "util % makespan"},
                                          {"speed_weighted_utilization_pct", "speed util % makesp."},
                                          {"energy_kwh", "energy kWh"},
                                          {"makespan_s", "makespan s"}};
// Coordination: what the decisions cost in messages and how stale what they saw was.
const std::vector<Column> kCoordinationColumns{{"messages_per_agent", "messages/agent"},
                                               {"bytes_per_agent", "bytes/agent"},
                                               {"mean_staleness_s", "staleness s"},
                                               {"p95_staleness_s", "p95 staleness s"},
                                               {"unreported_candidates_pct", "unreported cand. %"},
                                               {"reports_lost", "reports lost"}};

MeanCi mean_ci(const PolicyEpisodes& p, const MetricField& f) {
  const auto v = column(p, f);
  return {mean_of(v), ci95_half_width(v)};
}

// Policy minus baseline, episode by episode (both saw the same tasks).
MeanCi difference(const PolicyEpisodes& p, const PolicyEpisodes& baseline, const MetricField& f) {
  return paired_difference(column(p, f), column(baseline, f));
}

// "mean ± ci"; an undefined value (one episode's interval, an empty window) is "n/a".
std::string cell(MeanCi v) {
  if (!std::isfinite(v.mean)) return "n/a";
  return fmt::format("{:.4g} ± {}", v.mean, std::isfinite(v.ci95) ? fmt::format("{:.2g}", v.ci95) : "n/a");
}

// JSON has no NaN: an undefined value is null.
nlohmann::json number(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

const PolicyEpisodes* find_policy(const ComparisonResult& r, const std::string& name) {
  for (const PolicyEpisodes& p : r.policies)
    if (p.policy == name) return &p;
  return nullptr;
}

// --rank-groups: 0 (automatic) or a number of groups; "-1" is refused here, not wrapped.
const CLI::Validator& rank_groups_validator() {
  static const CLI::Validator validator(
      [](std::string& text) -> std::string {
        const std::string expected =
            "expected 0 (automatic) or a number of rank groups from 1 to the rank count, got " + text;
        if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
          return expected;
        return "";
      },
      "GROUPS");
  return validator;
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
    app_->add_option("--episodes", episodes_, "Episodes per policy (overrides run.episodes)")
        ->check(CLI::PositiveNumber);
    app_->add_option("--seed", seed_, "Random seed (overrides run.seed)")->check(seed_validator());
    app_->add_option("--out", out_, "HDF5 results file (overrides output.results)");
    app_->add_option("--rank-groups", rank_groups_,
                     "Groups of ranks that run whole episodes side by side, each on its own share of the ranks "
                     "(overrides run.rank_groups; 0: automatic, one group per rank)")
        ->check(rank_groups_validator());
    app_->add_option("--batch-episodes", batch_episodes_,
                     "Episodes of a policy run side by side in one kernel, their decisions sharing the policy's "
                     "batches (overrides run.batch_episodes; 1 to 64)")
        ->check(CLI::Range(1, 64));
    app_->add_option("--summary-json", summary_json_, "Write per-policy means and 95 % CIs as JSON");
    app_->add_option("--baseline", baseline_,
                     "Reference policy: also report every other policy's paired per-episode difference from it "
                     "(mean and 95 % CI)");
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
    if (app_->count("--rank-groups") > 0) {
      if (rank_groups_ > static_cast<std::uint32_t>(comm.size()))
        throw InputError::at("--rank-groups", fmt::format("{} groups need at least {} ranks; the run has {}",
                                                          rank_groups_, rank_groups_, comm.size()));
      overrides.push_back("run.rank_groups=" + std::to_string(rank_groups_));
    }
    if (app_->count("--batch-episodes") > 0)
      overrides.push_back("run.batch_episodes=" + std::to_string(batch_episodes_));
    Scenario scenario = load_scenario(scenario_path_, overrides);
    const int groups = rank_group_count(scenario, comm.size());
    const std::string out = out_.empty() ? scenario.output.results : out_;
    const auto& policies = scenario.scheduler.policies;
    if (!baseline_.empty() && std::find(policies.begin(), policies.end(), baseline_) == policies.end())
      throw InputError::at("--baseline",
                           "expected one of the run's policies (" + join(policies) + "); got \"" + baseline_ + "\"");
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
      fmt::print(
          "scenario {} ({}): {} topology, queue {}, policies {}, {} episode(s), seed {}, {} rank(s) in {} group(s)\n",
          scenario.name, scenario.path, topology_name(scenario.scheduler.topology), scenario.scheduler.queue,
          join(scenario.scheduler.policies), scenario.run.episodes, scenario.run.seed, comm.size(), groups);
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
      outputs.write_text("--summary-json",
                         summary_json(scenario, result, baseline_, comm.size(), groups, wall).dump(2) + "\n");
    outputs.publish();
    if (!root) return 0;

    print_table(scenario, result, baseline_, wall);
    if (!out.empty()) fmt::print("results: {}\n", out);
    if (!summary_json_.empty()) fmt::print("summary: {}\n", summary_json_);
    return 0;
  }

 private:
  // One block of columns: a row per policy, each cell from `value(policy, metric)`.
  template <class Value>
  static void print_block(const std::vector<const PolicyEpisodes*>& rows, const std::vector<Column>& columns,
                          Value value, bool wall_column) {
    auto width = [](const Column& c) { return std::max<std::size_t>(18, c.heading.size()); };
    fmt::print("{:<16}", "policy");
    for (const Column& c : columns) fmt::print(" {:>{}}", c.heading, width(c));
    if (wall_column) fmt::print(" {:>12}", "wall s/ep");
    fmt::print("\n");
    for (const PolicyEpisodes* p : rows) {
      fmt::print("{:<16}", p->policy);
      for (const Column& c : columns) fmt::print(" {:>{}}", cell(value(*p, field(c.metric))), width(c));
      if (wall_column) fmt::print(" {:>12.4f}", mean_of(column(*p, field("wall_s"))));
      fmt::print("\n");
    }
  }

  static void print_table(const Scenario& scenario, const ComparisonResult& r, const std::string& baseline,
                          double wall) {
    fmt::print("{} nodes, {} tasks in episode 1", r.nodes, r.tasks_first_episode);
    if (r.offered_utilization > 0)
      fmt::print(", offered load CPU {:.1f} %, memory {:.1f} % of capacity", 100 * r.offered_utilization,
                 100 * r.offered_memory_utilization);
    fmt::print("\n");
    for (const auto& note : r.notes) fmt::print("{}\n", note);
    if (scenario.run.warmup_s > 0)
      fmt::print(
          "warm-up {:g} s: task metrics count only tasks arriving after it; the window utilizations run "
          "from its end to the last arrival\n",
          scenario.run.warmup_s);
    else
      fmt::print(
          "no warm-up: task metrics count every task; the window utilizations run from 0 to the last "
          "arrival\n");

    std::vector<const PolicyEpisodes*> all;
    for (const PolicyEpisodes& p : r.policies) all.push_back(&p);
    fmt::print("\nmean ± 95 % CI over {} episode(s) (n/a: undefined, e.g. the interval of one episode)\n",
               scenario.run.episodes);
    print_block(all, kTaskColumns, mean_ci, false);
    fmt::print("\n");
    print_block(all, kClusterColumns, mean_ci, true);
    fmt::print("\n");
    print_block(all, kCoordinationColumns, mean_ci, false);
    for (const PolicyEpisodes& p : r.policies) {
      std::uint64_t unsched = 0, incomplete = 0;
      for (const auto& m : p.episodes) {
        unsched += m.unschedulable + m.blocked;
        incomplete += m.incomplete;
      }
      if (unsched > 0)
        fmt::print("{}: {} task(s) fit no node (or wait on one): listed in the results file\n", p.policy, unsched);
      if (incomplete > 0)
        fmt::print(
            "{}: {} task(s) unfinished when episodes reached their time limit (run.max_time_s, or by "
            "default last arrival + 3 x the stream's serial run time + repairs + 1 h)\n",
            p.policy, incomplete);
    }

    if (!baseline.empty()) {
      const PolicyEpisodes& base = *find_policy(r, baseline);
      std::vector<const PolicyEpisodes*> others;
      for (const PolicyEpisodes& p : r.policies)
        if (p.policy != baseline) others.push_back(&p);
      const auto diff = [&](const PolicyEpisodes& p, const MetricField& f) { return difference(p, base, f); };
      fmt::print(
          "\npaired difference from {0}: policy minus {0} per episode (same tasks), mean ± 95 % CI "
          "(Student's t on the {1} differences)\n",
          baseline, scenario.run.episodes);
      print_block(others, kTaskColumns, diff, false);
      fmt::print("\n");
      print_block(others, kClusterColumns, diff, false);
    }
    fmt::print("\nwall time {:.2f} s\n", wall);
  }

  static nlohmann::json summary_json(const Scenario& scenario, const ComparisonResult& r, const std::string& baseline,
                                     int ranks, int groups, double wall) {
    const PolicyEpisodes* base = baseline.empty() ? nullptr : find_policy(r, baseline);
    nlohmann::json policies = nlohmann::json::array();
    for (const PolicyEpisodes& p : r.policies) {
      nlohmann::json j = {{"policy", p.policy}, {"episodes", p.episodes.size()}};
      for (const MetricField& f : episode_metric_fields()) {
        const MeanCi v = mean_ci(p, f);
        j[std::string(f.name)] = number(v.mean);
        j[std::string(f.name) + "_ci95"] = number(v.ci95);
      }
      j["wall_s_per_episode"] = mean_of(column(p, field("wall_s")));
      if (base != nullptr && &p != base) {
        nlohmann::json d;
        for (const auto* columns : {&kTaskColumns, &kClusterColumns})
          for (const Column& c : *columns) {
            const MeanCi v = difference(p, *base, field(c.metric));
            d[std::string(c.metric)] = number(v.mean);
            d[std::string(c.metric) + "_ci95"] = number(v.ci95);
          }
        j["difference_from_baseline"] = d;
      }
      policies.push_back(j);
    }
    nlohmann::json units, descriptions;
    for (const MetricField& f : episode_metric_fields()) {
      units[std::string(f.name)] = f.unit;
      descriptions[std::string(f.name)] = f.description;
    }
    return {{"command", "run"},
            {"scenario", scenario.name},
            {"scenario_file", scenario.path},
            {"seed", scenario.run.seed},
            {"episodes", scenario.run.episodes},
            {"warmup_s", scenario.run.warmup_s},
            {"topology", topology_name(scenario.scheduler.topology)},
            {"queue", scenario.scheduler.queue},
            {"nodes", r.nodes},
            {"offered_utilization", r.offered_utilization},
            {"offered_memory_utilization", r.offered_memory_utilization},
            {"ranks", ranks},
            {"rank_groups", groups},
            {"wall_s", wall},
            {"baseline", baseline.empty() ? nlohmann::json(nullptr) : nlohmann::json(baseline)},
            {"units", units},
            {"descriptions", descriptions},
            {"version", MARLSIM_VERSION},
            {"policies", policies}};
  }

  CLI::App* app_ = nullptr;
  std::string scenario_path_;
  std::vector<std::string> policies_;
  std::uint32_t episodes_ = 0;
  std::uint32_t rank_groups_ = 0;
  std::uint32_t batch_episodes_ = 1;
  std::uint64_t seed_ = 1;
  std::string out_;
  std::string summary_json_;
  std::string baseline_;
  std::vector<std::string> overrides_;
  bool quiet_ = false;
};

}  // namespace

std::unique_ptr<Command> make_run_command(CLI::App& parent) { return std::make_unique<RunCommand>(parent); }

}  // namespace marlsim::cli

// `marlsim list`: everything a scenario can name (policies, queues, topologies, sharing
// modes, workload kinds), the learned policy's observation layout, and the example
// scenarios, each with one line of description.
#include <fmt/format.h>

#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agents/nn/observation_layout.hpp"
#include "agents/policy_registry.hpp"
#include "agents/queue_discipline.hpp"
#include "cli/command.hpp"
#include "engine/experiment/scenario.hpp"
#include "workloads/trace_reader.hpp"

namespace marlsim::cli {
namespace {

namespace fs = std::filesystem;

using Rows = std::vector<std::pair<std::string, std::string>>;

void print_section(const std::string& title, const Rows& rows) {
  std::size_t width = 0;
  for (const auto& [name, text] : rows) width = std::max(width, name.size());
  fmt::print("{}\n", title);
  for (const auto& [name, text] : rows) fmt::print("  {:<{}}  {}\n", name, width, text);
  fmt::print("\n");
}

// Where the example scenarios are: $MARLSIM_CONFIG_DIR, else the source tree's configs/ as
// seen from build/bin/marlsim, else ./configs. Empty if none exists.
fs::path find_config_dir() {
  std::error_code ec;
  if (const char* env = std::getenv("MARLSIM_CONFIG_DIR"); env != nullptr && *env != '\0') {
    if (fs::is_directory(env, ec)) return fs::path(env);
    fmt::print(stderr, "marlsim: warning: MARLSIM_CONFIG_DIR={} is not a directory; looking elsewhere\n", env);
  }
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path beside = (exe.parent_path() / ".." / ".." / "configs").lexically_normal();
    if (fs::is_directory(beside, ec)) return beside;
  }
  if (fs::is_directory("configs", ec)) return "configs";
  return {};
}

// The `description` of a scenario file, read without checking the rest (a trace scenario
// must be listed even where its trace is absent).
std::string scenario_description(const fs::path& file) {
  try {
    const toml::table t = toml::parse_file(file.string());
    return t["description"].value_or(std::string("(no description)"));
  } catch (const toml::parse_error& e) {
    return fmt::format("(invalid TOML at line {}: {})", e.source().begin.line, e.description());
  }
}

class ListCommand final : public Command {
 public:
  explicit ListCommand(CLI::App& parent) {
    app_ = parent.add_subcommand("list",
                                 "List policies, queue disciplines, topologies, sharing modes, trace "
                                 "formats and example scenarios");
  }

  const CLI::App& app() const override { return *app_; }

  int run(const Communicator& comm) override {
    if (!comm.is_root()) return 0;

    Rows policies;
    for (const auto& p : scheduling_policies()) policies.emplace_back(p.name, p.description);
    print_section("Scheduling policies (scheduler.policy: one name or a list, each run in turn):", policies);

    // The learned policies' inputs, in network order, with unit and normalisation (as every
    // checkpoint stores them).
    for (const nn::ObservationLayout* layout :
         {&nn::decentralized_ac_observation_layout(), &nn::hrac_observation_layout()}) {
      Rows features;
      for (const auto* section : {&layout->own, &layout->candidate})
        for (std::size_t i = 0; i < section->size(); ++i) {
          const nn::ObservationFeature& f = (*section)[i];
          features.emplace_back(fmt::format("{} {}", section == &layout->own ? "own" : "candidate", i),
                                fmt::format("{} [{}] {}", f.name, f.unit, f.normalisation));
        }
      print_section(fmt::format("Observation layout of {} (own: once per decision; candidate: one row per "
                                "candidate; [agents] sets the network{}):",
                                layout->policy, layout->policy == "hrac" ? "; the same inputs for every role" : ""),
                    features);
    }
    print_section(
        "Roles of hrac (agents.roles; one network and one attention query/key per role, each fed the hrac "
        "layout above):",
        {{"tier",
          "one role per cluster tier, named as in [cluster.tiers] (a node decides in its tier's "
          "role), then \"scheduler\" where a central scheduler decides (the default)"},
         {"single", "one role, \"agent\", for every decider"}});

    Rows queues;
    for (const auto& q : queue_disciplines()) queues.emplace_back(q.name, q.description);
    print_section("Queue disciplines (scheduler.queue: the order a node starts its waiting tasks):", queues);

    print_section("Topologies (scheduler.topology):",
                  {{std::string(topology_name(Topology::Centralized)),
                    "one global scheduler places every task; nodes report every change (one latency old)"},
                   {std::string(topology_name(Topology::TwoLevel)),
                    "Ray-style: a node places its own submissions locally and spills to the global scheduler "
                    "when its queue reaches spill_queue_length"},
                   {std::string(topology_name(Topology::Decentralized)),
                    "one agent per node picks among itself, its ring neighbours and sampled nodes, from what "
                    "it has heard of them (see sharing)"}});

    print_section("Sharing modes (scheduler.sharing: what decentralized agents know of other nodes):",
                  {{std::string(sharing_name(Sharing::None)), "no communication: an agent knows only its own node"},
                   {std::string(sharing_name(Sharing::Limited)),
                    "load reports from `neighbours` ring neighbours every report_period_s (stale in between)"},
                   {std::string(sharing_name(Sharing::Global)),
                    "every node reports to every node each report_period_s (N^2 messages: small clusters)"}});

    print_section("Report modes (scheduler.report: when a decentralized node sends its load report):",
                  {{std::string(report_mode_name(ReportMode::Periodic)), "every report_period_s (the default)"},
                   {std::string(report_mode_name(ReportMode::OnChange)),
                    "when its load changes discretely, at most once per report_period_s; receivers "
                    "extrapolate its running work to decision time"}});

    Rows kinds{{"synthetic",
                "the seed study's generator: Poisson arrivals, Pareto run times, log-normal "
                "cores and memory (load by rate or target utilization)"}};
    for (const auto name : trace_format_names())
      kinds.emplace_back(std::string(name), std::string(find_trace_reader(name).description()));
    print_section("Workload kinds and trace formats (workload.kind):", kinds);

    const fs::path dir = find_config_dir();
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(dir, ec)) {
      fmt::print(
          "Example scenarios: none found (looked in $MARLSIM_CONFIG_DIR, <marlsim>/../../configs and "
          "./configs)\n");
      return 0;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.path().extension() == ".toml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    Rows scenarios;
    for (const auto& f : files) scenarios.emplace_back(f.filename().string(), scenario_description(f));
    if (scenarios.empty()) scenarios.emplace_back("(none)", "no .toml files in this folder");
    print_section(
        fmt::format("Example scenarios ({}; run with: marlsim run FILE [--set KEY=VALUE ...]):", dir.string()),
        scenarios);
    return 0;
  }

 private:
  CLI::App* app_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_list_command(CLI::App& parent) { return std::make_unique<ListCommand>(parent); }

}  // namespace marlsim::cli

// Scenario files: the examples in configs/ parse, defaults, --set overrides, and every
// bad-input path names the file, the key and what was expected.
#include <toml++/toml.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/experiment/scenario.hpp"
#include "engine/support/input_error.hpp"
#include "workload_test_support.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using marlsim::InputError;
using marlsim::Scenario;

namespace {

namespace fs = std::filesystem;

const std::string kConfigs = std::string(MARLSIM_SOURCE_DIR) + "/configs";

Scenario parse(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return marlsim::parse_scenario(text, "dir/test.toml", overrides);
}

// The message of the InputError that parsing `text` throws ("" if none).
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse(text, overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// The same for a scenario file.
std::string error_of_file(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    marlsim::load_scenario(path, overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// The trace folder a trace scenario names, relative to ../shared/traces/.
bool trace_present(const Scenario& s) { return fs::exists(s.workload.trace.path); }

}  // namespace

TEST_CASE("every example scenario in configs/ parses", "[scenario]") {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kConfigs))
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  REQUIRE(files.size() >= 8);
  for (const auto& file : files) {
    INFO(file.string());
    const std::string text = [&] {
      std::ifstream in(file);
      return std::string(std::istreambuf_iterator<char>(in), {});
    }();
    // A trace scenario whose trace is absent must fail with the clear message, not otherwise.
    const auto table = toml::parse(text, file.string());
    const std::string kind = table["workload"]["kind"].value_or(std::string("synthetic"));
    const std::string trace_path = table["workload"]["trace"]["path"].value_or(std::string());
    if (kind != "synthetic" && !fs::exists(file.parent_path() / trace_path)) {
      REQUIRE_THROWS_WITH(marlsim::load_scenario(file.string()),
                          Contains("does not exist") && Contains("../shared/traces/") && Contains("PROVENANCE.txt"));
      continue;
    }
    const Scenario s = marlsim::load_scenario(file.string());
    CHECK(s.name == file.stem().string());
    CHECK(!s.description.empty());
    CHECK(s.path == file.string());
    if (kind != "synthetic") CHECK(trace_present(s));
  }
}

TEST_CASE("seed-study.toml is the published study", "[scenario]") {
  const Scenario s = marlsim::load_scenario(kConfigs + "/seed-study.toml");
  CHECK(s.cluster.source == "seed-study");
  CHECK(s.cluster.generated.nodes == 100);
  REQUIRE(s.cluster.generated.tiers.size() == 3);
  const auto& high = s.cluster.generated.tiers[0];
  CHECK(high.name == "high");
  CHECK(high.fraction == 0.20);
  CHECK(high.cores.lo == 24);
  CHECK(high.cores.hi == 32);
  CHECK(high.dynamic_power_w.hi == 300);
  const auto& low = s.cluster.generated.tiers[2];
  CHECK(low.name == "low");
  CHECK(low.memory_gb.lo == 8);
  CHECK(low.memory_gb.hi == 32);
  CHECK(s.workload.kind == "synthetic");
  CHECK(s.workload.synthetic.tasks == 1000);
  CHECK(s.workload.synthetic.arrival_rate_per_s == 0.5);
  CHECK(s.workload.synthetic.target_utilization == 0.0);
  CHECK(s.workload.synthetic.priority_mix[2] == 0.15);
  CHECK(s.run.episodes == 30);
  CHECK(s.run.seed == 1);
  CHECK(s.scheduler.topology == marlsim::Topology::Centralized);
  CHECK(s.scheduler.policies ==
        std::vector<std::string>{"random", "weighted-rr", "priority-minmin", "least-loaded", "best-fit"});
  CHECK(s.scheduler.queue == "fcfs");
  CHECK(s.cluster.network_latency_s == 0.001);
  CHECK(s.scheduler.decision_latency_s == 0.001);
  CHECK(s.scheduler.batch_interval_s == 0.0);
}

TEST_CASE("seed-study-uNN.toml differ from seed-study.toml only in name, description and load", "[scenario]") {
  auto strip = [](toml::table t) {
    t.erase("name");
    t.erase("description");
    t["workload"].as_table()->erase("arrival_rate_per_s");
    t["workload"].as_table()->erase("target_utilization");
    return t;
  };
  const toml::table base = strip(toml::parse_file(kConfigs + "/seed-study.toml"));
  for (const auto& [u, file] : {std::pair{0.60, "seed-study-u60.toml"}, std::pair{0.80, "seed-study-u80.toml"},
                                std::pair{0.95, "seed-study-u95.toml"}}) {
    INFO(file);
    const toml::table t = toml::parse_file(kConfigs + "/" + file);
    CHECK(strip(t) == base);
    const Scenario s = marlsim::load_scenario(kConfigs + "/" + file);
    CHECK(s.workload.synthetic.target_utilization == u);
  }
}

TEST_CASE("seed-study-u80-batched.toml differs from seed-study-u80.toml only in name, description and batching",
          "[scenario]") {
  auto strip = [](toml::table t) {
    t.erase("name");
    t.erase("description");
    t["scheduler"].as_table()->erase("batch_interval_s");
    return t;
  };
  CHECK(strip(toml::parse_file(kConfigs + "/seed-study-u80-batched.toml")) ==
        strip(toml::parse_file(kConfigs + "/seed-study-u80.toml")));
  const Scenario s = marlsim::load_scenario(kConfigs + "/seed-study-u80-batched.toml");
  CHECK(s.scheduler.batch_interval_s == 5.0);                     // the study's code steps every 5 s
  CHECK(s.scheduler.topology == marlsim::Topology::Centralized);  // batching is a central scheduler's
}

TEST_CASE("steady-uNN.toml: the study's cluster and tasks, long episodes with a warm-up, only the load differs",
          "[scenario]") {
  // Against seed-study.toml: the same cluster, distributions and scheduler; what makes them
  // steady-state is the episode length, the warm-up, the episode count and the output.
  auto strip = [](toml::table t) {
    t.erase("name");
    t.erase("description");
    t.erase("output");
    for (const char* k : {"arrival_rate_per_s", "target_utilization", "tasks"}) t["workload"].as_table()->erase(k);
    for (const char* k : {"episodes", "warmup_s"}) t["run"].as_table()->erase(k);
    return t;
  };
  const toml::table base = strip(toml::parse_file(kConfigs + "/seed-study.toml"));
  for (const auto& [u, file] :
       {std::pair{0.60, "steady-u60.toml"}, std::pair{0.70, "steady-u70.toml"}, std::pair{0.80, "steady-u80.toml"}}) {
    INFO(file);
    CHECK(strip(toml::parse_file(kConfigs + "/" + file)) == base);
    const Scenario s = marlsim::load_scenario(kConfigs + "/" + file);
    CHECK(s.workload.synthetic.target_utilization == u);
    CHECK(s.workload.synthetic.tasks == 60000);
    CHECK(s.run.warmup_s == 600);
    CHECK(s.run.episodes == 10);
    CHECK(s.scheduler.queue == "fcfs");
  }
}

TEST_CASE("an empty scenario is all defaults", "[scenario]") {
  const Scenario s = parse("");
  const Scenario d;
  CHECK(s.name == "test");  // the file's stem
  CHECK(s.path == "dir/test.toml");
  CHECK(s.cluster.source == "seed-study");
  CHECK(s.cluster.generated.nodes == 100);
  CHECK(s.cluster.generated.tiers.size() == 3);
  CHECK(s.workload.kind == "synthetic");
  CHECK(s.workload.synthetic.tasks == d.workload.synthetic.tasks);
  CHECK(s.scheduler.policies == std::vector<std::string>{"random"});
  CHECK(s.scheduler.queue == "fcfs");
  CHECK(s.scheduler.sharing == marlsim::Sharing::Limited);
  CHECK(s.run.episodes == 30);
  CHECK(s.cluster.failures.distribution == marlsim::LifetimeDistribution::None);
  CHECK(s.output.per_task);
}

TEST_CASE("scenario values of every kind are read", "[scenario]") {
  const Scenario s = parse(R"(
name = "x"
[cluster]
nodes = 1e4
[cluster.tiers.medium]
speed = 1.1
[cluster.tiers.gpu]
fraction = 0.1
cores = [64, 64]
memory_gb = [512, 512]
idle_power_w = [300, 400]
dynamic_power_w = [500, 700]
[cluster.failures]
distribution = "weibull"
mtbf_s = 86400
weibull_shape = 0.7
[workload]
target_utilization = 0.8
priority_mix = { production = 1, batch = 0, best-effort = 0 }
[workload.profile]
diurnal_amplitude = 0.5
bursts = [{ start_s = 100, duration_s = 60, multiplier = 4 }]
[workload.sla]
slack_factor = { batch = 2.5 }
[scheduler]
topology = "decentralized"
policy = "least-loaded"
sharing = "none"
neighbours = 0
[run]
partition = "round-robin"
max_time_s = 3600
warmup_s = 600
[output]
results = "out.h5"
per_task = false
)");
  CHECK(s.name == "x");
  CHECK(s.cluster.generated.nodes == 10000);
  REQUIRE(s.cluster.generated.tiers.size() == 4);
  CHECK(s.cluster.generated.tiers[1].speed.lo == 1.1);
  CHECK(s.cluster.generated.tiers[1].speed.hi == 1.1);
  CHECK(s.cluster.generated.tiers[1].cores.lo == 8);  // untouched default
  CHECK(s.cluster.generated.tiers[3].name == "gpu");
  CHECK(s.cluster.generated.tiers[3].speed.lo == 1.0);  // new tiers default to speed 1
  CHECK(s.cluster.failures.distribution == marlsim::LifetimeDistribution::Weibull);
  CHECK(s.cluster.failures.weibull_shape == 0.7);
  CHECK(s.workload.synthetic.target_utilization == 0.8);
  CHECK(s.workload.synthetic.priority_mix[0] == 1.0);
  CHECK(s.workload.synthetic.profile.diurnal_amplitude == 0.5);
  REQUIRE(s.workload.synthetic.profile.bursts.size() == 1);
  CHECK(s.workload.synthetic.profile.bursts[0].multiplier == 4.0);
  CHECK(s.workload.synthetic.sla.slack_factor[1] == 2.5);
  CHECK(s.workload.synthetic.sla.slack_factor[0] == 1.5);
  CHECK(s.workload.trace.sla.slack_factor[1] == 2.5);  // one SLA for every workload kind
  CHECK(s.scheduler.topology == marlsim::Topology::Decentralized);
  CHECK(s.scheduler.sharing == marlsim::Sharing::None);
  CHECK(s.scheduler.neighbours == 0);
  CHECK(s.run.partition == "round-robin");
  CHECK(s.run.warmup_s == 600);
  CHECK(s.output.results == "out.h5");
  CHECK_FALSE(s.output.per_task);
}

TEST_CASE("scenario: --set overrides: numbers, strings, arrays, bare strings, nested keys", "[scenario]") {
  const std::string base = "[cluster]\nnodes = 100\n[scheduler]\npolicy = [\"random\", \"best-fit\"]\n";
  SECTION("number") {
    CHECK(parse(base, {"cluster.nodes=10000"}).cluster.generated.nodes == 10000);
    CHECK(parse(base, {"workload.target_utilization=0.8"}).workload.synthetic.target_utilization == 0.8);
  }
  SECTION("bare string (not valid TOML) and quoted string") {
    CHECK(parse(base, {"scheduler.policy=least-loaded"}).scheduler.policies ==
          std::vector<std::string>{"least-loaded"});
    CHECK(parse(base, {"scheduler.topology=two-level"}).scheduler.topology == marlsim::Topology::TwoLevel);
    CHECK(parse(base, {"scheduler.queue=\"sjf\""}).scheduler.queue == "sjf");
    CHECK(parse(base, {"output.results = out/run.h5 "}).output.results == "out/run.h5");
  }
  SECTION("array and boolean") {
    CHECK(parse(base, {"scheduler.policy=[\"least-loaded\", \"random\"]"}).scheduler.policies ==
          std::vector<std::string>{"least-loaded", "random"});
    CHECK_FALSE(parse(base, {"output.per_task=false"}).output.per_task);
  }
  SECTION("nested keys, creating tables the file does not have") {
    const Scenario s = parse(base, {"cluster.tiers.high.speed=[2, 3]", "workload.sla.slack_factor.batch=4",
                                    "cluster.failures.distribution=exponential", "cluster.failures.mtbf_s=1e5"});
    CHECK(s.cluster.generated.tiers[0].speed.hi == 3.0);
    CHECK(s.workload.synthetic.sla.slack_factor[1] == 4.0);
    CHECK(s.cluster.failures.distribution == marlsim::LifetimeDistribution::Exponential);
    CHECK(s.cluster.failures.mtbf_s == 1e5);
  }
  SECTION("later overrides win") {
    CHECK(parse(base, {"cluster.nodes=5", "cluster.nodes=7"}).cluster.generated.nodes == 7);
  }
  SECTION("an override gets the same checks as the file, and is named in the error") {
    CHECK_THAT(error_of(base, {"cluster.nodes=-5"}),
               Contains("dir/test.toml: --set cluster.nodes=-5: cluster.nodes: expected an integer >= 1, got -5"));
    CHECK_THAT(error_of(base, {"scheduler.policy=least-loded"}), Contains("--set scheduler.policy=least-loded") &&
                                                                     Contains("unknown policy \"least-loded\"") &&
                                                                     Contains("did you mean least-loaded?"));
  }
}

TEST_CASE("bad overrides: syntax and unknown keys", "[scenario]") {
  CHECK_THAT(error_of("", {"foo"}), Contains("--set foo: expected KEY=VALUE"));
  CHECK_THAT(error_of("", {"=5"}), Contains("--set =5: expected KEY=VALUE"));
  CHECK_THAT(error_of("", {"cluster..nodes=5"}), Contains("--set cluster..nodes=5") && Contains("dotted key"));
  CHECK_THAT(error_of("", {"cluster.nodez=5"}),
             Contains("dir/test.toml: --set cluster.nodez=5: cluster.nodez: unknown key (did you mean nodes?)") &&
                 Contains("known keys of [cluster]: failures, network_latency_s, new_per_episode, nodes, source, "
                          "tiers, trace_dynamic_power_w_per_core, trace_idle_power_w_per_core"));
  CHECK_THAT(error_of("", {"foo.bar=1"}), Contains("--set foo.bar=1: foo: unknown key") &&
                                              Contains("known keys of the top level:") &&
                                              Contains("cluster, description, name, output, run, scheduler, workload"));
  CHECK_THAT(error_of("[cluster]\nnodes = 5\n", {"cluster.nodes.x=1"}),
             Contains("--set cluster.nodes.x=1: cluster.nodes is 5 in the scenario, not a table"));
}

TEST_CASE("unknown keys in the file are errors listing the known keys", "[scenario]") {
  CHECK_THAT(error_of("[cluster]\nnodes = 10\nnode_count = 5\n"),
             Contains("dir/test.toml:3: cluster.node_count: unknown key") &&
                 Contains("known keys of [cluster]: failures, network_latency_s, new_per_episode, nodes, source, "
                          "tiers, trace_dynamic_power_w_per_core, trace_idle_power_w_per_core"));
  CHECK_THAT(error_of("[scheduler]\npolicies = [\"random\"]\n"),
             Contains("dir/test.toml:2: scheduler.policies: unknown key (did you mean policy?)"));
  CHECK_THAT(error_of("[sceduler]\n"), Contains("sceduler: unknown key (did you mean scheduler?)"));
  CHECK_THAT(error_of("[workload.sla]\nslack_factor = { batch = 1, urgent = 2 }\n"),
             Contains("workload.sla.slack_factor.urgent: unknown key") &&
                 Contains("known keys of [workload.sla.slack_factor]: batch, best-effort, production"));
  CHECK_THAT(error_of("[cluster.tiers.high]\ncore = [1, 2]\n"),
             Contains("dir/test.toml:2: cluster.tiers.high.core: unknown key (did you mean cores?)"));
  CHECK_THAT(error_of("[workload.profile]\nbursts = [{ start_s = 1, duration_s = 2, multiplier = 3, x = 1 }]\n"),
             Contains("workload.profile.bursts[0].x: unknown key"));
}

TEST_CASE("wrong types are errors naming the key and what was expected", "[scenario]") {
  CHECK_THAT(error_of("[cluster]\nnodes = \"100\"\n"),
             Contains("dir/test.toml:2: cluster.nodes: expected an integer >= 1, got \"100\""));
  CHECK_THAT(error_of("[cluster]\nnodes = 10.5\n"), Contains("cluster.nodes: expected an integer >= 1, got 10.5"));
  CHECK_THAT(error_of("[cluster]\nnetwork_latency_s = \"1ms\"\n"),
             Contains("dir/test.toml:2: cluster.network_latency_s: expected a number (a duration in seconds from 1e-9 "
                      "(1 ns) to 1e9), got \"1ms\""));
  CHECK_THAT(error_of("[output]\nper_task = 1\n"), Contains("output.per_task: expected true or false, got 1"));
  CHECK_THAT(error_of("cluster = 5\n"), Contains("dir/test.toml:1: cluster: expected a table, got 5"));
  CHECK_THAT(error_of("[scheduler]\npolicy = 3\n"),
             Contains("scheduler.policy: expected a policy name or an array of names, got 3"));
  CHECK_THAT(error_of("[scheduler]\npolicy = []\n"), Contains("scheduler.policy: expected at least one policy name"));
  CHECK_THAT(error_of("[cluster.tiers.high]\ncores = [1, 2, 3]\n"),
             Contains("cluster.tiers.high.cores: expected [lo, hi] (two numbers) or one number"));
  CHECK_THAT(error_of("name = 7\n"), Contains("name: expected a string, got 7"));
}

TEST_CASE("a warm-up must end before run.max_time_s", "[scenario]") {
  CHECK_THAT(error_of("[run]\nmax_time_s = 100\nwarmup_s = 100\n"),
             Contains("dir/test.toml:3: run.warmup_s: expected a warm-up shorter than run.max_time_s (100 s), "
                      "got 100 s"));
  CHECK_THAT(error_of("[run]\nwarmup_s = -1\n"), Contains("run.warmup_s: expected 0 (off) or a duration"));
  CHECK(parse("[run]\nmax_time_s = 100\nwarmup_s = 99\n").run.warmup_s == 99);
}

TEST_CASE("out-of-range values are errors naming the key", "[scenario]") {
  CHECK_THAT(error_of("[cluster]\nnodes = -3\n"), Contains("cluster.nodes: expected an integer >= 1, got -3"));
  CHECK_THAT(error_of("[cluster]\nnodes = 0\n"), Contains("cluster.nodes: expected an integer >= 1, got 0"));
  CHECK_THAT(error_of("[workload]\ntasks = -1\n"), Contains("workload.tasks: expected an integer >= 1, got -1"));
  CHECK_THAT(error_of("[workload]\ntarget_utilization = 1.6\n"),
             Contains("dir/test.toml:2: workload.target_utilization: expected a utilization in (0, 1.5], got 1.6"));
  CHECK_THAT(error_of("[workload]\ntarget_utilization = 0\n"),
             Contains("workload.target_utilization: expected a utilization in (0, 1.5], got 0"));
  CHECK_THAT(error_of("[scheduler]\ndecision_latency_s = 0\n"),
             Contains("scheduler.decision_latency_s: expected a duration in seconds from 1e-9 (1 ns) to 1e9, got 0"));
  CHECK_THAT(error_of("[cluster]\nnetwork_latency_s = -0.001\n"),
             Contains("cluster.network_latency_s: expected a duration in seconds from 1e-9 (1 ns) to 1e9, got -0.001"));
  CHECK_THAT(error_of("[run]\nepisodes = 0\n"), Contains("run.episodes: expected an integer >= 1, got 0"));
  CHECK_THAT(error_of("[scheduler]\nneighbours = 5000000000\n"),
             Contains("scheduler.neighbours: expected an integer in [0, 4294967295], got 5000000000"));
  CHECK_THAT(
      error_of("[scheduler]\nreport_period_s = 1e-10\n"),
      Contains(
          "scheduler.report_period_s: expected 0 (off) or a duration in seconds from 1e-9 (1 ns) to 1e9, got 1e-10"));
  CHECK_THAT(error_of("[cluster.failures]\ndistribution = \"weibull\"\nmtbf_s = 1e-12\n"),
             Contains("cluster.failures.mtbf_s: expected a mean time in seconds from 1 to 1e9"));
  CHECK_THAT(error_of("[workload]\ncpu_max = 1e12\n"),
             Contains("workload.cpu_max: expected an integer from cpu_min to 4096"));
  CHECK_THAT(
      error_of("[scheduler]\nbatch_interval_s = -1\n"),
      Contains(
          "scheduler.batch_interval_s: expected 0 (off) or a duration in seconds from 1e-9 (1 ns) to 1e9, got -1"));
  CHECK_THAT(error_of("[cluster.failures]\ndistribution = \"exponential\"\n"),
             Contains("cluster.failures.mtbf_s: expected a number > 0 when failures.distribution is not \"none\""));
  // Decision latency below the network latency is allowed; both only have to be > 0.
  CHECK_NOTHROW(parse("[cluster]\nnetwork_latency_s = 0.01\n[scheduler]\ndecision_latency_s = 0.0001\n"));
}

TEST_CASE("the embedded configs' validate() errors name the file, line and TOML key", "[scenario]") {
  CHECK_THAT(error_of("[workload]\ncpu_min = 4\ncpu_max = 2\n"),
             Contains("dir/test.toml:3: workload.cpu_max: expected an integer from cpu_min to 4096, got 2"));
  CHECK_THAT(error_of("[cluster.tiers.low]\ncores = [8, 2]\n"),
             Contains("dir/test.toml:2: cluster.tiers.low.cores: expected 1 <= lo <= hi, got [8, 2]"));
  CHECK_THAT(error_of("[workload.profile]\nbursts = [{ start_s = 1, duration_s = 2, multiplier = 3 }]\n"
                      "diurnal_period_s = 100\n"),
             Equals(""));
  CHECK_THAT(error_of("[cluster.tiers.medium]\nfraction = 0\n[cluster.tiers.high]\nfraction = 0\n"
                      "[cluster.tiers.low]\nfraction = 0\n"),
             Contains("dir/test.toml") && Contains("cluster.tiers: expected fractions summing to > 0"));
  CHECK_THAT(error_of("[cluster.tiers.gpu]\ncores = [64, 64]\n"),
             Contains("cluster.tiers.gpu.fraction: missing: a tier not among the defaults"));
}

TEST_CASE("names are checked against the registries, listing the valid ones", "[scenario]") {
  CHECK_THAT(error_of("[scheduler]\ntopology = \"star\"\n"),
             Contains("dir/test.toml:2: scheduler.topology: expected one of centralized, two-level, decentralized; "
                      "got \"star\""));
  CHECK_THAT(error_of("[scheduler]\npolicy = [\"random\", \"magic\"]\n"),
             Contains("dir/test.toml:2: scheduler.policy: unknown policy \"magic\"") && Contains("random") &&
                 Contains("weighted-rr") && Contains("priority-minmin") && Contains("least-loaded") &&
                 Contains("best-fit") && Contains("ray-hybrid"));
  CHECK_THAT(error_of("[scheduler]\npolicy = [\"random\", \"random\"]\n"), Contains("listed twice"));
  CHECK_THAT(error_of("[scheduler]\nqueue = \"lifo\"\n"),
             Contains("scheduler.queue: expected one of") && Contains("fcfs") && Contains("priority") &&
                 Contains("sjf") && Contains("easy-backfill") && Contains("got \"lifo\""));
  CHECK_THAT(error_of("[scheduler]\nsharing = \"all\"\n"),
             Contains("scheduler.sharing: expected one of none, limited, global; got \"all\""));
  CHECK_THAT(error_of("[workload]\nkind = \"swf2\"\n"),
             Contains("workload.kind: expected one of synthetic, swf, alibaba2018, alibaba2017, google2011; got "
                      "\"swf2\" (did you mean swf?)"));
  CHECK_THAT(error_of("[run]\npartition = \"random\"\n"),
             Contains("run.partition: expected one of block, round-robin"));
  CHECK_THAT(error_of("[cluster]\nsource = \"file\"\n"), Contains("cluster.source: expected one of seed-study, trace"));
}

TEST_CASE("TOML syntax errors give the file and line", "[scenario]") {
  CHECK_THAT(error_of("name = \"x\"\n[cluster]\nnodes = = 5\n"), Contains("dir/test.toml:3: invalid TOML"));
  CHECK_THAT(error_of("[cluster]\nnodes = 1\nnodes = 2\n"), Contains("dir/test.toml:3: invalid TOML"));
  CHECK_THAT(error_of("a = \"unterminated\n"), Contains("dir/test.toml:1: invalid TOML"));
}

TEST_CASE("cross-field rules and keys that could have no effect", "[scenario]") {
  CHECK_THAT(
      error_of("[cluster]\nsource = \"trace\"\n"),
      Contains("dir/test.toml:2: cluster.source: \"trace\" needs a trace workload whose reader lists machines") &&
          Contains("workload.kind is \"synthetic\""));
  CHECK_THAT(error_of("[workload.trace]\npath = \"x.swf\"\n"),
             Contains("workload.trace: applies only to a trace workload.kind"));
  CHECK_THAT(error_of("[workload]\nkind = \"swf\"\ntasks = 5\n[workload.trace]\npath = \"x\"\n"),
             Contains("dir/test.toml:3: workload.tasks: applies only to workload.kind = \"synthetic\""));
  CHECK_THAT(error_of("[workload]\nkind = \"swf\"\n"),
             Contains("workload.trace.path: missing: workload.kind = \"swf\" needs [workload.trace] path"));
  CHECK_THAT(error_of("[cluster]\nsource = \"trace\"\nnodes = 5\n[workload]\nkind = \"swf\"\n"),
             Contains("dir/test.toml:3: cluster.nodes: applies only to cluster.source = \"seed-study\""));
}

TEST_CASE("trace paths resolve against the scenario's folder and must exist", "[scenario]") {
  marlsim::test::TempDir dir;
  const std::string trace = dir.write("log.swf", "; empty\n");
  const std::string scenario_text =
      "[cluster]\nsource = \"trace\"\n[workload]\nkind = \"swf\"\n[workload.trace]\npath = \"log.swf\"\n";
  const std::string scenario = dir.write("s.toml", scenario_text);

  const Scenario s = marlsim::load_scenario(scenario);
  CHECK(fs::equivalent(s.workload.trace.path, trace));
  CHECK(s.workload.trace.seed == 1);  // follows run.seed unless [workload.trace] sets it
  CHECK(marlsim::load_scenario(scenario, {"run.seed=9"}).workload.trace.seed == 9);
  CHECK(marlsim::load_scenario(scenario, {"run.seed=9", "workload.trace.seed=3"}).workload.trace.seed == 3);
  // A window must be ordered (TraceOptions::validate, renamed to the TOML key).
  CHECK_THAT(error_of_file(scenario, {"workload.trace.window_start_s=10", "workload.trace.window_end_s=5"}),
             Contains("workload.trace.window_start_s: expected a value <= window_end_s"));

  const std::string missing = dir.write("m.toml",
                                        "[workload]\nkind = \"swf\"\n[workload.trace]\npath = \"gone.swf\"\n");
  CHECK_THAT(
      error_of_file(missing),
      Contains(missing + ":4: workload.trace.path: \"" + (dir.path() / "gone.swf").string() + "\" does not exist") &&
          Contains("../shared/traces/") && Contains("PROVENANCE.txt") && Contains("--set workload.trace.path=FILE"));
  // Paths given with --set are relative to the working directory.
  CHECK_THAT(error_of_file(scenario, {"workload.trace.path=no/such.swf"}),
             Contains("--set workload.trace.path=no/such.swf") && Contains("\"no/such.swf\" does not exist") &&
                 Contains("the working directory"));
}

TEST_CASE("missing or unreadable scenario files", "[scenario]") {
  marlsim::test::TempDir dir;
  const std::string path = (dir.path() / "nope.toml").string();
  REQUIRE_THROWS_AS(marlsim::load_scenario(path), InputError);
  REQUIRE_THROWS_WITH(marlsim::load_scenario(path), Contains(path + ": no such scenario file"));
  REQUIRE_THROWS_WITH(marlsim::load_scenario(dir.path().string()),
                      Contains("expected a scenario file (TOML), got a directory"));
}

TEST_CASE("topology and sharing names round-trip", "[scenario]") {
  for (const auto t : {marlsim::Topology::Centralized, marlsim::Topology::TwoLevel, marlsim::Topology::Decentralized})
    CHECK(parse("", {"scheduler.topology=" + std::string(marlsim::topology_name(t))}).scheduler.topology == t);
  for (const auto s : {marlsim::Sharing::None, marlsim::Sharing::Limited, marlsim::Sharing::Global})
    CHECK(parse("", {"scheduler.sharing=" + std::string(marlsim::sharing_name(s))}).scheduler.sharing == s);
}

TEST_CASE("configs/README.md documents every key the parser knows", "[scenario]") {
  const std::string readme = [] {
    std::ifstream in(kConfigs + "/README.md");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  REQUIRE(!readme.empty());
  // An unknown key makes the parser list the known keys of its table; each must be in the README.
  const std::vector<std::string> probes{
      "zzz = 1\n",
      "[cluster]\nzzz = 1\n",
      "[cluster.tiers.high]\nzzz = 1\n",
      "[cluster.failures]\nzzz = 1\n",
      "[workload]\nzzz = 1\n",
      "[workload.profile]\nzzz = 1\n",
      "[workload.sla]\nzzz = 1\n",
      "[workload]\nkind = \"swf\"\n[workload.trace]\npath = \"x\"\nzzz = 1\n",
      "[scheduler]\nzzz = 1\n",
      "[agents]\nzzz = 1\n",
      "[run]\nzzz = 1\n",
      "[output]\nzzz = 1\n",
      "[agents]\nzzz = 1\n",
  };
  for (const auto& probe : probes) {
    const std::string message = error_of(probe);
    INFO(message);
    const auto at = message.find(": ", message.find("known keys of"));
    REQUIRE(at != std::string::npos);
    std::string keys = message.substr(at + 2) + ", ";
    for (std::size_t start = 0, comma; (comma = keys.find(", ", start)) != std::string::npos; start = comma + 2) {
      const std::string key = keys.substr(start, comma - start);
      INFO(key);
      const bool is_table = key == "cluster" || key == "workload" || key == "scheduler" || key == "agents" ||
                            key == "run" || key == "output" || key == "tiers" || key == "failures" ||
                            key == "profile" || key == "sla" || key == "trace";
      if (!is_table)
        CHECK_THAT(readme, Contains("`" + key + "`") || Contains("`" + key + ",") || Contains(", " + key + "`"));
    }
  }
}

TEST_CASE("agents table: network widths, activations and checkpoint, each checked", "[scenario]") {
  const Scenario d = parse("");
  CHECK(d.agents.actor_critic.hidden_widths == std::vector<std::uint32_t>{128});
  CHECK(d.agents.actor_critic.hidden_activations ==
        std::vector<marlsim::nn::Activation>{marlsim::nn::Activation::Relu});
  CHECK(d.agents.actor_critic.checkpoint.empty());
  const Scenario s = parse("[agents]\nhidden_widths = [64, 32]\nactivations = [\"tanh\", \"relu\"]\n");
  CHECK(s.agents.actor_critic.hidden_widths == std::vector<std::uint32_t>{64, 32});
  CHECK(s.agents.actor_critic.hidden_activations ==
        std::vector<marlsim::nn::Activation>{marlsim::nn::Activation::Tanh, marlsim::nn::Activation::Relu});
  const Scenario o = parse("", {"agents.hidden_widths=[8, 8, 8]", "agents.activations=tanh"});
  CHECK(o.agents.actor_critic.hidden_activations.size() == 1);
  CHECK_FALSE(d.agents.actor_critic.greedy);
  CHECK(parse("[agents]\ngreedy = true\n").agents.actor_critic.greedy);
  CHECK_THAT(error_of("[agents]\ngreedy = 1\n"), Contains("agents.greedy"));
  CHECK_FALSE(d.agents.actor_critic.mask_unfit);
  CHECK(parse("[agents]\nmask_unfit = true\n").agents.actor_critic.mask_unfit);
  CHECK_THAT(error_of("[agents]\nmask_unfit = \"yes\"\n"), Contains("agents.mask_unfit"));
  CHECK_THAT(error_of("[agents]\nhidden_widths = [0]\n"),
             Contains("dir/test.toml:2") && Contains("agents.hidden_widths"));
  CHECK_THAT(error_of("[agents]\nhidden_widths = 128\n"), Contains("expected a non-empty array"));
  CHECK_THAT(error_of("[agents]\nactivations = \"sigmoid\"\n"),
             Contains("agents.activations") && Contains("\"relu\", \"tanh\" or \"identity\""));
  CHECK_THAT(error_of("[agents]\nhidden_widths = [8, 8, 8]\nactivations = [\"tanh\", \"relu\"]\n"),
             Contains("expected one activation or one per hidden layer (3), got 2"));
  CHECK_THAT(error_of("[agents]\ncheckpoint = \"no-such.h5\"\n"),
             Contains("agents.checkpoint") && Contains("dir/no-such.h5") && Contains("is not a file"));
}

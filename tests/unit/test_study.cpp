// Study files: parsing, expansion order, zip, exclude, and the overrides each run gets.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>

#include "engine/study/study.hpp"
#include "engine/support/input_error.hpp"

namespace {

using marlsim::InputError;
using marlsim::parse_study;

// A study file beside the configs, so a relative scenario path resolves.
const std::string kOrigin = std::string(MARLSIM_SOURCE_DIR) + "/configs/studies/test.toml";

std::string param(const marlsim::StudyRun& r, const std::string& name) {
  for (const auto& [k, v] : r.params)
    if (k == name) return v;
  return "";
}

bool has_args(const marlsim::StudyRun& r, const std::string& a, const std::string& b) {
  for (std::size_t i = 0; i + 1 < r.args.size(); ++i)
    if (r.args[i] == a && r.args[i + 1] == b) return true;
  return false;
}

std::string error_of(const std::string& text) {
  try {
    const auto study = parse_study(text, kOrigin);
    (void)marlsim::expand_study(study);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a study expands into the cross product, last axis fastest", "[study]") {
  const auto study = parse_study(R"(scenario = "../seed-study-u80.toml"
episodes = 2
set = ["workload.tasks=100"]
[axes]
ranks = [1, 2]
policy = ["random", "least-loaded"]
load = [0.6, 0.9]
)",
                                 kOrigin);
  const auto runs = marlsim::expand_study(study);
  REQUIRE(runs.size() == 8);
  CHECK(runs[0].dir == "run-0000");
  CHECK(runs[7].dir == "run-0007");
  CHECK(param(runs[1], "load") == "0.9");  // shortest form, not 0.90000000000000002
  CHECK(param(runs[2], "policy") == "least-loaded");
  CHECK(runs[3].ranks == 1);
  CHECK(runs[4].ranks == 2);
  CHECK(has_args(runs[1], "--set", "workload.target_utilization=0.9"));
  CHECK(has_args(runs[2], "--policy", "least-loaded"));
  CHECK(has_args(runs[0], "--episodes", "2"));
  CHECK(has_args(runs[0], "--set", "workload.tasks=100"));
}

TEST_CASE("zipped axes advance together, coordination maps onto topology and sharing", "[study]") {
  const auto study = parse_study(R"(scenario = "../seed-study-u80.toml"
zip = ["nodes", "workload.tasks"]
[axes]
nodes = [25, 100]
coordination = ["limited", "centralized"]
[axes.set]
"workload.tasks" = [250, 1000]
)",
                                 kOrigin);
  const auto runs = marlsim::expand_study(study);
  REQUIRE(runs.size() == 4);
  CHECK(param(runs[0], "nodes") == "25");
  CHECK(param(runs[0], "workload.tasks") == "250");
  CHECK(param(runs[2], "nodes") == "100");
  CHECK(param(runs[2], "workload.tasks") == "1000");
  CHECK(has_args(runs[0], "--set", "scheduler.topology=\"decentralized\""));
  CHECK(has_args(runs[0], "--set", "scheduler.sharing=\"limited\""));
  CHECK(has_args(runs[1], "--set", "scheduler.topology=\"centralized\""));
  CHECK(has_args(runs[2], "--set", "cluster.nodes=100"));
  CHECK(has_args(runs[2], "--set", "workload.tasks=1000"));
}

TEST_CASE("a zipped axis may repeat a value when the zipped positions differ", "[study]") {
  const auto study = parse_study(R"(scenario = "../seed-study-u80.toml"
zip = ["nodes", "episodes"]
[axes]
nodes = [10, 20, 30]
episodes = [2, 2, 1]
)",
                                 kOrigin);
  const auto runs = marlsim::expand_study(study);
  REQUIRE(runs.size() == 3);
  CHECK(has_args(runs[1], "--episodes", "2"));
  CHECK(has_args(runs[2], "--episodes", "1"));
}

TEST_CASE("exclude drops matching combinations and numbers the rest without gaps", "[study]") {
  const auto study = parse_study(R"(scenario = "../seed-study-u80.toml"
exclude = [{ coordination = "none", policy = "best-fit" }]
[axes]
coordination = ["none", "limited"]
policy = ["random", "best-fit"]
)",
                                 kOrigin);
  const auto runs = marlsim::expand_study(study);
  REQUIRE(runs.size() == 3);
  CHECK(param(runs[1], "coordination") == "limited");
  CHECK(param(runs[2], "policy") == "best-fit");
  CHECK(runs[2].dir == "run-0002");
}

TEST_CASE("bad studies name the file, line and key", "[study]") {
  const std::string s = "scenario = \"../seed-study-u80.toml\"\n";
  CHECK_THAT(error_of(s + "[axes]\nnode = [1]\n"),
             Catch::Contains("test.toml:3: axes.node: unknown axis (did you mean nodes?)"));
  CHECK_THAT(error_of(s + "axis = 1\n"),
             Catch::Contains("test.toml:2: axis: unknown key") && Catch::Contains("did you mean axes?"));
  CHECK_THAT(error_of(s + "[axes]\nranks = [0]\n"), Catch::Contains("axes.ranks: expected an integer >= 1, got 0"));
  CHECK_THAT(error_of(s + "[axes]\nload = [1.5]\n"),
             Catch::Contains("expected a target utilization in (0, 1], got 1.5"));
  CHECK_THAT(error_of(s + "[axes]\nseed = [1, 1]\n"),
             Catch::Contains("test.toml:3: axes.seed: the value 1 appears twice"));
  CHECK_THAT(error_of(s + "zip = [\"nodes\", \"episodes\"]\n[axes]\nnodes = [10, 10]\nepisodes = [1, 1]\n"),
             Catch::Contains("zip: the zipped values (10, 1) appear twice"));
  CHECK_THAT(error_of(s + "[axes]\nranks = []\n"), Catch::Contains("expected at least one value"));
  CHECK_THAT(error_of(s + "zip = [\"ranks\"]\n[axes]\nranks = [1]\n"), Catch::Contains("at least two axes"));
  CHECK_THAT(error_of(s + "[axes]\nnodes = [10]\n[axes.set]\n\"cluster.nodes\" = [20]\n"),
             Catch::Contains("axes.cluster.nodes: sets cluster.nodes, which axes.nodes already sets"));
  CHECK_THAT(error_of(s + "[axes]\npolicy = [\"nope\"]\n"), Catch::Contains("run-0000 (policy=nope)"));
  CHECK_THAT(error_of("scenario = \"missing.toml\"\n"),
             Catch::Contains("test.toml:1: scenario: no such scenario file"));
  CHECK_THAT(error_of("[axes]\nranks = [1]\n"), Catch::Contains("scenario: missing"));
  CHECK_THAT(error_of(s + "metrics = [\"sla\"]\n"), Catch::Contains("unknown metric \"sla\""));
}

TEST_CASE("file paths in set and [axes.set] are relative to the study file and reach runs absolute", "[study]") {
  const auto study = parse_study(R"(scenario = "../seed-study-u80-ac.toml"
set = ["agents.checkpoint=\"../checkpoints/seed-study-u80-ac.h5\""]
[axes]
policy = ["decentralized-ac"]
[axes.set]
"workload.tasks" = [100]
)",
                                 kOrigin);
  const auto runs = marlsim::expand_study(study);
  REQUIRE(runs.size() == 1);
  const std::string absolute = std::string(MARLSIM_SOURCE_DIR) + "/configs/checkpoints/seed-study-u80-ac.h5";
  CHECK(has_args(runs[0], "--set", "agents.checkpoint=\"" + absolute + "\""));
  CHECK(has_args(runs[0], "--set", "workload.tasks=100"));  // other keys pass as they are

  const auto axis = parse_study(R"(scenario = "../seed-study-u80-ac.toml"
[axes.set]
"agents.checkpoint" = ["../checkpoints/seed-study-u80-ac.h5", ""]
)",
                                kOrigin);
  const auto axis_runs = marlsim::expand_study(axis);
  REQUIRE(axis_runs.size() == 2);
  CHECK(param(axis_runs[0], "agents.checkpoint") == "../checkpoints/seed-study-u80-ac.h5");  // as written
  CHECK(has_args(axis_runs[0], "--set", "agents.checkpoint=\"" + absolute + "\""));
  CHECK(has_args(axis_runs[1], "--set", "agents.checkpoint=\"\""));  // "": untrained, not a path
  CHECK_THAT(error_of("scenario = \"../seed-study-u80-ac.toml\"\nset = [\"agents.checkpoint=nope.h5\"]\n"),
             Catch::Contains("configs/studies/nope.h5\" is not a file"));
}

TEST_CASE("the study's path keys are the scenario reader's", "[study]") {
  // Every key the scenario resolves as an input path (resolve_input_path(ctx, "KEY", ...)).
  std::ifstream in(std::string(MARLSIM_SOURCE_DIR) + "/engine/experiment/scenario_toml.cpp");
  REQUIRE(in);
  const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::set<std::string> reader;
  const std::regex call(R"re(resolve_input_path\(ctx, "([^"]+)")re");
  for (auto it = std::sregex_iterator(source.begin(), source.end(), call); it != std::sregex_iterator(); ++it)
    reader.insert((*it)[1].str());
  const auto& keys = marlsim::study_path_keys();
  CHECK(reader == std::set<std::string>(keys.begin(), keys.end()));
}

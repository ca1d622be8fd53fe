// The observation layout (agents/nn/observation_layout.hpp): printable, comparable, and the
// decentralized actor-critic's layout covers what issue 11 asks for.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "agents/nn/observation_layout.hpp"

using namespace marlsim::nn;

TEST_CASE("the decentralized actor-critic layout names every feature once with a unit and normalisation", "[network]") {
  const ObservationLayout& layout = decentralized_ac_observation_layout();
  CHECK(layout.policy == "decentralized-ac");
  std::set<std::string> names;
  for (const auto* section : {&layout.own, &layout.candidate, &layout.global})
    for (const ObservationFeature& f : *section) {
      CHECK(names.insert(f.name).second);
      CHECK_FALSE(f.unit.empty());
      CHECK_FALSE(f.normalisation.empty());
    }
  CHECK(names.count("candidate.report_age") == 1);
  CHECK(names.count("task.cpu_demand") == 1);
  CHECK(names.count("queue.length") == 1);
  CHECK(names.count("global.backlog") == 1);
}

TEST_CASE("a layout prints one line per feature and compares by content", "[network]") {
  const ObservationLayout layout{"p", {{"a", "s", "log1p"}}, {{"b", "cores", "/ capacity"}}, {{"c", "nodes", "share"}}};
  CHECK(layout.to_text() ==
        "observation layout of p\nown 0 a [s] log1p\ncandidate 0 b [cores] / capacity\nglobal 0 c [nodes] share\n");
  ObservationLayout other = layout;
  CHECK(other == layout);
  other.candidate[0].unit = "GiB";
  CHECK_FALSE(other == layout);
}

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

TEST_CASE("the hrac layout is decentralized-ac's with the own section followed by its attended counterparts",
          "[network]") {
  const ObservationLayout& ac = decentralized_ac_observation_layout();
  const ObservationLayout& hrac = hrac_observation_layout();
  CHECK(hrac.policy == "hrac");
  REQUIRE(hrac.own.size() == 2 * ac.own.size());
  for (std::size_t i = 0; i < ac.own.size(); ++i) {
    CHECK(hrac.own[i] == ac.own[i]);
    CHECK(hrac.own[ac.own.size() + i].name.rfind("attended.", 0) == 0);
    CHECK(hrac.own[ac.own.size() + i].unit == ac.own[i].unit);
  }
  CHECK(hrac.own[ac.own.size()].name == "attended.cpu_free");
  CHECK(hrac.own.back().name == "attended.task.wait_so_far");
  CHECK(hrac.candidate == ac.candidate);
  CHECK(hrac.global == ac.global);
  CHECK(hrac.to_text() != ac.to_text());  // a checkpoint of one is never loaded as the other
}

// hierrl's Q-learning loop (engine/training/q_learning_run.hpp) on a small two-level scenario:
// both levels learn from their own decisions, the run is bit-for-bit repeatable, and a run
// resumed from its last checkpoint (and its replay files) ends with the same weights as an
// uninterrupted one. Bad settings are refused naming the option.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "agents/hierrl_policy.hpp"
#include "engine/experiment/scenario.hpp"
#include "engine/support/input_error.hpp"
#include "engine/training/q_learning_run.hpp"
#include "engine/training/training_run.hpp"

using namespace marlsim;

namespace {

const char* const kToml = R"(
name = "hierrl-train-test"
[cluster]
nodes = 4
[workload]
tasks = 120
target_utilization = 0.95
[scheduler]
topology = "two-level"
policy = "hierrl"
spill_queue_length = 1
[agents]
hidden_widths = [16]
[run]
seed = 5
episodes = 1
)";

std::vector<float> weights_of(const std::string& policy_file) {
  ActorCriticPolicySettings s;
  s.hidden_widths = {16};
  s.checkpoint = policy_file;
  const auto n = make_hierrl_networks(s, 0);
  std::vector<float> w;
  for (const auto* layers : {&n->high.actor_layers(), &n->low.actor_layers()})
    for (const nn::DenseLayer& l : *layers) {
      w.insert(w.end(), l.weights.data(), l.weights.data() + l.weights.size());
      w.insert(w.end(), l.bias.data(), l.bias.data() + l.bias.size());
    }
  return w;
}

}  // namespace

TEST_CASE("hierrl training: repeatable, and --resume continues exactly", "[hierrl][training]") {
  const Scenario scenario = parse_scenario(kToml, "hierrl-train-test.toml");
  const Communicator world;
  const std::filesystem::path root = std::filesystem::temp_directory_path() / "marlsim-hierrl-train-test";
  std::filesystem::remove_all(root);
  QLearningSettings s;
  s.iterations = 3;
  s.episodes_per_iteration = 2;
  s.steps_per_iteration = 5;
  s.replay_iterations = 2;
  s.high.minibatch = s.low.minibatch = 16;
  s.high.target_period = s.low.target_period = 4;
  s.train_nodes = {3, 4};

  s.checkpoint_dir = (root / "a").string();
  const auto curve = train_hierrl(world, scenario, s);
  REQUIRE(curve.size() == 3);
  for (const QIterationRecord& r : curve) {
    REQUIRE(r.high_decisions > 0);
    REQUIRE(r.low_decisions > 0);
    REQUIRE(r.low.steps == 5);
    REQUIRE(std::isfinite(r.low.loss));
  }
  s.checkpoint_dir = (root / "b").string();
  train_hierrl(world, scenario, s);
  const std::vector<float> a = weights_of(policy_path((root / "a").string()));
  REQUIRE(a == weights_of(policy_path((root / "b").string())));

  // Interrupted after two iterations, then resumed to three.
  s.checkpoint_dir = (root / "c").string();
  s.iterations = 2;
  train_hierrl(world, scenario, s);
  s.iterations = 3;
  s.resume = true;
  const auto rest = train_hierrl(world, scenario, s);
  REQUIRE(rest.size() == 1);
  REQUIRE(rest[0].iteration == 2);
  const std::vector<float> c = weights_of(policy_path((root / "c").string()));
  REQUIRE(std::memcmp(a.data(), c.data(), a.size() * sizeof(float)) == 0);
  REQUIRE(a != weights_of(checkpoint_path((root / "a").string(), 0)));  // it trained

  // A missing replay is refused naming the file.
  std::filesystem::remove(std::filesystem::path(s.checkpoint_dir) / "replay-000002-rank-0000.h5");
  s.iterations = 4;
  REQUIRE_THROWS_WITH(train_hierrl(world, scenario, s),
                      Catch::Matchers::Contains("replay-000002-rank-0000.h5: missing"));
  std::filesystem::remove_all(root);
}

TEST_CASE("hierrl training: bad settings are refused naming the option", "[hierrl][training]") {
  const Communicator world;
  QLearningSettings s;
  s.resume = true;
  REQUIRE_THROWS_WITH(train_hierrl(world, parse_scenario(kToml, "t.toml"), s),
                      Catch::Matchers::StartsWith("--resume: needs --checkpoint-dir"));
  QLearningSettings d;
  REQUIRE_THROWS_WITH(train_hierrl(world, parse_scenario(kToml, "t.toml", {"scheduler.topology=decentralized"}), d),
                      Catch::Matchers::Contains("hierrl"));
}

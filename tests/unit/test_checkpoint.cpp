// Checkpoints (agents/nn/checkpoint.hpp): a bit-exact round trip, and each mismatch (version,
// roles, observation layout, shapes, activation) refused with one line naming both sides.
#include <hdf5.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "agents/actor_critic_policy.hpp"
#include "agents/nn/checkpoint.hpp"
#include "engine/experiment/scenario.hpp"
#include "engine/support/input_error.hpp"

using namespace marlsim;
using namespace marlsim::nn;

namespace {

ActorCriticSettings study() { return {20, 30, {128}, {Activation::Relu}}; }

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("marlsim_ckpt_" + name + ".h5")).string();
}

}  // namespace

TEST_CASE("a checkpoint round-trips every weight bit-exactly", "[network]") {
  const std::string path = temp_path("roundtrip");
  ActorCriticNetwork a(study(), 1), b(study(), 2);
  a.actor_layers()[0].bias.setConstant(0.125f);
  save_checkpoint(path, {{"node", &a}}, decentralized_ac_observation_layout());
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  load_checkpoint(path, {{"node", &b}}, decentralized_ac_observation_layout());
  for (std::size_t l = 0; l < a.actor_layers().size(); ++l) {
    CHECK(a.actor_layers()[l].weights == b.actor_layers()[l].weights);
    CHECK(a.actor_layers()[l].bias == b.actor_layers()[l].bias);
    CHECK(a.value_layers()[l].weights == b.value_layers()[l].weights);
    CHECK(a.value_layers()[l].bias == b.value_layers()[l].bias);
  }
  std::filesystem::remove(path);
}

TEST_CASE("a mismatching checkpoint is refused naming both sides, leaving the network untouched", "[network]") {
  const std::string path = temp_path("mismatch");
  ActorCriticNetwork saved(study(), 1);
  save_checkpoint(path, {{"node", &saved}}, decentralized_ac_observation_layout());

  ActorCriticNetwork other(study(), 2);
  const RowMatrixF before = other.actor_layers()[0].weights;
  CHECK_THROWS_WITH(load_checkpoint(path, {{"scheduler", &other}}, decentralized_ac_observation_layout()),
                    Catch::Contains("roles are [node] in the checkpoint, [scheduler] in the scenario"));
  ObservationLayout layout = decentralized_ac_observation_layout();
  layout.candidate[3].unit = "ms";
  CHECK_THROWS_WITH(load_checkpoint(path, {{"node", &other}}, layout),
                    Catch::Contains("'candidate 3 candidate.report_age [s] log1p of now") &&
                        Catch::Contains("0)' in the checkpoint, 'candidate 3 candidate.report_age [ms] log1p of now") &&
                        Catch::Contains("0)' in the scenario"));
  ActorCriticNetwork wider({20, 30, {64}, {Activation::Relu}}, 2);
  CHECK_THROWS_WITH(load_checkpoint(path, {{"node", &wider}}, decentralized_ac_observation_layout()),
                    Catch::Contains("node/actor layers are [50x128 relu, 128x1 identity] in the checkpoint, "
                                    "[50x64 relu, 64x1 identity] in the scenario"));
  ActorCriticNetwork tanh({20, 30, {128}, {Activation::Tanh}}, 2);
  CHECK_THROWS_AS(load_checkpoint(path, {{"node", &tanh}}, decentralized_ac_observation_layout()), InputError);
  CHECK(other.actor_layers()[0].weights == before);

  {  // Another format version.
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t attr = H5Aopen(file, "format_version", H5P_DEFAULT);
    const int version = 99;
    H5Awrite(attr, H5T_NATIVE_INT, &version);
    H5Aclose(attr);
    H5Fclose(file);
  }
  CHECK_THROWS_WITH(load_checkpoint(path, {{"node", &other}}, decentralized_ac_observation_layout()),
                    Catch::Contains("checkpoint format version 99, this marlsim reads version 1"));
  CHECK_THROWS_WITH(load_checkpoint(temp_path("missing"), {{"node", &other}}, decentralized_ac_observation_layout()),
                    Catch::Contains("cannot open the checkpoint"));
  std::filesystem::remove(path);
}

TEST_CASE("the shipped trained checkpoints load into their scenario's network", "[checkpoint]") {
  // configs/checkpoints/README.md: a change of the observation layout or the network shapes
  // must come with retrained checkpoints (this fails first).
  const Scenario s = load_scenario(
      MARLSIM_SOURCE_DIR "/configs/seed-study-u80-ac.toml",
      {"agents.checkpoint=" MARLSIM_SOURCE_DIR "/configs/checkpoints/seed-study-u80-ac.h5"});
  const auto network = make_actor_critic_network(s.agents.actor_critic, s.run.seed);
  ActorCriticPolicySettings fresh = s.agents.actor_critic;
  fresh.checkpoint.clear();
  const auto untrained = make_actor_critic_network(fresh, s.run.seed);
  CHECK_FALSE(network->actor_layers()[0].weights.isApprox(untrained->actor_layers()[0].weights));
}

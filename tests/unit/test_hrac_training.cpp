// Training hrac (engine/training/training_run): each role updated from its own decisions, the
// trajectory file's role column, the role attention in the curve, and a run resumed from its
// last checkpoint (what a SIGKILL during the next iteration leaves) reaching the same bits.
#include <hdf5.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "../trajectory_rows.hpp"
#include "agents/hrac_policy.hpp"
#include "engine/experiment/scenario.hpp"
#include "engine/training/training_run.hpp"
#include "mpi/hdf5/results_reader.hpp"

using namespace marlsim;

namespace {

Scenario small_tiered_scenario() {
  return load_scenario(MARLSIM_SOURCE_DIR "/configs/seed-study-u80-ac.toml",
                       {"workload.tasks=120", "scheduler.policy=hrac"});
}

TrainingSettings small_settings(const std::string& dir, LocalReward local) {
  TrainingSettings s;
  s.local_reward = local;
  s.policy = "hrac";
  s.iterations = 2;
  s.episodes_per_iteration = 2;
  s.checkpoint_dir = dir;
  s.ppo.epochs = 2;
  s.ppo.minibatch = 64;
  s.reward_lambda = 0.5;
  s.critic_hidden = {16};
  return s;
}

std::string fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("marlsim_hrac_training_" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

// Every role's actor weights and biases, flat, from a checkpoint (with `attention`: the role
// attention's query and key instead).
std::vector<float> actor_parameters(const Scenario& scenario, const std::vector<std::string>& roles,
                                    const std::string& path, bool attention = false) {
  AgentSettings agents = scenario.agents;
  agents.actor_critic.checkpoint = path;
  const auto networks = make_hrac_networks(agents, roles, scenario.run.seed);
  std::vector<float> v;
  for (std::size_t r = 0; r < roles.size(); ++r)
    for (const nn::DenseLayer& l : attention ? networks->attention[r] : networks->networks[r].actor_layers()) {
      v.insert(v.end(), l.weights.data(), l.weights.data() + l.weights.size());
      v.insert(v.end(), l.bias.data(), l.bias.data() + l.bias.size());
    }
  return v;
}

}  // namespace

TEST_CASE("hrac trains every role from its own decisions and resumes to the same bits", "[training][hrac]") {
  const Scenario scenario = small_tiered_scenario();
  const Communicator self(MPI_COMM_SELF);
  // Shaped (lambda 0.5, so with the global value estimator) task or node-wait rewards.
  const LocalReward local = GENERATE(LocalReward::Task, LocalReward::NodeWait);
  const std::string full = fresh_dir("full"), resumed = fresh_dir("resumed");
  const std::vector<IterationRecord> curve = train_policy(self, scenario, small_settings(full, local));
  REQUIRE(curve.size() == 2);

  // The tiers are the roles (decentralized: no scheduler role), each updated from its decisions.
  const std::vector<std::string> roles{"high", "medium", "low"};
  std::uint64_t decisions = 0;
  REQUIRE(curve[0].roles.size() == roles.size());
  for (std::size_t r = 0; r < roles.size(); ++r) {
    CHECK(curve[0].roles[r].role == roles[r]);
    CHECK(curve[0].roles[r].updated);
    CHECK(curve[0].roles[r].decisions > 0);
    CHECK(curve[0].roles[r].stats.minibatches > 0);
    decisions += curve[0].roles[r].decisions;
  }
  CHECK(decisions == curve[0].decisions);
  // Role attention: row a over the other roles, a distribution (never onto itself).
  REQUIRE(curve[0].role_attention.size() == roles.size() * roles.size());
  for (std::size_t a = 0; a < roles.size(); ++a) {
    double sum = 0;
    for (std::size_t b = 0; b < roles.size(); ++b) sum += curve[0].role_attention[a * roles.size() + b];
    CHECK(curve[0].role_attention[a * roles.size() + a] == 0.0);
    CHECK(sum == Approx(1.0));
  }

  // The trajectory file's role column: each decision's role, named in the attribute.
  const std::vector<std::uint8_t> role_column = test::read_dataset<std::uint8_t>(trajectory_path(full, 0), "role",
                                                                                 H5T_NATIVE_UINT8);
  REQUIRE(role_column.size() == curve[0].decisions);
  std::vector<std::uint64_t> per_role(roles.size(), 0);
  for (std::uint8_t r : role_column) {
    REQUIRE(r < roles.size());
    ++per_role[r];
  }
  for (std::size_t r = 0; r < roles.size(); ++r) CHECK(per_role[r] == curve[0].roles[r].decisions);
  // The role attention per decision cycle (roles x roles, with the cycle's global state): the
  // curve's mean is its mean over the cycles where the role made a kept decision and attended.
  std::vector<hsize_t> dims;
  const std::vector<float> weights = test::read_dataset<float>(trajectory_path(full, 0), "role_attention",
                                                               H5T_NATIVE_FLOAT, &dims);
  std::vector<hsize_t> state_dims;
  test::read_dataset<float>(trajectory_path(full, 0), "global_states", H5T_NATIVE_FLOAT, &state_dims);
  const auto cycle_of = test::read_dataset<std::int64_t>(trajectory_path(full, 0), "global_state_index",
                                                         H5T_NATIVE_INT64);
  REQUIRE(dims.size() == 3);
  CHECK(dims[0] == state_dims.at(0));  // one row per decision cycle
  CHECK((dims[1] == roles.size() && dims[2] == roles.size()));
  const std::size_t n = roles.size();
  std::vector<std::uint8_t> decided(dims[0] * n, 0);
  for (std::size_t d = 0; d < role_column.size(); ++d)
    decided.at(static_cast<std::size_t>(cycle_of[d]) * n + role_column[d]) = 1;
  for (std::size_t a = 0; a < n; ++a) {
    std::vector<double> sum(n, 0.0);
    double cycles = 0;
    for (std::size_t c = 0; c < dims[0]; ++c) {
      double total = 0;
      for (std::size_t b = 0; b < n; ++b) total += weights[(c * n + a) * n + b];
      if (decided[c * n + a] == 0 || total <= 0) continue;
      for (std::size_t b = 0; b < n; ++b) sum[b] += weights[(c * n + a) * n + b];
      cycles += 1;
    }
    REQUIRE(cycles > 0);
    for (std::size_t b = 0; b < n; ++b) CHECK(sum[b] / cycles == Approx(curve[0].role_attention[a * n + b]));
  }
  CHECK(marlsim::ResultsReader(trajectory_path(full, 0)).attribute_int64("/", "mask_unfit") ==
        0);  // hrac samples over all

  // The networks moved, and a run resumed after iteration 0 ends exactly where the full run did.
  const std::vector<float> trained = actor_parameters(scenario, roles, policy_path(full));
  CHECK(trained != actor_parameters(scenario, roles, checkpoint_path(full, 0)));
  // The role attention is trained too (one step per iteration: iteration 1's moved it again).
  const std::vector<float> attention = actor_parameters(scenario, roles, policy_path(full), true);
  CHECK(attention != actor_parameters(scenario, roles, checkpoint_path(full, 0), true));
  std::filesystem::create_directories(resumed);
  std::filesystem::copy_file(checkpoint_path(full, 0), checkpoint_path(resumed, 0));
  TrainingSettings again = small_settings(resumed, local);
  again.resume = true;
  const std::vector<IterationRecord> rest = train_policy(self, scenario, again);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].iteration == 1);
  CHECK(rest[0].mean_return == curve[1].mean_return);
  CHECK(actor_parameters(scenario, roles, policy_path(resumed)) == trained);
  CHECK(actor_parameters(scenario, roles, policy_path(resumed), true) == attention);
  const auto full_state = nn::read_trainer_state(checkpoint_path(full, 1));
  const auto resumed_state = nn::read_trainer_state(checkpoint_path(resumed, 1));
  REQUIRE(full_state.size() == resumed_state.size());
  for (std::size_t i = 0; i < full_state.size(); ++i) {
    CHECK(full_state[i].name == resumed_state[i].name);
    CHECK(full_state[i].values == resumed_state[i].values);  // critics, Adam moments, value normalisations
  }
  const auto has = [&](const std::string& name) {
    return std::any_of(full_state.begin(), full_state.end(),
                       [&](const nn::CheckpointArray& a) { return a.name == name; });
  };
  CHECK(has("global_critic"));  // the shaping's estimator is part of the resumable state
  CHECK(has("global_optimizer"));
  CHECK(has("global_value_norm"));
  CHECK(has("attention_optimizer"));
  std::filesystem::remove_all(full);
  std::filesystem::remove_all(resumed);
}

TEST_CASE("the shipped trained hrac checkpoint loads into its scenario's roles", "[checkpoint][hrac]") {
  // configs/checkpoints/README.md: a change of the hrac layout, shapes or roles must come with a
  // retrained checkpoint (this fails first).
  const Scenario scenario = load_scenario(
      MARLSIM_SOURCE_DIR "/configs/seed-study-u80-ac.toml",
      {"scheduler.policy=hrac", "agents.checkpoint=" MARLSIM_SOURCE_DIR "/configs/checkpoints/hrac-seed-study-u80.h5"});
  const std::vector<std::string> roles{"high", "medium", "low"};
  const auto trained = make_hrac_networks(scenario.agents, roles, scenario.run.seed);
  AgentSettings fresh = scenario.agents;
  fresh.actor_critic.checkpoint.clear();
  const auto untrained = make_hrac_networks(fresh, roles, scenario.run.seed);
  for (std::size_t r = 0; r < roles.size(); ++r) {
    CHECK_FALSE(
        trained->networks[r].actor_layers()[0].weights.isApprox(untrained->networks[r].actor_layers()[0].weights));
    CHECK_FALSE(trained->attention[r][0].weights.isApprox(untrained->attention[r][0].weights));  // trained attention
  }
}

// Training with batched episodes (run.batch_episodes, engine/training/training_run): a rank's
// episodes of an iteration run side by side in one kernel, each with its own decision log, and
// the trained result is bit-identical to collecting them one by one: every dataset of the
// checkpoints and trajectory files, and the learning curve. For decentralized-ac and hrac,
// deciding at once and in decision cycles (where the episodes' decisions share batches).
#include <hdf5.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/experiment/scenario.hpp"
#include "engine/support/input_error.hpp"
#include "engine/training/q_learning_run.hpp"
#include "engine/training/training_run.hpp"

using namespace marlsim;

namespace {

// Every dataset of an HDF5 file, by path, as raw bytes (attributes and times left out).
std::map<std::string, std::vector<char>> datasets(const std::string& path) {
  std::map<std::string, std::vector<char>> out;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  const auto visit = [](hid_t root, const char* name, const H5O_info_t* info, void* data) -> herr_t {
    if (info->type != H5O_TYPE_DATASET) return 0;
    const hid_t set = H5Dopen2(root, name, H5P_DEFAULT);
    const hid_t type = H5Dget_type(set);
    std::vector<char> bytes(H5Dget_storage_size(set) > 0
                                ? static_cast<std::size_t>(H5Sget_simple_extent_npoints(H5Dget_space(set))) *
                                      H5Tget_size(type)
                                : 0);
    if (!bytes.empty()) H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
    H5Tclose(type);
    H5Dclose(set);
    (*static_cast<std::map<std::string, std::vector<char>>*>(data))[name] = std::move(bytes);
    return 0;
  };
  H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, visit, &out, H5O_INFO_BASIC);
  H5Fclose(file);
  return out;
}

std::string fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("marlsim_batched_training_" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

std::vector<IterationRecord> train(const std::string& policy, const std::vector<std::string>& overrides,
                                   std::uint32_t batch, const std::string& dir) {
  std::vector<std::string> all{"workload.tasks=150"};
  all.insert(all.end(), overrides.begin(), overrides.end());
  Scenario scenario = load_scenario(MARLSIM_SOURCE_DIR "/configs/seed-study-u80-ac.toml", all);
  scenario.batch_episodes = batch;
  TrainingSettings s;
  s.policy = policy;
  s.iterations = 2;
  s.episodes_per_iteration = 3;
  s.checkpoint_dir = dir;
  s.ppo.epochs = 2;
  s.ppo.minibatch = 64;
  s.reward_lambda = 0.5;
  s.critic_hidden = {16};
  return train_policy(Communicator(MPI_COMM_SELF), scenario, s);
}

}  // namespace

TEST_CASE("training with batched episodes gives the same bits as one episode at a time", "[training][batched]") {
  const std::string policy = GENERATE(std::string("decentralized-ac"), std::string("hrac"));
  // At once (each LP decides alone) and in 0.5 s decision cycles (one decide() for every
  // episode's requests of a cycle: the per-episode logs split them).
  const std::vector<std::string> overrides = GENERATE(std::vector<std::string>{},
                                                      std::vector<std::string>{"agents.decision_period_s=0.5"});
  CAPTURE(policy, overrides);
  const std::string alone = fresh_dir("alone"), batched = fresh_dir("batched");
  const std::vector<IterationRecord> a = train(policy, overrides, 1, alone);
  const std::vector<IterationRecord> b = train(policy, overrides, 3, batched);
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 2);
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].decisions > 0);
    CHECK(b[i].decisions == a[i].decisions);
    CHECK(b[i].mean_return == a[i].mean_return);
    CHECK(b[i].mean_completion_s == a[i].mean_completion_s);
    CHECK(b[i].sla_pct == a[i].sla_pct);
    CHECK(b[i].update.policy_loss == a[i].update.policy_loss);
    CHECK(b[i].update.value_loss == a[i].update.value_loss);
    CHECK(b[i].update.entropy == a[i].update.entropy);
    CHECK(b[i].update.approx_kl == a[i].update.approx_kl);
    CHECK(b[i].role_attention == a[i].role_attention);
  }
  for (const std::string& file :
       {checkpoint_path(alone, 1), trajectory_path(alone, 0), trajectory_path(alone, 1), policy_path(alone)}) {
    const std::string other = (std::filesystem::path(batched) / std::filesystem::path(file).filename()).string();
    const auto x = datasets(file), y = datasets(other);
    CHECK(!x.empty());
    CHECK(x == y);
  }
  std::filesystem::remove_all(alone);
  std::filesystem::remove_all(batched);
}

TEST_CASE("hierrl training refuses batched episodes, naming the key", "[training][batched]") {
  Scenario scenario = load_scenario(MARLSIM_SOURCE_DIR "/configs/seed-study-u80-ac.toml",
                                    {"workload.tasks=50", "scheduler.topology=two-level"});
  scenario.batch_episodes = 2;
  QLearningSettings s;
  s.iterations = 1;
  s.episodes_per_iteration = 2;
  CHECK_THROWS_WITH(train_hierrl(Communicator(MPI_COMM_SELF), scenario, s),
                    Catch::StartsWith("run.batch_episodes: hierrl trains one episode per kernel"));
}

// `marlsim train`: PPO with a centralized critic on a scenario's learned policy (issue 12).
// Ranks collect episodes in parallel and average gradients (engine/training/training_run.hpp);
// one line of progress per iteration, a profile of where the time went at the end, a
// checkpoint per iteration that `marlsim run --set agents.checkpoint=FILE` evaluates.
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/output_set.hpp"
#include "cli/train_hierrl.hpp"
#include "cli/train_summary.hpp"
#include "engine/experiment/scenario.hpp"
#include "engine/support/input_error.hpp"
#include "engine/training/training_run.hpp"

namespace marlsim::cli {
namespace {

using Clock = std::chrono::steady_clock;

class TrainCommand final : public Command {
 public:
  explicit TrainCommand(CLI::App& parent) {
    app_ = parent.add_subcommand("train", "Train a learned policy on a scenario (PPO, centralized critic)");
    app_->add_option("scenario,--scenario", scenario_path_, "Scenario TOML file (see configs/)")->required();
    app_->add_option("--policy", settings_.policy, "Learned policy to train")->capture_default_str();
    app_->add_option("--iterations", settings_.iterations, "Collect-and-update iterations")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app_->add_option("--episodes-per-iteration", settings_.episodes_per_iteration,
                     "Episodes collected per iteration, over all ranks (at least one per rank)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app_->add_option("--batch-episodes", batch_episodes_,
                     "Episodes a rank runs side by side in one kernel, their decisions sharing inference batches "
                     "(overrides run.batch_episodes; 1 to 64; the result is the same for any value)")
        ->check(CLI::Range(1, 64));
    app_->add_option("--checkpoint-dir", settings_.checkpoint_dir,
                     "Write iteration-NNNNNN.h5 (the policy plus the trainer's state) here after every iteration");
    app_->add_flag("--resume", settings_.resume,
                   "Continue from the last checkpoint in --checkpoint-dir (the same result as an uninterrupted run)");
    app_->add_option("--learning-rate", settings_.ppo.adam.learning_rate, "Adam's step size")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app_->add_option("--epochs", settings_.ppo.epochs, "PPO epochs over each iteration's decisions")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app_->add_option("--reward-lambda", settings_.reward_lambda,
                     "Local-global reward shaping: r = lambda r_local + (1 - lambda) (V(S') - V(S)); 1 = none")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    app_->add_option("--local-reward", local_reward_,
                     "What the PPO learners train on: task (each decision's task completion time, the objective) "
                     "or node-wait (the deciding node's own queue waiting until its next decision)")
        ->check(CLI::IsMember({"task", "node-wait"}))
        ->capture_default_str();
    app_->add_option("--summary-json", summary_json_, "Write the learning curve and the update profile as JSON");
    app_->add_option("--seed", seed_, "Random seed (overrides run.seed)")->check(seed_validator());
    app_->add_option("--set", overrides_, "Override a scenario field: KEY=VALUE (repeatable)");
    app_->add_flag("--quiet", quiet_, "No per-iteration lines");
    // hierrl (DQN) only: the grid its training episodes cycle through (q_learning_run.hpp).
    app_->add_option("--train-nodes", hierrl_.settings.train_nodes, "hierrl: cluster sizes of the training episodes");
    app_->add_option("--train-tasks", hierrl_.settings.train_tasks, "hierrl: task counts of the training episodes");
    app_->add_option("--train-window-offsets-s", hierrl_.settings.train_window_offsets_s,
                     "hierrl: trace window offsets (s) of the training episodes");
    app_->add_option("--steps-per-iteration", hierrl_.settings.steps_per_iteration, "hierrl: DQN steps per level")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app_->add_option("--n-step", hierrl_.settings.low.n_step,
                     "hierrl: the low level's (local queues') TD targets sum this many of a node's rewards before "
                     "bootstrapping (1: one-step Q-learning)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
  }

  const CLI::App& app() const override { return *app_; }

  int run(const Communicator& comm) override {
    std::vector<std::string> overrides = overrides_;
    if (app_->count("--seed") > 0) overrides.push_back("run.seed=" + std::to_string(seed_));
    if (app_->count("--batch-episodes") > 0)
      overrides.push_back("run.batch_episodes=" + std::to_string(batch_episodes_));
    const Scenario scenario = load_scenario(scenario_path_, overrides);
    refuse_options_of_other_trainer();
    settings_.local_reward = parse_local_reward(local_reward_, "--local-reward");
    if (settings_.policy == "hierrl") return run_hierrl(comm, scenario);
    OutputSet outputs(comm);
    outputs.add_input(scenario.path);
    outputs.add("--summary-json", summary_json_);
    const bool root = comm.is_root();
    print_training_start(comm, scenario, settings_.policy, settings_.iterations, settings_.episodes_per_iteration);

    const auto t0 = Clock::now();
    const auto print = [&](const IterationRecord& r) {
      if (!root || quiet_) return;
      fmt::print(
          "iter {:>4}/{}  return {:9.3f}  completion {:7.2f} s  SLA {:5.1f} %  entropy {:.3f}  value loss {:.4f}  "
          "KL {:.4f}  clip {:.2f}  collect {:.2f} s  update {:.2f} s\n",
          r.iteration + 1, settings_.iterations, r.mean_return, r.mean_completion_s, r.sla_pct, r.update.entropy,
          r.update.value_loss, r.update.approx_kl, r.update.clip_fraction, r.collect_s, r.update_s);
      std::fflush(stdout);
    };
    const std::vector<IterationRecord> curve = train_policy(comm, scenario, settings_, print);
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!summary_json_.empty() && root)
      outputs.write_text("--summary-json", summary(scenario, curve, wall).dump(2) + "\n");
    outputs.publish();
    if (!root) return 0;
    print_profile(curve);
    print_training_end(scenario, settings_.policy, wall, settings_.checkpoint_dir, summary_json_);
    return 0;
  }

 private:
  // An option of the other training loop (PPO vs hierrl's Q-learning) would be silently ignored.
  void refuse_options_of_other_trainer() const {
    const bool q_learning = settings_.policy == "hierrl";
    for (const char* option :
         {"--train-nodes", "--train-tasks", "--train-window-offsets-s", "--steps-per-iteration", "--n-step"})
      if (!q_learning && app_->count(option) > 0)
        throw InputError::at(option, "applies only to --policy hierrl (Q-learning), not to " + settings_.policy);
    for (const char* option : {"--epochs", "--reward-lambda", "--local-reward"})
      if (q_learning && app_->count(option) > 0)
        throw InputError::at(option, "applies only to the PPO policies (decentralized-ac, hrac), not to hierrl");
  }

  int run_hierrl(const Communicator& comm, const Scenario& scenario) {
    HierRlTrainOptions o = hierrl_;
    o.settings.iterations = settings_.iterations;
    o.settings.episodes_per_iteration = settings_.episodes_per_iteration;
    o.settings.checkpoint_dir = settings_.checkpoint_dir;
    o.settings.resume = settings_.resume;
    if (app_->count("--learning-rate") > 0)
      o.settings.high.adam.learning_rate = o.settings.low.adam.learning_rate = settings_.ppo.adam.learning_rate;
    o.summary_json = summary_json_;
    o.quiet = quiet_;
    return run_hierrl_training(comm, scenario, o);
  }

  // Where the time went: collection (simulation with inference) vs the update, and each role's
  // update split into forward, backward and optimizer step (its actor and critic together).
  void print_profile(const std::vector<IterationRecord>& curve) const {
    double collect = 0, update = 0;
    std::vector<std::string> roles;
    std::vector<nn::PpoStats> per_role;
    for (const IterationRecord& r : curve) {
      collect += r.collect_s;
      update += r.update_s;
      if (per_role.size() < r.roles.size()) per_role.resize(r.roles.size()), roles.resize(r.roles.size());
      for (std::size_t k = 0; k < r.roles.size(); ++k) {
        roles[k] = r.roles[k].role;
        per_role[k].forward_s += r.roles[k].stats.forward_s;
        per_role[k].backward_s += r.roles[k].stats.backward_s;
        per_role[k].optimizer_s += r.roles[k].stats.optimizer_s;
      }
    }
    const double n = std::max<double>(1.0, static_cast<double>(curve.size()));
    print_profile_start(curve.size(), collect, update, "update " + settings_.policy);
    for (std::size_t k = 0; k < per_role.size(); ++k) {
      const nn::PpoStats& s = per_role[k];
      const std::string who = per_role.size() > 1 ? "  role " + roles[k] + ": " : "  ";
      fmt::print("  {:<44} {:>10.4f}\n", who + "forward (actor + critic)", s.forward_s / n);
      fmt::print("  {:<44} {:>10.4f}\n", who + "backward (actor + critic)", s.backward_s / n);
      fmt::print("  {:<44} {:>10.4f}\n", who + "optimizer (clip + Adam)", s.optimizer_s / n);
    }
    // hrac: the last iteration's role attention (row: the attending role's mean weights).
    if (!curve.empty() && !curve.back().role_attention.empty()) {
      fmt::print("role attention (last iteration; row attends to column):\n  {:<10}", "");
      for (const std::string& r : roles) fmt::print(" {:>10}", r);
      for (std::size_t a = 0; a < roles.size(); ++a) {
        fmt::print("\n  {:<10}", roles[a]);
        for (std::size_t b = 0; b < roles.size(); ++b)
          fmt::print(" {:>10.3f}", curve.back().role_attention[a * roles.size() + b]);
      }
      fmt::print("\n");
    }
  }

  nlohmann::json summary(const Scenario& scenario, const std::vector<IterationRecord>& curve, double wall) const {
    nlohmann::json rows = nlohmann::json::array();
    for (const IterationRecord& r : curve) {
      nlohmann::json roles = nlohmann::json::array();
      for (const RoleUpdate& u : r.roles)
        roles.push_back({{"role", u.role},
                         {"decisions", u.decisions},
                         {"updated", u.updated},
                         {"policy_loss", u.stats.policy_loss},
                         {"value_loss", u.stats.value_loss},
                         {"entropy", u.stats.entropy},
                         {"approx_kl", u.stats.approx_kl},
                         {"forward_s", u.stats.forward_s},
                         {"backward_s", u.stats.backward_s},
                         {"optimizer_s", u.stats.optimizer_s}});
      rows.push_back({{"iteration", r.iteration},
                      {"episodes", r.episodes},
                      {"decisions", r.decisions},
                      {"mean_return", r.mean_return},
                      {"mean_completion_s", r.mean_completion_s},
                      {"sla_pct", r.sla_pct},
                      {"policy_loss", r.update.policy_loss},
                      {"value_loss", r.update.value_loss},
                      {"entropy", r.update.entropy},
                      {"approx_kl", r.update.approx_kl},
                      {"clip_fraction", r.update.clip_fraction},
                      {"grad_norm", r.update.grad_norm},
                      {"collect_s", r.collect_s},
                      {"update_s", r.update_s},
                      {"forward_s", r.update.forward_s},
                      {"backward_s", r.update.backward_s},
                      {"optimizer_s", r.update.optimizer_s},
                      {"roles", roles},
                      {"role_attention", r.role_attention},
                      {"checkpoint", r.checkpoint}});
    }
    nlohmann::json summary = training_summary(scenario, settings_.policy, settings_.iterations,
                                              settings_.episodes_per_iteration, wall, std::move(rows));
    summary["reward_lambda"] = settings_.reward_lambda;
    summary["local_reward"] = local_reward_name(settings_.local_reward);
    return summary;
  }

  CLI::App* app_ = nullptr;
  std::string scenario_path_;
  TrainingSettings settings_;
  std::string summary_json_;
  std::string local_reward_ = "task";
  std::uint64_t seed_ = 1;
  std::uint32_t batch_episodes_ = 1;
  std::vector<std::string> overrides_;
  bool quiet_ = false;
  HierRlTrainOptions hierrl_;
};

}  // namespace

std::unique_ptr<Command> make_train_command(CLI::App& parent) { return std::make_unique<TrainCommand>(parent); }

}  // namespace marlsim::cli

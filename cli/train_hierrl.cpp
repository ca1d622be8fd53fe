#include "cli/train_hierrl.hpp"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "cli/output_set.hpp"
#include "cli/train_summary.hpp"

namespace marlsim::cli {

int run_hierrl_training(const Communicator& comm, const Scenario& scenario, const HierRlTrainOptions& options) {
  const QLearningSettings& s = options.settings;
  OutputSet outputs(comm);
  outputs.add_input(scenario.path);
  outputs.add("--summary-json", options.summary_json);
  const bool root = comm.is_root();
  print_training_start(comm, scenario, "hierrl (DQN, both levels)", s.iterations, s.episodes_per_iteration);
  const auto t0 = std::chrono::steady_clock::now();
  const auto print = [&](const QIterationRecord& r) {
    if (!root || options.quiet) return;
    fmt::print(
        "iter {:>4}/{}  completion {:8.2f} s  epsilon {:.3f}  high: loss {:.4f} Q {:8.3f}  low: loss {:.4f} Q {:8.3f}  "
        "decisions {}/{}  collect {:.2f} s  update {:.2f} s\n",
        r.iteration + 1, s.iterations, r.mean_completion_s, r.epsilon, r.high.loss, r.high.mean_q, r.low.loss,
        r.low.mean_q, r.high_decisions, r.low_decisions, r.collect_s, r.update_s);
    std::fflush(stdout);
  };
  const std::vector<QIterationRecord> curve = train_hierrl(comm, scenario, s, print);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!options.summary_json.empty() && root) {
    nlohmann::json rows = nlohmann::json::array();
    for (const QIterationRecord& r : curve)
      rows.push_back({{"iteration", r.iteration},
                      {"episodes", r.episodes},
                      {"high_decisions", r.high_decisions},
                      {"low_decisions", r.low_decisions},
                      {"mean_completion_s", r.mean_completion_s},
                      {"epsilon", r.epsilon},
                      {"high_loss", r.high.loss},
                      {"high_mean_q", r.high.mean_q},
                      {"low_loss", r.low.loss},
                      {"low_mean_q", r.low.mean_q},
                      {"collect_s", r.collect_s},
                      {"update_s", r.update_s},
                      {"checkpoint", r.checkpoint}});
    const nlohmann::json summary = training_summary(scenario, "hierrl", s.iterations, s.episodes_per_iteration, wall,
                                                    std::move(rows));
    outputs.write_text("--summary-json", summary.dump(2) + "\n");
  }
  outputs.publish();
  if (!root) return 0;
  double collect = 0, update = 0;
  for (const QIterationRecord& r : curve) collect += r.collect_s, update += r.update_s;
  print_profile_start(curve.size(), collect, update, "update hierrl (both levels)");
  print_training_end(scenario, "hierrl", wall, s.checkpoint_dir, options.summary_json);
  return 0;
}

}  // namespace marlsim::cli

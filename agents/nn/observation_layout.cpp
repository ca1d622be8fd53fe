#include "agents/nn/observation_layout.hpp"

namespace marlsim::nn {

std::string ObservationLayout::to_text() const {
  std::string text = "observation layout of " + policy + "\n";
  const auto section = [&](const char* label, const std::vector<ObservationFeature>& features) {
    for (std::size_t i = 0; i < features.size(); ++i)
      text += std::string(label) + " " + std::to_string(i) + " " + features[i].name + " [" + features[i].unit + "] " +
              features[i].normalisation + "\n";
  };
  section("own", own);
  section("candidate", candidate);
  return text;
}

const ObservationLayout& decentralized_ac_observation_layout() {
  static const ObservationLayout layout{
      "decentralized-ac",
      {
          // Its own state.
          {"own.cpu_free", "cores", "/ own cpu capacity"},
          {"own.mem_free", "GiB", "/ own memory capacity"},
          {"own.running_tasks", "tasks", "/ own cpu capacity (cores)"},
          // Queue statistics.
          {"queue.length", "tasks", "log1p"},
          {"queue.oldest_wait", "s", "log1p"},
          {"queue.mean_cpu_demand", "cores", "/ own cpu capacity"},
          // The task to place.
          {"task.cpu_demand", "cores", "/ own cpu capacity"},
          {"task.mem_demand", "GiB", "/ own memory capacity"},
          {"task.expected_duration", "s", "log1p"},
          {"task.wait_so_far", "s", "log1p"},
      },
      {
          // The candidate's last report, and how old it is.
          {"candidate.cpu_free", "cores", "/ candidate cpu capacity"},
          {"candidate.mem_free", "GiB", "/ candidate memory capacity"},
          {"candidate.queue_length", "tasks", "log1p"},
          {"candidate.report_age", "s", "log1p"},
          {"candidate.fits_task", "0/1", "1 if the reported free resources hold the task"},
          {"candidate.is_self", "0/1", "1 if the candidate is the deciding node"},
          {"candidate.latency", "s", "* 1000 (ms)"},
      }};
  return layout;
}

}  // namespace marlsim::nn

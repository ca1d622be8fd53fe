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
  section("global", global);
  return text;
}

const ObservationLayout& decentralized_ac_observation_layout() {
  // Computed in agents/actor_critic_features.cpp, one line per entry, in this order. "own" is
  // the deciding node; a central scheduler has none and sees zeros there. Reports are the
  // decider's ClusterView: as stale as its gossip, plus its own dispatches not yet reported.
  static const ObservationLayout layout{
      "decentralized-ac",
      {
          // Its own state.
          {"own.cpu_free", "cores", "/ own cpu capacity (0 without an own node)"},
          {"own.mem_free", "GiB", "/ own memory capacity (0 without an own node)"},
          {"own.running_tasks", "tasks", "/ own cpu capacity (cores) (0 without an own node)"},
          // Queue statistics of its own local queue.
          {"queue.length", "tasks", "log1p (0 without an own node)"},
          {"queue.backlog", "s", "log1p of queued + running work / (own cores x speed) (0 without an own node)"},
          {"queue.mean_cpu_demand", "cores", "queued cores / queue length / own cpu capacity (0 if empty)"},
          // The task to place.
          {"task.cpu_demand", "cores", "log1p"},
          {"task.mem_demand", "GiB", "log1p"},
          {"task.expected_duration", "s", "log1p of work / cores (run time at speed 1)"},
          {"task.wait_so_far", "s", "log1p of now - arrival"},
      },
      {
          // The candidate's last report, and how old it is.
          {"candidate.cpu_free", "cores", "/ candidate cpu capacity"},
          {"candidate.mem_free", "GiB", "/ candidate memory capacity"},
          {"candidate.queue_length", "tasks", "log1p"},
          {"candidate.report_age", "s", "log1p of now - report time (never heard: now - 0)"},
          {"candidate.fits_task", "0/1", "1 if the reported free resources hold the task and no queue is ahead"},
          {"candidate.is_self", "0/1", "1 if the candidate is the deciding node"},
          {"candidate.expected_completion", "s", "log1p of backlog + the task's run time there"},
      },
      {
          // The true state of every node (not a view), summarised; down nodes count as full.
          {"global.cpu_free_mean", "cores", "mean over nodes of free / capacity"},
          {"global.cpu_free_std", "cores", "standard deviation over nodes of free / capacity"},
          {"global.mem_free_mean", "GiB", "mean over nodes of free / capacity"},
          {"global.queue_length_mean", "tasks", "log1p of the mean local queue length"},
          {"global.queue_length_max", "tasks", "log1p of the longest local queue"},
          {"global.idle_fraction", "nodes", "share of nodes with an empty queue and a free core"},
          {"global.backlog", "s", "log1p of queued + running work / (cores x speed) summed over nodes"},
          {"global.up_fraction", "nodes", "share of nodes up"},
      }};
  return layout;
}

const ObservationLayout& hrac_observation_layout() {
  static const ObservationLayout layout = [] {
    ObservationLayout l = decentralized_ac_observation_layout();
    l.policy = "hrac";
    const std::size_t own = l.own.size();
    for (std::size_t i = 0; i < own; ++i) {
      const ObservationFeature& f = l.own[i];
      // own.cpu_free -> attended.cpu_free, task.cpu_demand -> attended.task.cpu_demand
      const std::string tail = f.name.rfind("own.", 0) == 0 ? f.name.substr(4) : f.name;
      l.own.push_back({"attended." + tail, f.unit,
                       "role attention: softmax-weighted mean over the other roles present among the candidates of "
                       "that role's mean (" +
                           f.name + " of each candidate of the role); 0 with no other role"});
    }
    return l;
  }();
  return layout;
}

}  // namespace marlsim::nn

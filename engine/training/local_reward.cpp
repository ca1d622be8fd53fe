#include "engine/training/local_reward.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "engine/support/input_error.hpp"

namespace marlsim {

std::string local_reward_name(LocalReward kind) { return kind == LocalReward::Task ? "task" : "node-wait"; }

LocalReward parse_local_reward(const std::string& text, const std::string& option) {
  if (text == "task") return LocalReward::Task;
  if (text == "node-wait") return LocalReward::NodeWait;
  throw InputError::at(option, "expected task or node-wait, got " + text);
}

std::vector<float> node_wait_rewards(const DecisionLog& log, const EpisodeResult& result, double reward_scale_s) {
  double stop_s = result.metrics.makespan_s;
  for (double t : log.time_s) stop_s = std::max(stop_s, t);
  // Each node's waiting intervals [ready, start), in seconds; kNoNode collects every node's.
  std::map<NodeId, std::vector<std::pair<double, double>>> waits;
  for (const TaskRecord& t : result.tasks) {
    if (t.start <= t.ready) continue;
    const std::pair<double, double> w{to_seconds(t.ready), to_seconds(t.start)};
    waits[t.node].push_back(w);
    waits[kNoNode].push_back(w);
  }
  // Each decision's interval ends at its agent's next decision (log order is time order per agent).
  const std::size_t n = log.decisions();
  std::vector<double> until(n, stop_s);
  std::map<NodeId, std::size_t> later;  // agent -> its next decision, scanning backwards
  for (std::size_t d = n; d-- > 0;) {
    const auto it = later.find(log.agents[d]);
    if (it != later.end()) until[d] = log.time_s[it->second];
    later[log.agents[d]] = d;
  }
  std::vector<float> rewards(n, 0.0f);
  for (std::size_t d = 0; d < n; ++d) {
    const auto it = waits.find(log.agents[d]);
    if (it == waits.end()) continue;
    double waited = 0;
    for (const auto& [ready, start] : it->second)
      waited += std::max(0.0, std::min(start, until[d]) - std::max(ready, log.time_s[d]));
    rewards[d] = static_cast<float>(-waited / reward_scale_s);
  }
  return rewards;
}

}  // namespace marlsim

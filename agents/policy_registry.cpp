// The list of scheduling policies. Adding one: a new file in agents/ defining its factory,
// plus its declaration and its entry below. An explicit list, because a static library drops
// object files that nothing references, and self-registering statics would vanish with them.
#include "agents/policy_registry.hpp"

#include <string>

#include "engine/support/find_named.hpp"
#include "engine/support/input_error.hpp"

namespace marlsim {

std::unique_ptr<SchedulingPolicy> make_random_policy();               // agents/random_policy.cpp
std::unique_ptr<SchedulingPolicy> make_weighted_round_robin_policy();  // agents/weighted_round_robin_policy.cpp
std::unique_ptr<SchedulingPolicy> make_priority_min_min_policy();      // agents/priority_min_min_policy.cpp
std::unique_ptr<SchedulingPolicy> make_least_loaded_policy();          // agents/least_loaded_policy.cpp
std::unique_ptr<SchedulingPolicy> make_best_fit_policy();              // agents/best_fit_policy.cpp
std::unique_ptr<SchedulingPolicy> make_ray_hybrid_policy();            // agents/ray_hybrid_policy.cpp
std::unique_ptr<SchedulingPolicy> make_actor_critic_policy();          // agents/actor_critic_policy.cpp

const std::vector<PolicyInfo>& scheduling_policies() {
  static const std::vector<PolicyInfo> kPolicies = {
      {"random", "uniform over the feasible candidates (the deciding LP's stream)", &make_random_policy},
      {"weighted-rr", "smooth weighted round robin, weight = cores x speed", &make_weighted_round_robin_policy},
      {"priority-minmin", "batches Min-Min by priority class; one task: minimum expected completion",
       &make_priority_min_min_policy},
      {"least-loaded", "lowest believed load (running + queued cores per core), then shortest backlog", &make_least_loaded_policy},
      {"best-fit", "Tetris alignment of demand with free cores and memory; else minimum expected completion",
       &make_best_fit_policy},
      {"ray-hybrid",
       "Ray's default: local below 50 % utilization (Ray 1.3), else random among the top 20 % of the cluster's "
       "nodes, least utilized first (Ray 2.3)",
       &make_ray_hybrid_policy},
      {"decentralized-ac", "actor-critic (untrained unless agents.checkpoint): one shared network scores K candidates, "
       "softmax, sample; nodes or the scheduler decide", &make_actor_critic_policy},
  };
  return kPolicies;
}

std::unique_ptr<SchedulingPolicy> make_scheduling_policy(std::string_view name) {
  return find_named(scheduling_policies(), name, "scheduling policy", [](const PolicyInfo& p) { return p.name; }).make();
}

}  // namespace marlsim

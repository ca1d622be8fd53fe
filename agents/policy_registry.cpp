// The list of scheduling policies. Adding one: a new file in agents/ defining its factory,
// plus its declaration and its entry below. An explicit list, because a static library drops
// object files that nothing references, and self-registering statics would vanish with them.
#include "agents/policy_registry.hpp"

#include <string>

#include "engine/support/find_named.hpp"
#include "engine/support/input_error.hpp"

namespace marlsim {

std::unique_ptr<SchedulingPolicy> make_random_policy(const PolicyContext&);  // agents/random_policy.cpp
std::unique_ptr<SchedulingPolicy> make_weighted_round_robin_policy(
    const PolicyContext&);  // agents/weighted_round_robin_policy.cpp
std::unique_ptr<SchedulingPolicy> make_priority_min_min_policy(
    const PolicyContext&);                                                         // agents/priority_min_min_policy.cpp
std::unique_ptr<SchedulingPolicy> make_least_loaded_policy(const PolicyContext&);  // agents/least_loaded_policy.cpp
std::unique_ptr<SchedulingPolicy> make_best_fit_policy(const PolicyContext&);      // agents/best_fit_policy.cpp
std::unique_ptr<SchedulingPolicy> make_ray_hybrid_policy(const PolicyContext&);    // agents/ray_hybrid_policy.cpp
std::unique_ptr<SchedulingPolicy> make_ray_hybrid_sampled_policy(
    const PolicyContext&);  // agents/ray_hybrid_sampled_policy.cpp
std::unique_ptr<SchedulingPolicy> make_actor_critic_policy(const PolicyContext&);  // agents/actor_critic_policy.cpp
std::unique_ptr<SchedulingPolicy> make_hrac_policy(const PolicyContext&);          // agents/hrac_policy.cpp
std::unique_ptr<SchedulingPolicy> make_hierrl_policy(const PolicyContext&);        // agents/hierrl_policy.cpp

const std::vector<PolicyInfo>& scheduling_policies() {
  static const std::vector<PolicyInfo> kPolicies = {
      // name, description, {needs load information, needs a local node}, factory
      {"random",
       "uniform over the feasible candidates (the deciding LP's stream)",
       {false, false},
       &make_random_policy},
      {"weighted-rr",
       "smooth weighted round robin, weight = cores x speed",
       {false, false},
       &make_weighted_round_robin_policy},
      {"priority-minmin",
       "batches Min-Min by priority class; one task: minimum expected completion",
       {true, false},
       &make_priority_min_min_policy},
      {"least-loaded",
       "lowest believed load (running + queued cores per core), then shortest backlog",
       {true, false},
       &make_least_loaded_policy},
      {"best-fit",
       "Tetris alignment of demand with free cores and memory; else minimum expected completion",
       {true, false},
       &make_best_fit_policy},
      {"ray-hybrid",
       "Ray's default: local below 50 % utilization (Ray 1.3), else random among the top 20 % of the cluster's "
       "nodes, least utilized first (Ray 2.3)",
       {true, true},
       &make_ray_hybrid_policy},
      {"ray-hybrid-sampled",
       "ray-hybrid over a declared sample: 100 uniform draws of the candidates (repeats merged), top 20 % of the "
       "sample",
       {true, true},
       &make_ray_hybrid_sampled_policy},
      {"decentralized-ac",
       "actor-critic (untrained unless agents.checkpoint): one shared network scores K candidates, "
       "softmax, sample; nodes or the scheduler decide",
       {false, false},  // without load sharing it sees its own state and the candidates' report age (never)
       &make_actor_critic_policy},
      {"hrac",
       "role-based actor-critic (untrained unless agents.checkpoint): one network per role (agents.roles: tiers, "
       "scheduler) with attention over the other roles' states; nodes or the scheduler decide",
       {false, false},
       &make_hrac_policy},
      {"hierrl",
       "hierarchical Q-learning (untrained unless agents.checkpoint): a global agent scores each candidate node, a "
       "node agent each queued task (it replaces scheduler.queue); greedy; two-level or centralized",
       {true, false},
       &make_hierrl_policy},
  };
  return kPolicies;
}

const PolicyInfo& scheduling_policy_info(std::string_view name) {
  return find_named(scheduling_policies(), name, "scheduling policy", [](const PolicyInfo& p) { return p.name; });
}

std::unique_ptr<SchedulingPolicy> make_scheduling_policy(std::string_view name, const PolicyContext& context) {
  return scheduling_policy_info(name).make(context);
}

}  // namespace marlsim

#pragma once
// hrac's role attention as a training metric (IterationRecord::role_attention): the mean
// attention weights of each role's decision batches over the other roles.
#include <cstddef>
#include <vector>

#include "agents/decision_log.hpp"

namespace marlsim {

// Adds an episode's role attention (DecisionLog::role_attention: per decision cycle, roles x
// roles, row a the mean weights of role a's decisions of that cycle) to per-pair sums
// (roles x roles) and per-role counts of the cycles where the role attended another role.
// `log` is the scored one (rollout.hpp): a cycle counts for role a only if a decision of role
// a in it was kept, so warm-up decisions (simulated, not trained on) do not count. Nothing for
// a log without role attention.
void add_role_attention(const DecisionLog& log, std::size_t roles, std::vector<double>& sum,
                        std::vector<double>& cycles);

}  // namespace marlsim

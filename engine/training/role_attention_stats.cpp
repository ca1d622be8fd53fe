#include "engine/training/role_attention_stats.hpp"

#include <cstdint>

namespace marlsim {

void add_role_attention(const DecisionLog& log, std::size_t roles, std::vector<double>& sum,
                        std::vector<double>& cycles) {
  if (log.role_attention.empty()) return;
  std::vector<std::uint8_t> kept(log.role_attention.size() / roles, 0);  // cycles x roles
  for (std::size_t d = 0; d < log.decisions(); ++d)
    kept.at(log.global_state[d] * roles + (log.roles.empty() ? 0 : log.roles[d])) = 1;
  for (std::size_t c = 0; c * roles * roles < log.role_attention.size(); ++c)
    for (std::size_t a = 0; a < roles; ++a) {
      if (kept[c * roles + a] == 0) continue;
      const float* row = log.role_attention.data() + (c * roles + a) * roles;
      double total = 0;
      for (std::size_t b = 0; b < roles; ++b) total += row[b];
      if (total <= 0) continue;  // role a saw no other role among its candidates
      for (std::size_t b = 0; b < roles; ++b) sum[a * roles + b] += row[b];
      cycles[a] += 1;
    }
}

}  // namespace marlsim

#include "engine/kernel/partition.hpp"

#include "engine/support/input_error.hpp"

namespace marlsim {

PartitionKind parse_partition_kind(std::string_view name) {
  if (name == "block") return PartitionKind::Block;
  if (name == "round-robin") return PartitionKind::RoundRobin;
  throw InputError::at("partition", "expected one of: block, round-robin; got \"" + std::string(name) + "\"");
}

std::string_view partition_kind_name(PartitionKind kind) {
  return kind == PartitionKind::Block ? "block" : "round-robin";
}

Partition::Partition(std::uint64_t num_lps, int ranks, PartitionKind kind)
    : num_lps_(num_lps), ranks_(ranks), kind_(kind) {
  if (ranks < 1) throw InputError::at("partition", "expected at least one rank");
  if (num_lps == 0) throw InputError::at("partition", "expected at least one logical process");
  if (num_lps > kMaxLps) throw InputError::at("partition", "at most " + std::to_string(kMaxLps) + " logical processes");
  base_ = num_lps / static_cast<std::uint64_t>(ranks);
  extra_ = num_lps % static_cast<std::uint64_t>(ranks);
}

std::vector<LpId> Partition::lps_of(int rank) const {
  std::vector<LpId> out;
  for (std::uint64_t lp = 0; lp < num_lps_; ++lp)
    if (rank_of(static_cast<LpId>(lp)) == rank) out.push_back(static_cast<LpId>(lp));
  return out;
}

}  // namespace marlsim

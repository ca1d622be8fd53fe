#pragma once
// Which rank owns which logical process. The mapping never changes what a model computes
// (that is the determinism property); it only changes which events cross ranks.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/kernel/event.hpp"

namespace marlsim {

enum class PartitionKind { Block, RoundRobin };

PartitionKind parse_partition_kind(std::string_view name);  // "block" | "round-robin"
std::string_view partition_kind_name(PartitionKind kind);

class Partition {
 public:
  Partition(std::uint64_t num_lps, int ranks, PartitionKind kind);

  std::uint64_t num_lps() const { return num_lps_; }
  int ranks() const { return ranks_; }
  PartitionKind kind() const { return kind_; }

  int rank_of(LpId lp) const {
    if (kind_ == PartitionKind::RoundRobin) return static_cast<int>(lp % ranks_);
    // Block: the first (num_lps % ranks) ranks hold one extra LP.
    const std::uint64_t big = base_ + 1;
    const std::uint64_t split = extra_ * big;
    if (lp < split) return static_cast<int>(lp / big);
    return static_cast<int>(extra_ + (lp - split) / base_);
  }

  // The LPs a rank owns, in increasing id order.
  std::vector<LpId> lps_of(int rank) const;

 private:
  std::uint64_t num_lps_;
  int ranks_;
  PartitionKind kind_;
  std::uint64_t base_;   // num_lps / ranks
  std::uint64_t extra_;  // num_lps % ranks
};

}  // namespace marlsim

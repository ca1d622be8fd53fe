#pragma once
// The up nodes of a static node set (those with at least some cores), counted among the
// ones with at least a task's memory and selected by id rank, in O(log N) steps each: the
// 2-D dominance query (cores >= c, memory >= m) of `random`'s indexed decision with the
// cores fixed by the set (agents/fitting_up_nodes).
//
// A wavelet tree over ids: level 0 lists the set in memory order (descending; ties by id),
// so the nodes with at least m GB are a prefix; level l + 1 splits each level-l segment
// stably by the next id bit (zeros first), so every segment is an aligned id range and
// keeps the prefix property. Each level keeps the up flags in its order as bits with a
// Fenwick tree of counts per 64-bit word (dynamic: failures and repairs flip them); the
// id bits and their zero counts are static. The descent stops at id ranges of 64, which it
// scans in id order (cheaper than six more levels).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "workloads/cluster_spec.hpp"

namespace marlsim {

class UpNodesWaveletTree {
 public:
  using NodeId = std::uint32_t;
  // The nodes of `cluster` with at least `min_cores` cores; `up` is every node's up flag now.
  UpNodesWaveletTree(const ClusterSpec& cluster, double min_cores, const std::vector<char>& up);

  // How many nodes of the set have at least memory_gb (a prefix of level 0).
  std::size_t with_memory(double memory_gb) const;
  // Of the first `prefix` nodes of level 0, how many are up.
  std::size_t up_count(std::size_t prefix) const { return levels_[0].up_before(prefix); }
  // Of the first `prefix` nodes of level 0, the k-th (0-based) up node in id order;
  // k < up_count(prefix). `up` and `fits` are the view's up flags and the static test
  // "in the set with the prefix's memory", for the last 64 ids.
  template <typename Fits>
  NodeId kth_up(std::size_t prefix, std::size_t k, const std::vector<char>& up, Fits fits) const;

  // Node n's up flag flipped (n in the set or not).
  void set_up(NodeId n, bool up);

 private:
  struct Level {
    std::vector<std::uint64_t> up_bits;            // the up flag at each position of this level
    std::vector<std::uint32_t> fenwick;            // 1-based Fenwick tree of popcount(up_bits[w])
    std::vector<std::uint64_t> one_bits;           // the id bit this level splits on (not on the last level)
    std::vector<std::uint32_t> zeros_before_word;  // static: zeros of one_bits before each word
    std::vector<std::uint32_t> segment_start;      // static: each aligned id range's first position
    std::size_t up_before(std::size_t pos) const;  // up flags at positions < pos
    std::size_t up_between(std::size_t from, std::size_t to) const;
    std::size_t zeros_before(std::size_t pos) const;
    void add_up(std::size_t pos, bool up);
  };
  static constexpr int kScanBits = 6;  // the descent stops at id ranges of 2^kScanBits

  std::size_t cluster_size_ = 0;
  int id_bits_ = 0;                      // ids < 2^id_bits_
  int depth_ = 0;                        // levels split on id bits id_bits_ - 1 ... id_bits_ - depth_
  std::vector<double> memory_desc_;      // level 0's memory, descending
  std::vector<std::uint32_t> position_;  // each node's level-0 position (kNotInSet if not in the set)
  std::vector<Level> levels_;            // depth_ + 1 levels
  static constexpr std::uint32_t kNotInSet = 0xFFFFFFFFu;
};

template <typename Fits>
UpNodesWaveletTree::NodeId UpNodesWaveletTree::kth_up(std::size_t prefix, std::size_t k, const std::vector<char>& up,
                                                      Fits fits) const {
  std::size_t segment = 0;  // index of the aligned id range at this level
  for (int l = 0; l < depth_; ++l) {
    const Level& at = levels_[static_cast<std::size_t>(l)];
    const std::size_t start = at.segment_start[segment];
    const std::size_t zeros = at.zeros_before(start + prefix) - at.zeros_before(start);
    // The first `zeros` of the left child's segment (same start) are this prefix's zero side.
    const std::size_t up_left = levels_[static_cast<std::size_t>(l) + 1].up_between(start, start + zeros);
    if (k < up_left) {
      segment = 2 * segment;
      prefix = zeros;
    } else {
      k -= up_left;
      segment = 2 * segment + 1;
      prefix -= zeros;
    }
  }
  const std::size_t span = std::size_t{1} << (id_bits_ - depth_);
  const std::size_t end = std::min(cluster_size_, (segment + 1) * span);
  for (std::size_t n = segment * span; n < end; ++n)
    if (up[n] != 0 && fits(static_cast<NodeId>(n)) && k-- == 0) return static_cast<NodeId>(n);
  return kNotInSet;  // unreachable for k < up_count(prefix)
}

}  // namespace marlsim

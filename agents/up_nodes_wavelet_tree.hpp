#pragma once
// The up nodes of a static node set (those with at least some cores), counted among the
// ones with at least a task's memory and selected by id rank, in O(log N) steps each: the
// 2-D dominance query (cores >= c, memory >= m) of `random`'s indexed decision with the
// cores fixed by the set (agents/fitting_up_nodes).
//
// A wavelet tree over ids: level 0 lists the set in memory order (descending; ties by id),
// so the nodes with at least m GB are a prefix; level l + 1 splits each level-l segment
// stably by the next id bit (zeros first), so every segment is an aligned id range and
// keeps the prefix property. The descent stops at id ranges of 64, whose members the last
// level lists with their low id bits.
//
// Layout, for few cache misses per level (the trees outgrow the cache at 100,000 nodes):
// a level keeps, per block of 256 positions, the static id bits it splits on and the
// dynamic up flags in one 64-byte line; the counts per block (zeros before it, static; a
// Fenwick tree of its up nodes on the zero side, dynamic: failures and repairs flip them)
// are small arrays that stay in cache. A descent step reads the lines of its range's two
// ends: the zeros in the range give the child's range, the up zeros how many up nodes the
// left child holds. While every member is up (no failures), up zeros are zeros and two levels
// are one step: an even level also keeps, per position, the id bit of the level below (the
// pair of bits is the grandchild the node goes to) and per block of 192 the count of each
// pair before it, in one line; the counts in a range's prefix give the four grandchildren's
// ranges at once. So a descent reads two lines (the segment's start and counts, then the block)
// per two levels and no Fenwick tree.
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "workloads/cluster_spec.hpp"

namespace marlsim {

class UpNodesWaveletTree {
 public:
  using NodeId = std::uint32_t;
  // One tree per entry of `min_cores`: the nodes of `cluster` with at least that many cores;
  // `up` is every node's up flag now. The trees share the sort and the id splits (set-up work:
  // O(N log N) once, then O(N log N) streaming per tree).
  static std::vector<UpNodesWaveletTree> for_core_classes(const ClusterSpec& cluster,
                                                          const std::vector<double>& min_cores,
                                                          const std::vector<char>& up);

  // How many nodes of the set have at least memory_gb (a prefix of level 0).
  std::size_t with_memory(double memory_gb) const;
  // Of the first `prefix` nodes of level 0, how many are up.
  std::size_t up_count(std::size_t prefix) const;
  // Of the first `prefix` nodes of level 0, the k-th (0-based) up node in id order;
  // k < up_count(prefix).
  NodeId kth_up(std::size_t prefix, std::size_t k) const;

  // Node n's up flag flipped (n in the set or not).
  void set_up(NodeId n, bool up);
  // How many nodes of the set are down (while 0, a descent reads no up flags).
  std::size_t members_down() const { return down_; }
  // The heap bytes the tree holds alone, and those it shares with the trees built with it.
  std::size_t bytes() const;
  std::size_t shared_bytes() const;

 private:
  UpNodesWaveletTree() = default;
  static constexpr std::size_t kBlock = 256;  // positions per line
  struct alignas(64) Block {
    std::uint64_t ones[4];  // the id bit this level splits on (0 on the last level)
    std::uint64_t up[4];    // the up flag at each position
  };
  struct Ranks {
    std::size_t zeros, up_zeros;  // positions with a 0 id bit, and those of them up
  };
  struct Level {
    std::vector<Block> blocks;
    std::vector<std::uint32_t> zeros_before_block;          // static
    std::vector<std::uint32_t> up_zeros_fenwick;            // 1-based Fenwick tree of each block's up zeros
    std::vector<std::uint32_t> segment_start;               // static: each aligned id range's first position
    std::vector<std::uint32_t> zeros_before_segment;        // static: zeros_before(segment_start[s])
    Ranks in_block(std::size_t pos) const;                  // in pos's block, before pos
    Ranks between(std::size_t from, std::size_t to) const;  // in [from, to)
    std::size_t zeros_before(std::size_t pos) const;        // the id bits only (no up flags)
    bool up_at(std::size_t pos) const { return (blocks[pos / kBlock].up[pos % kBlock / 64] >> (pos % 64)) & 1u; }
    bool one_at(std::size_t pos) const { return (blocks[pos / kBlock].ones[pos % kBlock / 64] >> (pos % 64)) & 1u; }
  };
  // Level l (even, l + 1 < depth_) with the bit level l + 1 splits on: a node's pair
  // (bit of level l, bit of level l + 1), 0-3, is its grandchild among the four.
  static constexpr std::size_t kPairBlock = 192;  // positions per line
  struct alignas(64) PairBlock {
    std::uint32_t before[3];  // pairs 0, 1, 2 before the block (static)
    std::uint32_t unused;
    std::uint64_t high[3], low[3];  // the two bits at each position
  };
  using PairCounts = std::array<std::size_t, 3>;  // pairs 0, 1 and 2 (3: the rest)
  struct PairSegment {                            // a level-l segment, read in one line with its neighbours
    std::uint32_t start;                          // its first position (Level::segment_start)
    std::uint32_t before[3];                      // pairs 0, 1, 2 before it
  };
  struct PairLevel {
    std::vector<PairBlock> blocks;
    std::vector<PairSegment> segments;  // static
    PairCounts before(std::size_t pos) const;
  };
  static constexpr int kScanBits = 6;  // the descent stops at id ranges of 2^kScanBits

  // Every node in memory order (descending; ties by id): static, shared by the trees built
  // together (a copied tree shares it too). A set's level 0 is its members in this order.
  struct MemoryOrder {
    std::vector<double> memory_desc;
    std::vector<double> memory_sample;    // every 64th of memory_desc, searched first
    std::vector<std::uint32_t> position;  // each node's position in it
    std::size_t with_memory(double memory_gb) const;
  };
  std::size_t members_before(std::size_t order_pos) const;  // the set's members before a MemoryOrder position

  int id_bits_ = 0;  // ids < 2^id_bits_
  int depth_ = 0;    // levels split on id bits id_bits_ - 1 ... id_bits_ - depth_
  std::shared_ptr<const MemoryOrder> order_;
  std::vector<std::uint64_t> member_bits_;           // static: each MemoryOrder position in the set or not
  std::vector<std::uint32_t> members_before_block_;  // static: per 4 words of member_bits_
  std::vector<Level> levels_;                        // depth_ + 1 levels
  std::vector<PairLevel> pairs_;                     // [l / 2]: level l's pairs, for even l < depth_ - 1
  std::vector<std::uint32_t> up_fenwick_;            // level 0: 1-based Fenwick tree of each block's up flags
  std::vector<std::uint8_t> low_id_;                 // the last level: each position's id within its range
  std::size_t down_ = 0;                             // members down: while 0, up flags need not be read
};

}  // namespace marlsim

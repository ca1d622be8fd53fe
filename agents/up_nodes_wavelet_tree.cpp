#include "agents/up_nodes_wavelet_tree.hpp"

#include <algorithm>
#include <bit>
#include <numeric>

namespace marlsim {

UpNodesWaveletTree::UpNodesWaveletTree(const ClusterSpec& cluster, double min_cores, const std::vector<char>& up)
    : cluster_size_(cluster.nodes.size()), position_(cluster.nodes.size(), kNotInSet) {
  const auto& nodes = cluster.nodes;
  while ((std::size_t{1} << id_bits_) < cluster_size_) ++id_bits_;
  depth_ = std::max(0, id_bits_ - kScanBits);
  std::vector<NodeId> order;  // level 0: the set by memory, descending; ties by id
  for (NodeId n = 0; n < nodes.size(); ++n)
    if (nodes[n].cores >= min_cores) order.push_back(n);
  std::stable_sort(order.begin(), order.end(),
                   [&](NodeId a, NodeId b) { return nodes[a].memory_gb > nodes[b].memory_gb; });
  for (const NodeId n : order) memory_desc_.push_back(nodes[n].memory_gb);
  for (std::size_t i = 0; i < order.size(); ++i) position_[order[i]] = static_cast<std::uint32_t>(i);

  const std::size_t words = order.size() / 64 + 1;
  levels_.resize(static_cast<std::size_t>(depth_) + 1);
  for (int l = 0; l <= depth_; ++l) {
    Level& at = levels_[static_cast<std::size_t>(l)];
    at.up_bits.assign(words, 0);
    at.fenwick.assign(words + 1, 0);
    for (std::size_t i = 0; i < order.size(); ++i)
      if (up[order[i]] != 0) at.up_bits[i / 64] |= std::uint64_t{1} << (i % 64);
    for (std::size_t w = 0; w < words; ++w) {  // Fenwick build in O(words)
      at.fenwick[w + 1] += static_cast<std::uint32_t>(std::popcount(at.up_bits[w]));
      const std::size_t parent = (w + 1) + ((w + 1) & (~(w + 1) + 1));
      if (parent <= words) at.fenwick[parent] += at.fenwick[w + 1];
    }
    if (l == depth_) break;
    const int shift = id_bits_ - l;  // segments are ids >> shift; this level splits on bit shift - 1
    at.segment_start.assign((std::size_t{1} << l) + 1, static_cast<std::uint32_t>(order.size()));
    for (std::size_t i = order.size(); i-- > 0;) at.segment_start[order[i] >> shift] = static_cast<std::uint32_t>(i);
    for (std::size_t s = at.segment_start.size() - 1; s-- > 0;)  // empty segments start where the next does
      at.segment_start[s] = std::min(at.segment_start[s], at.segment_start[s + 1]);
    at.one_bits.assign(words, 0);
    at.zeros_before_word.assign(words, 0);
    for (std::size_t i = 0; i < order.size(); ++i)
      if ((order[i] >> (shift - 1)) & 1u) at.one_bits[i / 64] |= std::uint64_t{1} << (i % 64);
    std::uint32_t zeros = 0;
    for (std::size_t w = 0; w < words; ++w) {
      at.zeros_before_word[w] = zeros;
      const std::size_t valid = std::min<std::size_t>(64, order.size() > w * 64 ? order.size() - w * 64 : 0);
      zeros += static_cast<std::uint32_t>(valid) - static_cast<std::uint32_t>(std::popcount(at.one_bits[w]));
    }
    // The next level: each segment split stably by the bit, zeros first (O(N) per level).
    for (std::size_t seg = 0; seg + 1 < at.segment_start.size(); ++seg)
      std::stable_partition(order.begin() + at.segment_start[seg], order.begin() + at.segment_start[seg + 1],
                            [&](NodeId n) { return ((n >> (shift - 1)) & 1u) == 0; });
  }
}

std::size_t UpNodesWaveletTree::with_memory(double memory_gb) const {
  return static_cast<std::size_t>(
      std::partition_point(memory_desc_.begin(), memory_desc_.end(), [&](double m) { return m >= memory_gb; }) -
      memory_desc_.begin());
}

std::size_t UpNodesWaveletTree::Level::up_before(std::size_t pos) const {
  std::size_t sum = static_cast<std::size_t>(std::popcount(up_bits[pos / 64] & ((std::uint64_t{1} << (pos % 64)) - 1)));
  for (std::size_t i = pos / 64; i > 0; i &= i - 1) sum += fenwick[i];
  return sum;
}

std::size_t UpNodesWaveletTree::Level::up_between(std::size_t from, std::size_t to) const {
  // Both Fenwick paths down to where they meet; the rest of the two prefix sums cancels.
  std::size_t a = from / 64, b = to / 64;
  std::size_t sum = static_cast<std::size_t>(std::popcount(up_bits[b] & ((std::uint64_t{1} << (to % 64)) - 1)));
  sum -= static_cast<std::size_t>(std::popcount(up_bits[a] & ((std::uint64_t{1} << (from % 64)) - 1)));
  while (a != b) {
    if (b > a) {
      sum += fenwick[b];
      b &= b - 1;
    } else {
      sum -= fenwick[a];
      a &= a - 1;
    }
  }
  return sum;
}

std::size_t UpNodesWaveletTree::Level::zeros_before(std::size_t pos) const {
  return zeros_before_word[pos / 64] + pos % 64 -
         static_cast<std::size_t>(std::popcount(one_bits[pos / 64] & ((std::uint64_t{1} << (pos % 64)) - 1)));
}

void UpNodesWaveletTree::Level::add_up(std::size_t pos, bool up) {
  const std::uint64_t bit = std::uint64_t{1} << (pos % 64);
  if (((up_bits[pos / 64] & bit) != 0) == up) return;
  up_bits[pos / 64] ^= bit;
  for (std::size_t i = pos / 64 + 1; i < fenwick.size(); i += i & (~i + 1))
    fenwick[i] = up ? fenwick[i] + 1 : fenwick[i] - 1;
}

void UpNodesWaveletTree::set_up(NodeId n, bool up) {
  std::size_t pos = position_[n];
  if (pos == kNotInSet) return;
  for (int l = 0; l <= depth_; ++l) {
    Level& at = levels_[static_cast<std::size_t>(l)];
    at.add_up(pos, up);
    if (l == depth_) break;
    const std::size_t segment = n >> (id_bits_ - l);
    const std::size_t start = at.segment_start[segment];
    const std::size_t zeros_before = at.zeros_before(pos) - at.zeros_before(start);
    if ((n >> (id_bits_ - l - 1)) & 1u) {
      const std::size_t zeros_in_segment = at.zeros_before(at.segment_start[segment + 1]) - at.zeros_before(start);
      pos = start + zeros_in_segment + (pos - start - zeros_before);
    } else {
      pos = start + zeros_before;
    }
  }
}

}  // namespace marlsim

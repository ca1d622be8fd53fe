#include "agents/up_nodes_wavelet_tree.hpp"

#include <algorithm>
#include <bit>
#include <numeric>
#include <stdexcept>

namespace marlsim {

namespace {
// 1-based Fenwick trees of counts per block: the sum over blocks [0, blocks).
std::size_t fenwick_prefix(const std::vector<std::uint32_t>& f, std::size_t blocks) {
  std::size_t sum = 0;
  for (std::size_t i = blocks; i > 0; i &= i - 1) sum += f[i];
  return sum;
}

void fenwick_add(std::vector<std::uint32_t>& f, std::size_t block, int delta) {
  for (std::size_t i = block + 1; i < f.size(); i += i & (~i + 1)) f[i] += static_cast<std::uint32_t>(delta);
}

// From each block's count, in O(blocks).
std::vector<std::uint32_t> fenwick_of(const std::vector<std::uint32_t>& counts) {
  std::vector<std::uint32_t> f(counts.size() + 1, 0);
  for (std::size_t b = 1; b <= counts.size(); ++b) {
    f[b] += counts[b - 1];
    const std::size_t parent = b + (b & (~b + 1));
    if (parent <= counts.size()) f[parent] += f[b];
  }
  return f;
}

std::uint64_t below(std::size_t bit) { return (std::uint64_t{1} << bit) - 1; }  // bits [0, bit), bit < 64

// The bits set before position `pos` (< 256) of a block of four words, word(w) giving word w:
// the words before pos's whole, its own below pos (counting only the words needed).
template <typename Word>
std::size_t bits_before(std::size_t pos, Word word) {
  const std::size_t own = pos / 64;
  auto sum = static_cast<std::size_t>(std::popcount(word(own) & below(pos % 64)));
  for (std::size_t w = 0; w < own; ++w) sum += static_cast<std::size_t>(std::popcount(word(w)));
  return sum;
}
}  // namespace

std::vector<UpNodesWaveletTree> UpNodesWaveletTree::for_core_classes(const ClusterSpec& cluster,
                                                                     const std::vector<double>& min_cores,
                                                                     const std::vector<char>& up) {
  const auto& nodes = cluster.nodes;
  const std::size_t size = nodes.size();
  int id_bits = 0;
  while ((std::size_t{1} << id_bits) < size) ++id_bits;
  const int depth = std::max(0, id_bits - kScanBits);
  // Every node's order at each level. A set's order is its members' in the same order: the
  // splits are stable, so filtering commutes with them.
  std::vector<std::vector<NodeId>> order(static_cast<std::size_t>(depth) + 1);
  order[0].resize(size);
  std::iota(order[0].begin(), order[0].end(), NodeId{0});
  std::stable_sort(order[0].begin(), order[0].end(),
                   [&](NodeId a, NodeId b) { return nodes[a].memory_gb > nodes[b].memory_gb; });
  auto memory_order = std::make_shared<MemoryOrder>();
  memory_order->position.resize(size);
  for (std::size_t i = 0; i < size; ++i) {
    memory_order->memory_desc.push_back(nodes[order[0][i]].memory_gb);
    memory_order->position[order[0][i]] = static_cast<std::uint32_t>(i);
    if (i % 64 == 0) memory_order->memory_sample.push_back(memory_order->memory_desc.back());
  }
  for (int l = 0; l < depth; ++l) {
    const std::vector<NodeId>& from = order[static_cast<std::size_t>(l)];
    std::vector<NodeId>& to = order[static_cast<std::size_t>(l) + 1];
    to.resize(size);
    const int shift = id_bits - l;  // segments are ids >> shift, in ascending order; split on bit shift - 1
    std::size_t out = 0;
    for (std::size_t i = 0, j = 0; i < size; i = j) {
      while (j < size && (from[j] >> shift) == (from[i] >> shift)) ++j;
      for (std::size_t x = i; x < j; ++x)
        if (((from[x] >> (shift - 1)) & 1u) == 0) to[out++] = from[x];
      for (std::size_t x = i; x < j; ++x)
        if (((from[x] >> (shift - 1)) & 1u) != 0) to[out++] = from[x];
    }
  }

  // Each node's classes as bits (at most 64), so one pass per level fills every tree.
  if (min_cores.size() > 64) throw std::invalid_argument("UpNodesWaveletTree: more than 64 core classes");
  std::vector<std::uint64_t> classes_of(size, 0);
  std::vector<std::size_t> members(min_cores.size(), 0);
  for (std::size_t c = 0; c < min_cores.size(); ++c)
    for (NodeId n = 0; n < size; ++n)
      if (nodes[n].cores >= min_cores[c]) {
        classes_of[n] |= std::uint64_t{1} << c;
        ++members[c];
      }
  std::vector<UpNodesWaveletTree> trees;
  trees.reserve(min_cores.size());
  for (std::size_t c = 0; c < min_cores.size(); ++c) {
    UpNodesWaveletTree& t = trees.emplace_back(UpNodesWaveletTree{});
    t.id_bits_ = id_bits;
    t.depth_ = depth;
    t.order_ = memory_order;
    t.member_bits_.assign((size / kBlock + 1) * 4, 0);
    for (std::size_t i = 0; i < size; ++i)
      if ((classes_of[order[0][i]] >> c) & 1u) t.member_bits_[i / 64] |= std::uint64_t{1} << (i % 64);
    t.members_before_block_.assign(size / kBlock + 1, 0);
    std::uint32_t before = 0;
    for (std::size_t b = 0; b < t.members_before_block_.size(); ++b) {
      t.members_before_block_[b] = before;
      for (std::size_t w = 0; w < 4; ++w)
        before += static_cast<std::uint32_t>(std::popcount(t.member_bits_[4 * b + w]));
    }
    t.levels_.resize(static_cast<std::size_t>(depth) + 1);
    t.pairs_.resize(static_cast<std::size_t>(std::max(0, depth - 1) + 1) / 2);
    t.low_id_.resize(members[c]);
  }
  std::vector<std::size_t> at_position(trees.size());
  for (int l = 0; l <= depth; ++l) {
    const int shift = id_bits - l;                    // segments are ids >> shift; this level splits on bit shift - 1
    const bool paired = l % 2 == 0 && l + 1 < depth;  // keeps the next level's bit too (pairs_[l / 2])
    for (std::size_t c = 0; c < trees.size(); ++c) {
      Level& at = trees[c].levels_[static_cast<std::size_t>(l)];
      at.blocks.assign(members[c] / kBlock + 1, Block{});
      if (paired)
        trees[c].pairs_[static_cast<std::size_t>(l / 2)].blocks.assign(members[c] / kPairBlock + 1, PairBlock{});
      at.segment_start.assign((std::size_t{1} << l) + 1, static_cast<std::uint32_t>(members[c]));
      at_position[c] = 0;
    }
    for (const NodeId n : order[static_cast<std::size_t>(l)]) {
      const bool one = l < depth && ((n >> (shift - 1)) & 1u) != 0;
      for (std::uint64_t classes = classes_of[n]; classes != 0; classes &= classes - 1) {
        const auto c = static_cast<std::size_t>(std::countr_zero(classes));
        UpNodesWaveletTree& t = trees[c];
        Level& at = t.levels_[static_cast<std::size_t>(l)];
        const std::size_t i = at_position[c]++;
        Block& b = at.blocks[i / kBlock];
        const std::uint64_t bit = std::uint64_t{1} << (i % 64);
        if (one) b.ones[i % kBlock / 64] |= bit;
        if (paired) {
          PairBlock& p = t.pairs_[static_cast<std::size_t>(l / 2)].blocks[i / kPairBlock];
          const std::uint64_t pair_bit = std::uint64_t{1} << (i % kPairBlock % 64);
          if (one) p.high[i % kPairBlock / 64] |= pair_bit;
          if (((n >> (shift - 2)) & 1u) != 0) p.low[i % kPairBlock / 64] |= pair_bit;
        }
        if (up[n] != 0) {
          b.up[i % kBlock / 64] |= bit;
        } else if (l == 0) {
          ++t.down_;
        }
        std::uint32_t& start = at.segment_start[n >> shift];
        start = std::min(start, static_cast<std::uint32_t>(i));
        if (l == depth) t.low_id_[i] = static_cast<std::uint8_t>(n & below(static_cast<std::size_t>(shift)));
      }
    }
    for (std::size_t c = 0; c < trees.size(); ++c) {
      Level& at = trees[c].levels_[static_cast<std::size_t>(l)];
      for (std::size_t seg = at.segment_start.size() - 1; seg-- > 0;)  // empty segments start where the next does
        at.segment_start[seg] = std::min(at.segment_start[seg], at.segment_start[seg + 1]);
      const std::size_t blocks = at.blocks.size();
      std::vector<std::uint32_t> up_zeros(blocks, 0), ups(blocks, 0);
      at.zeros_before_block.assign(blocks, 0);
      std::uint32_t zeros = 0;
      for (std::size_t b = 0; b < blocks; ++b) {
        at.zeros_before_block[b] = zeros;
        const Block& k = at.blocks[b];
        const std::size_t valid = std::min(kBlock, members[c] - std::min(members[c], b * kBlock));
        std::size_t ones = 0;
        for (std::size_t w = 0; w < 4; ++w) {
          ones += static_cast<std::size_t>(std::popcount(k.ones[w]));
          up_zeros[b] += static_cast<std::uint32_t>(std::popcount(k.up[w] & ~k.ones[w]));
          ups[b] += static_cast<std::uint32_t>(std::popcount(k.up[w]));
        }
        zeros += static_cast<std::uint32_t>(valid - ones);
      }
      at.up_zeros_fenwick = fenwick_of(up_zeros);
      at.zeros_before_segment.resize(at.segment_start.size());
      for (std::size_t seg = 0; seg < at.segment_start.size(); ++seg)
        at.zeros_before_segment[seg] = static_cast<std::uint32_t>(at.zeros_before(at.segment_start[seg]));
      if (l == 0) trees[c].up_fenwick_ = fenwick_of(ups);
      if (paired) {
        PairLevel& pair = trees[c].pairs_[static_cast<std::size_t>(l / 2)];
        PairCounts counts{};
        for (std::size_t b = 0; b < pair.blocks.size(); ++b) {
          PairBlock& p = pair.blocks[b];
          for (std::size_t x = 0; x < 3; ++x) p.before[x] = static_cast<std::uint32_t>(counts[x]);
          const std::size_t valid = std::min(kPairBlock, members[c] - std::min(members[c], b * kPairBlock));
          std::size_t not_zero = 0;  // positions past the members have both bits 0 and are not counted
          for (std::size_t w = 0; w < 3; ++w) {
            counts[1] += static_cast<std::size_t>(std::popcount(~p.high[w] & p.low[w]));
            counts[2] += static_cast<std::size_t>(std::popcount(p.high[w] & ~p.low[w]));
            not_zero += static_cast<std::size_t>(std::popcount(p.high[w] | p.low[w]));
          }
          counts[0] += valid - not_zero;
        }
        pair.segments.resize(at.segment_start.size());
        for (std::size_t seg = 0; seg < at.segment_start.size(); ++seg) {
          const PairCounts counted = pair.before(at.segment_start[seg]);
          pair.segments[seg] = {at.segment_start[seg],
                                {static_cast<std::uint32_t>(counted[0]), static_cast<std::uint32_t>(counted[1]),
                                 static_cast<std::uint32_t>(counted[2])}};
        }
      }
    }
  }
  return trees;
}

std::size_t UpNodesWaveletTree::MemoryOrder::with_memory(double memory_gb) const {
  const auto enough = [&](double m) { return m >= memory_gb; };
  // The samples first (a small array that stays in cache), then the 64 values after the last one with enough.
  const auto samples = static_cast<std::size_t>(
      std::partition_point(memory_sample.begin(), memory_sample.end(), enough) - memory_sample.begin());
  if (samples == 0) return 0;
  const auto from = memory_desc.begin() + static_cast<std::ptrdiff_t>((samples - 1) * 64);
  const auto to = memory_desc.begin() + static_cast<std::ptrdiff_t>(std::min(samples * 64, memory_desc.size()));
  return static_cast<std::size_t>(std::partition_point(from, to, enough) - memory_desc.begin());
}

std::size_t UpNodesWaveletTree::members_before(std::size_t order_pos) const {
  const std::uint64_t* words = &member_bits_[4 * (order_pos / kBlock)];
  return members_before_block_[order_pos / kBlock] +
         bits_before(order_pos % kBlock, [&](std::size_t w) { return words[w]; });
}

std::size_t UpNodesWaveletTree::with_memory(double memory_gb) const {
  return members_before(order_->with_memory(memory_gb));
}

UpNodesWaveletTree::Ranks UpNodesWaveletTree::Level::in_block(std::size_t pos) const {
  const Block& b = blocks[pos / kBlock];
  const std::size_t ones = bits_before(pos % kBlock, [&](std::size_t w) { return b.ones[w]; });
  return {pos % kBlock - ones, bits_before(pos % kBlock, [&](std::size_t w) { return b.up[w] & ~b.ones[w]; })};
}

UpNodesWaveletTree::Ranks UpNodesWaveletTree::Level::between(std::size_t from, std::size_t to) const {
  const Ranks a = in_block(from), b = in_block(to);
  std::size_t i = from / kBlock, j = to / kBlock;
  const std::size_t zeros = zeros_before_block[j] + b.zeros - zeros_before_block[i] - a.zeros;
  std::size_t up_zeros = b.up_zeros - a.up_zeros;  // modulo 2^64 until the end
  // Both Fenwick paths down to where they meet (at once within one block); the rest cancels.
  while (i != j) {
    if (j > i) {
      up_zeros += up_zeros_fenwick[j];
      j &= j - 1;
    } else {
      up_zeros -= up_zeros_fenwick[i];
      i &= i - 1;
    }
  }
  return {zeros, up_zeros};
}

std::size_t UpNodesWaveletTree::Level::zeros_before(std::size_t pos) const {
  const Block& b = blocks[pos / kBlock];
  return zeros_before_block[pos / kBlock] + pos % kBlock -
         bits_before(pos % kBlock, [&](std::size_t w) { return b.ones[w]; });
}

UpNodesWaveletTree::PairCounts UpNodesWaveletTree::PairLevel::before(std::size_t pos) const {
  const PairBlock& b = blocks[pos / kPairBlock];
  const std::size_t in = pos % kPairBlock;
  PairCounts counts{b.before[0], b.before[1], b.before[2]};
  for (std::size_t w = 0; w * 64 < in; ++w) {
    const std::uint64_t mask = in - w * 64 >= 64 ? ~std::uint64_t{0} : below(in - w * 64);
    const std::uint64_t high = b.high[w] & mask, low = b.low[w] & mask;
    counts[0] += static_cast<std::size_t>(std::popcount(~(high | low) & mask));
    counts[1] += static_cast<std::size_t>(std::popcount(~high & low));
    counts[2] += static_cast<std::size_t>(std::popcount(high & ~low));
  }
  return counts;
}

std::size_t UpNodesWaveletTree::up_count(std::size_t prefix) const {
  if (down_ == 0) return prefix;
  const Block& b = levels_[0].blocks[prefix / kBlock];
  return fenwick_prefix(up_fenwick_, prefix / kBlock) +
         bits_before(prefix % kBlock, [&](std::size_t w) { return b.up[w]; });
}

UpNodesWaveletTree::NodeId UpNodesWaveletTree::kth_up(std::size_t prefix, std::size_t k) const {
  std::size_t segment = 0;  // index of the aligned id range at this level
  int l = 0;
  if (down_ == 0) {
    for (; l + 1 < depth_; l += 2) {  // two levels a step: the range's counts of each pair
      const PairLevel& pair = pairs_[static_cast<std::size_t>(l / 2)];
      const PairSegment& at = pair.segments[segment];
      const PairCounts end = pair.before(at.start + prefix);
      std::array<std::size_t, 4> in_pair{end[0] - at.before[0], end[1] - at.before[1], end[2] - at.before[2], 0};
      in_pair[3] = prefix - in_pair[0] - in_pair[1] - in_pair[2];
      std::size_t pair_index = 0;  // grandchildren in id order; k < prefix (the caller's k < up_count)
      while (pair_index < 3 && k >= in_pair[pair_index]) k -= in_pair[pair_index++];
      segment = 4 * segment + pair_index;
      prefix = in_pair[pair_index];
    }
  }
  for (; l < depth_; ++l) {
    const Level& at = levels_[static_cast<std::size_t>(l)];
    const std::size_t start = at.segment_start[segment];
    // The range's zeros are the left child's first positions (same start); its up zeros, their up nodes.
    Ranks left;
    if (down_ == 0) {
      left.zeros = at.zeros_before(start + prefix) - at.zeros_before_segment[segment];
      left.up_zeros = left.zeros;
    } else {
      left = at.between(start, start + prefix);
    }
    if (k < left.up_zeros) {
      segment = 2 * segment;
      prefix = left.zeros;
    } else {
      k -= left.up_zeros;
      segment = 2 * segment + 1;
      prefix -= left.zeros;
    }
  }
  // The last level: the range's up members as bits of their ids within the segment, then the k-th.
  const Level& last = levels_[static_cast<std::size_t>(depth_)];
  const std::size_t start = last.segment_start[segment];
  std::uint64_t ids = 0;
  for (std::size_t i = start, end = start + prefix; i < end;) {  // at most 64 positions: one or two words
    const std::size_t word_end = std::min(end, (i / 64 + 1) * 64);
    std::uint64_t up = last.blocks[i / kBlock].up[i % kBlock / 64] >> (i % 64);
    if (word_end - i < 64) up &= below(word_end - i);
    for (; up != 0; up &= up - 1)
      ids |= std::uint64_t{1} << low_id_[i + static_cast<std::size_t>(std::countr_zero(up))];
    i = word_end;
  }
  for (; k > 0; --k) ids &= ids - 1;
  return static_cast<NodeId>((segment << (id_bits_ - depth_)) | static_cast<std::size_t>(std::countr_zero(ids)));
}

void UpNodesWaveletTree::set_up(NodeId n, bool up) {
  const std::size_t order_pos = order_->position[n];
  if (((member_bits_[order_pos / 64] >> (order_pos % 64)) & 1u) == 0) return;  // not in the set
  std::size_t pos = members_before(order_pos);
  if (levels_[0].up_at(pos) == up) return;  // every level agrees with level 0
  const int delta = up ? 1 : -1;
  down_ = up ? down_ - 1 : down_ + 1;
  fenwick_add(up_fenwick_, pos / kBlock, delta);
  for (int l = 0; l <= depth_; ++l) {
    Level& at = levels_[static_cast<std::size_t>(l)];
    at.blocks[pos / kBlock].up[pos % kBlock / 64] ^= std::uint64_t{1} << (pos % 64);
    const bool one = at.one_at(pos);
    if (!one) fenwick_add(at.up_zeros_fenwick, pos / kBlock, delta);
    if (l == depth_) break;
    const std::size_t segment = n >> (id_bits_ - l);
    const std::size_t start = at.segment_start[segment];
    const std::size_t zeros_at_start = at.zeros_before_segment[segment];
    const std::size_t zeros_before = at.zeros_before(pos) - zeros_at_start;
    if (one) {
      const std::size_t zeros_in_segment = at.zeros_before_segment[segment + 1] - zeros_at_start;
      pos = start + zeros_in_segment + (pos - start - zeros_before);
    } else {
      pos = start + zeros_before;
    }
  }
}

std::size_t UpNodesWaveletTree::bytes() const {
  std::size_t sum = member_bits_.capacity() * sizeof(std::uint64_t) +
                    (members_before_block_.capacity() + up_fenwick_.capacity()) * sizeof(std::uint32_t) +
                    low_id_.capacity() + levels_.capacity() * sizeof(Level) + pairs_.capacity() * sizeof(PairLevel);
  for (const Level& at : levels_)
    sum += at.blocks.capacity() * sizeof(Block) + (at.zeros_before_block.capacity() + at.up_zeros_fenwick.capacity() +
                                                   at.segment_start.capacity() + at.zeros_before_segment.capacity()) *
                                                      sizeof(std::uint32_t);
  for (const PairLevel& pair : pairs_)
    sum += pair.blocks.capacity() * sizeof(PairBlock) + pair.segments.capacity() * sizeof(PairSegment);
  return sum;
}

std::size_t UpNodesWaveletTree::shared_bytes() const {
  return (order_->memory_desc.capacity() + order_->memory_sample.capacity()) * sizeof(double) +
         order_->position.capacity() * sizeof(std::uint32_t);
}

}  // namespace marlsim

#include "agents/fitting_up_nodes.hpp"

#include <bit>
#include <stdexcept>

namespace marlsim {

namespace {
// Listing costs about one step per statically unfit node and per 64 ids; the wavelet tree
// about this many per level it descends (measured with bench_policies, BM_choose_indexed).
constexpr std::size_t kListingStepsPerLevel = 16;
}  // namespace

void FittingUpNodes::reset(const TaskSpec& task, const ClusterView& view, Method method) {
  index_ = view.indexes();
  if (index_ == nullptr || !index_->needs().by_id)
    throw std::logic_error("FittingUpNodes: the view keeps no by_id index");
  tree_ = nullptr;
  unfit_.clear();
  if (method != Method::wavelet && index_->fits_every_node(task)) return;
  if (method == Method::automatic) {
    // The bound's two binary searches only when the N / 64 words alone do not decide.
    const std::size_t wavelet = kListingStepsPerLevel * static_cast<std::size_t>(std::bit_width(view.size()));
    const std::size_t words = view.size() / 64;
    if (words > wavelet || index_->unfit_nodes_bound(task) + words > wavelet) method = Method::wavelet;
  }
  if (method == Method::wavelet) {
    tree_ = index_->up_nodes_with_cores(task);
    if (tree_ != nullptr) {
      tree_prefix_ = tree_->with_memory(task.memory_gb);
      tree_count_ = tree_->up_count(tree_prefix_);
      return;
    }  // else no node has the cores, or the view keeps no tree for them: list
  }
  index_->unfit_up_nodes(task, unfit_);
  const std::size_t words = (view.size() + 63) / 64;
  unfit_bits_.assign(words, 0);
  for (const NodeId u : unfit_) unfit_bits_[u / 64] |= std::uint64_t{1} << (u % 64);
  unfit_before_.resize(words);
  std::size_t sum = 0;
  for (std::size_t w = 0; w < words; ++w) {
    unfit_before_[w] = sum;
    sum += static_cast<std::size_t>(std::popcount(unfit_bits_[w]));
  }
}

std::size_t FittingUpNodes::unfit_through(NodeId n) const {
  return unfit_before_[n / 64] +
         static_cast<std::size_t>(std::popcount(unfit_bits_[n / 64] & (~std::uint64_t{0} >> (63 - n % 64))));
}

NodeId FittingUpNodes::kth(std::size_t k, std::size_t& unfit_before) const {
  if (tree_ != nullptr) return tree_->kth_up(tree_prefix_, k);
  if (unfit_.empty()) return index_->kth_up(k);
  // The k-th fitting node is the (k + j)-th up node, j the unfit nodes before it. From any
  // j at most its value (0, or its value for a smaller k), the node never passes the answer
  // and j grows to its value.
  std::size_t& j = unfit_before;
  NodeId node = index_->kth_up(k + j);
  for (std::size_t through = unfit_through(node); through != j; through = unfit_through(node)) {
    j = through;
    node = index_->kth_up(k + j);
  }
  return node;
}

}  // namespace marlsim

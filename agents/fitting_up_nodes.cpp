#include "agents/fitting_up_nodes.hpp"

#include <bit>
#include <stdexcept>

namespace marlsim {

void FittingUpNodes::reset(const TaskSpec& task, const ClusterView& view) {
  index_ = view.indexes();
  if (index_ == nullptr || !index_->needs().by_id)
    throw std::logic_error("FittingUpNodes: the view keeps no by_id index");
  unfit_.clear();
  if (index_->fits_every_node(task)) return;
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

#include "agents/hrac_attention_trainer.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "agents/hrac_attention.hpp"
#include "agents/nn/actor_critic_network.hpp"
#include "agents/nn/layer_tensors.hpp"

namespace marlsim {

namespace {

std::vector<std::size_t> tensor_sizes(const std::vector<std::vector<nn::DenseLayer>>& attention) {
  std::vector<std::size_t> sizes;
  for (const auto& role : attention) nn::append_tensor_sizes(sizes, role);
  return sizes;
}

}  // namespace

RoleAttentionTrainer::RoleAttentionTrainer(std::vector<std::vector<nn::DenseLayer>>& attention,
                                           const nn::PpoSettings& settings)
    : attention_(attention), settings_(settings), adam_(tensor_sizes(attention), settings.adam) {
  for (const auto& role : attention_) grads_.push_back(nn::zero_gradients(role));
}

void RoleAttentionTrainer::accumulate(std::size_t role, const RoleAttentionInputs& in,
                                      std::span<const Eigen::Index> rows, const nn::RowMatrixF& d_own) {
  const std::size_t roles = attention_.size();
  const auto width = static_cast<std::size_t>(in.own->cols() / 2);
  if (in.present.size() != static_cast<std::size_t>(in.own->rows()) * roles ||
      in.summaries.size() != in.present.size() * width || d_own.rows() != static_cast<Eigen::Index>(rows.size()))
    throw std::invalid_argument("role attention training: the attention inputs do not match the rollout");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto d = static_cast<std::size_t>(rows[i]);
    const float* own = in.own->row(rows[i]).data();
    const float* d_attended = d_own.row(static_cast<Eigen::Index>(i)).data() + width;
    attend_roles_backward(attention_, role, {own, width},
                          std::span(in.summaries).subspan(d * roles * width, roles * width),
                          std::span(in.present).subspan(d * roles, roles), {d_attended, width}, grads_);
  }
  ++minibatches_;
}

double RoleAttentionTrainer::step(const std::function<void(std::span<float>)>& average) {
  if (minibatches_ == 0) return 0;
  std::vector<float> flat;
  for (const auto& role : grads_)
    for (const nn::LayerGradients& g : role) {
      flat.insert(flat.end(), g.weights.data(), g.weights.data() + g.weights.size());
      flat.insert(flat.end(), g.bias.data(), g.bias.data() + g.bias.size());
    }
  for (float& v : flat) v /= static_cast<float>(minibatches_);
  average(flat);
  for (auto& role : grads_)
    for (nn::LayerGradients& g : role) g.weights.setZero(), g.bias.setZero();
  minibatches_ = 0;
  for (float v : flat)
    if (!std::isfinite(v)) throw nn::NonFiniteError("role attention update: NaN or Inf in the averaged gradients");
  std::vector<std::span<float>> params;
  for (auto& role : attention_) nn::append_tensors(params, role);
  return nn::clip_and_step(adam_, params, flat, settings_.max_grad_norm);
}

std::vector<double> RoleAttentionTrainer::optimizer_state() const { return adam_.state(); }

void RoleAttentionTrainer::set_optimizer_state(std::span<const double> state) { adam_.restore(state); }

}  // namespace marlsim

#include "agents/hrac_attention.hpp"

#include <cassert>
#include <cmath>
#include <limits>

#include "agents/nn/mlp.hpp"

namespace marlsim {

namespace {

constexpr std::uint64_t kQueryEntity = 2ull << 16, kKeyEntity = 3ull << 16;

// x (in floats) times an identity layer (in x d) plus its bias, summed over inputs in order.
void project(const nn::DenseLayer& layer, std::span<const float> x, std::span<float> out) {
  assert(static_cast<Eigen::Index>(x.size()) == layer.weights.rows());
  for (Eigen::Index j = 0; j < layer.weights.cols(); ++j) {
    float sum = layer.bias[j];
    for (Eigen::Index i = 0; i < layer.weights.rows(); ++i) sum += x[static_cast<std::size_t>(i)] * layer.weights(i, j);
    out[static_cast<std::size_t>(j)] = sum;
  }
}

}  // namespace

std::vector<nn::DenseLayer> make_role_attention(Eigen::Index own_width, std::uint64_t seed) {
  std::vector<nn::DenseLayer> layers = nn::make_mlp(own_width, {}, {}, kRoleAttentionWidth, seed, kQueryEntity);
  layers.push_back(nn::make_mlp(own_width, {}, {}, kRoleAttentionWidth, seed, kKeyEntity).front());
  return layers;
}

void attend_roles(std::span<const std::vector<nn::DenseLayer>> attention, std::size_t own_role,
                  std::span<const float> own, std::span<const float> summaries, std::span<const std::uint8_t> present,
                  std::span<float> weights, std::span<float> attended) {
  const std::size_t roles = attention.size(), width = own.size();
  assert(summaries.size() == roles * width && present.size() == roles && weights.size() == roles &&
         attended.size() == width);
  float query[kRoleAttentionWidth], key[kRoleAttentionWidth];
  project(attention[own_role][0], own, query);
  const float scale = 1.0f / std::sqrt(static_cast<float>(kRoleAttentionWidth));
  float top = -std::numeric_limits<float>::infinity();
  for (std::size_t r = 0; r < roles; ++r) {
    weights[r] = 0.0f;
    if (r == own_role || present[r] == 0) continue;
    project(attention[r][1], summaries.subspan(r * width, width), key);
    float score = 0.0f;
    for (Eigen::Index j = 0; j < kRoleAttentionWidth; ++j) score += query[j] * key[j];
    weights[r] = score * scale;
    top = std::max(top, weights[r]);
  }
  for (float& a : attended) a = 0.0f;
  if (top == -std::numeric_limits<float>::infinity()) return;  // no other role present
  float sum = 0.0f;
  for (std::size_t r = 0; r < roles; ++r)
    if (r != own_role && present[r] != 0) sum += (weights[r] = std::exp(weights[r] - top));
  for (std::size_t r = 0; r < roles; ++r) {
    if (r == own_role || present[r] == 0) continue;
    weights[r] /= sum;
    for (std::size_t f = 0; f < width; ++f) attended[f] += weights[r] * summaries[r * width + f];
  }
}

void attend_roles_backward(std::span<const std::vector<nn::DenseLayer>> attention, std::size_t own_role,
                           std::span<const float> own, std::span<const float> summaries,
                           std::span<const std::uint8_t> present, std::span<const float> d_attended,
                           std::span<std::vector<nn::LayerGradients>> grads) {
  const std::size_t roles = attention.size(), width = own.size();
  assert(grads.size() == roles && d_attended.size() == width);
  // The forward again: weights, and the query and keys they came from.
  std::vector<float> weights(roles), attended(width), keys(roles * kRoleAttentionWidth, 0.0f);
  attend_roles(attention, own_role, own, summaries, present, weights, attended);
  float query[kRoleAttentionWidth];
  project(attention[own_role][0], own, query);
  const auto others = [&](std::size_t r) { return r != own_role && present[r] != 0; };
  double mean_dw = 0;  // sum_p w_p dw_p
  std::vector<double> dw(roles, 0.0);
  for (std::size_t r = 0; r < roles; ++r) {
    if (!others(r)) continue;
    project(attention[r][1], summaries.subspan(r * width, width),
            std::span(keys).subspan(r * kRoleAttentionWidth, kRoleAttentionWidth));
    for (std::size_t f = 0; f < width; ++f) dw[r] += static_cast<double>(d_attended[f]) * summaries[r * width + f];
    mean_dw += weights[r] * dw[r];
  }
  const double scale = 1.0 / std::sqrt(static_cast<double>(kRoleAttentionWidth));
  double d_query[kRoleAttentionWidth] = {};
  const auto add = [](nn::LayerGradients& g, std::span<const float> input, const double* d_out) {
    for (Eigen::Index i = 0; i < g.weights.rows(); ++i)
      for (Eigen::Index j = 0; j < g.weights.cols(); ++j)
        g.weights(i, j) += static_cast<float>(input[static_cast<std::size_t>(i)] * d_out[j]);
    for (Eigen::Index j = 0; j < g.bias.size(); ++j) g.bias[j] += static_cast<float>(d_out[j]);
  };
  for (std::size_t r = 0; r < roles; ++r) {
    if (!others(r)) continue;
    const double d_score = weights[r] * (dw[r] - mean_dw) * scale;
    double d_key[kRoleAttentionWidth];
    for (Eigen::Index j = 0; j < kRoleAttentionWidth; ++j) {
      d_query[j] += d_score * keys[r * kRoleAttentionWidth + static_cast<std::size_t>(j)];
      d_key[j] = d_score * query[j];
    }
    add(grads[r][1], summaries.subspan(r * width, width), d_key);
  }
  add(grads[own_role][0], own, d_query);
}

}  // namespace marlsim

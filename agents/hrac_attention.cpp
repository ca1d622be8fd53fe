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

}  // namespace marlsim

#include "agents/nn/layer_tensors.hpp"

#include <stdexcept>

#include "agents/nn/gradient_clipping.hpp"

namespace marlsim::nn {

void append_tensor_sizes(std::vector<std::size_t>& out, std::span<const DenseLayer> layers) {
  for (const DenseLayer& l : layers) {
    out.push_back(static_cast<std::size_t>(l.weights.size()));
    out.push_back(static_cast<std::size_t>(l.bias.size()));
  }
}

std::vector<std::size_t> tensor_sizes(std::span<const DenseLayer> layers) {
  std::vector<std::size_t> sizes;
  append_tensor_sizes(sizes, layers);
  return sizes;
}

void append_tensors(std::vector<std::span<float>>& out, std::span<DenseLayer> layers) {
  for (DenseLayer& l : layers) {
    out.emplace_back(l.weights.data(), static_cast<std::size_t>(l.weights.size()));
    out.emplace_back(l.bias.data(), static_cast<std::size_t>(l.bias.size()));
  }
}

std::vector<std::span<float>> tensors(std::span<DenseLayer> layers) {
  std::vector<std::span<float>> t;
  append_tensors(t, layers);
  return t;
}

double clip_and_step(Adam& adam, std::span<const std::span<float>> params, std::span<float> flat, double max_norm) {
  std::vector<std::span<float>> grads;
  std::vector<std::span<const float>> const_grads;
  std::size_t at = 0;
  for (const std::span<float> p : params) {
    if (at + p.size() > flat.size())
      throw std::logic_error("clip_and_step: the flat buffer is shorter than the tensors");
    grads.push_back(flat.subspan(at, p.size()));
    const_grads.emplace_back(grads.back());
    at += p.size();
  }
  const double norm = clip_gradient_norm(grads, max_norm);
  adam.step(params, const_grads);
  return norm;
}

}  // namespace marlsim::nn

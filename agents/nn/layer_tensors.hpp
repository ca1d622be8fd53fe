#pragma once
// Dense layers as every trainer's optimizer sees them (PPO, DQN, role attention, the global
// critic): each layer's weights, then its bias, layer by layer, as tensors of floats; and the
// step from gradients averaged across ranks into one flat buffer in the same order: clipped
// to a global L2 norm (gradient_clipping.hpp), then one Adam step.
#include <cstddef>
#include <span>
#include <vector>

#include "agents/nn/adam.hpp"
#include "agents/nn/dense_layer.hpp"

namespace marlsim::nn {

// The layers' tensor sizes in floats (what Adam is built with), in that order; appended to
// `out` for a trainer of several layer groups.
void append_tensor_sizes(std::vector<std::size_t>& out, std::span<const DenseLayer> layers);
std::vector<std::size_t> tensor_sizes(std::span<const DenseLayer> layers);
// The layers' tensors, in that order; appended to `out` for several groups.
void append_tensors(std::vector<std::span<float>>& out, std::span<DenseLayer> layers);
std::vector<std::span<float>> tensors(std::span<DenseLayer> layers);

// The first floats of `flat` are the gradients of `params`, tensor after tensor (the rest is
// the caller's: losses and statistics). Clips them in place to max_norm and applies one Adam
// step to `params`. Returns the norm before clipping.
double clip_and_step(Adam& adam, std::span<const std::span<float>> params, std::span<float> flat, double max_norm);

}  // namespace marlsim::nn

#include "agents/nn/mlp.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "agents/nn/activation_backward.hpp"
#include "agents/nn/dense_backward.hpp"
#include "engine/support/rng.hpp"

namespace marlsim::nn {
namespace {

using Eigen::Index;

// The Philox stream id of weight initialisation (entities: see make_mlp's callers).
constexpr std::uint64_t kInitStream = 0x1A17'0001ull;

DenseLayer init_scaled_uniform(Index in, Index out, Activation act, std::uint64_t seed, std::uint64_t entity) {
  DenseLayer layer;
  layer.weights.resize(in, out);
  layer.bias = Eigen::RowVectorXf::Zero(out);
  layer.activation = act;
  RngStream rng(seed, entity, kInitStream);
  const double a = std::sqrt(6.0 / static_cast<double>(in + out));
  for (Index i = 0; i < layer.weights.size(); ++i) layer.weights.data()[i] = static_cast<float>(rng.uniform(-a, a));
  return layer;
}

std::string shape(Index rows, Index cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

}  // namespace

std::vector<DenseLayer> make_mlp(Index in, std::vector<Index> hidden, std::vector<Activation> activations, Index out,
                                 std::uint64_t seed, std::uint64_t stream_entity) {
  if (in <= 0 || out <= 0) throw std::invalid_argument("make_mlp: input and output widths must be > 0");
  if (hidden.size() != activations.size())
    throw std::invalid_argument("make_mlp: one activation per hidden layer expected");
  std::vector<DenseLayer> layers;
  Index width = in;
  for (std::size_t l = 0; l <= hidden.size(); ++l) {
    const bool head = l == hidden.size();
    const Index next = head ? out : hidden[l];
    if (next <= 0) throw std::invalid_argument("make_mlp: hidden widths must be > 0");
    layers.push_back(
        init_scaled_uniform(width, next, head ? Activation::Identity : activations[l], seed, stream_entity + l));
    width = next;
  }
  return layers;
}

RowMatrixF mlp_output(const std::vector<DenseLayer>& layers, RowMatrixF x) {
  RowMatrixF in = std::move(x), out;
  for (const DenseLayer& layer : layers) {
    out.resize(in.rows(), layer.weights.cols());
    dense_forward(in, layer.weights, layer.bias, layer.activation, out);
    std::swap(in, out);
  }
  return in;
}

const RowMatrixF& mlp_output_into(const std::vector<DenseLayer>& layers, const RowMatrixF& x,
                                  std::vector<RowMatrixF>& outputs) {
  if (layers.empty()) return x;
  outputs.resize(layers.size());
  const RowMatrixF* in = &x;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    outputs[l].resize(in->rows(), layers[l].weights.cols());
    dense_forward(*in, layers[l].weights, layers[l].bias, layers[l].activation, outputs[l]);
    in = &outputs[l];
  }
  return *in;
}

void mlp_forward(const std::vector<DenseLayer>& layers, const RowMatrixF& x, MlpCache& cache) {
  if (layers.empty()) throw std::invalid_argument("mlp_forward: no layers");
  if (x.cols() != layers.front().weights.rows())
    throw std::invalid_argument("mlp_forward: input has " + std::to_string(x.cols()) + " columns, the first layer " +
                                std::to_string(layers.front().weights.rows()) + " inputs");
  // Before the resize: growing the vector may move activations[0], which x may be.
  const bool in_place = !cache.activations.empty() && &x == &cache.activations[0];
  if (in_place) {
    cache.activations.resize(layers.size() + 1);
  } else {
    cache.activations.resize(layers.size() + 1);
    cache.activations[0] = x;
  }
  const Index rows = cache.activations[0].rows();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const DenseLayer& layer = layers[l];
    RowMatrixF& y = cache.activations[l + 1];
    y.resize(rows, layer.weights.cols());
    dense_forward(cache.activations[l], layer.weights, layer.bias, layer.activation, y);
  }
}

std::vector<LayerGradients> zero_gradients(const std::vector<DenseLayer>& layers) {
  std::vector<LayerGradients> g;
  for (const DenseLayer& layer : layers)
    g.push_back(
        {RowMatrixF::Zero(layer.weights.rows(), layer.weights.cols()), Eigen::RowVectorXf::Zero(layer.bias.size())});
  return g;
}

void mlp_backward(const std::vector<DenseLayer>& layers, const MlpCache& cache, const RowMatrixF& d_output,
                  std::vector<LayerGradients>& accumulate) {
  const std::size_t n = layers.size();
  if (n == 0 || cache.activations.size() != n + 1)
    throw std::invalid_argument("mlp_backward: the cache does not hold a forward pass through these " +
                                std::to_string(n) + " layers");
  const Index rows = cache.activations[0].rows();
  if (d_output.rows() != rows || d_output.cols() != layers.back().weights.cols())
    throw std::invalid_argument("mlp_backward: d_output is " + shape(d_output.rows(), d_output.cols()) +
                                ", the forward's output " + shape(rows, layers.back().weights.cols()));
  if (accumulate.size() != n)
    throw std::invalid_argument("mlp_backward: " + std::to_string(accumulate.size()) + " gradients for " +
                                std::to_string(n) + " layers");
  for (std::size_t l = 0; l < n; ++l) {
    const DenseLayer& layer = layers[l];
    if (accumulate[l].weights.rows() != layer.weights.rows() || accumulate[l].weights.cols() != layer.weights.cols() ||
        accumulate[l].bias.size() != layer.bias.size() || cache.activations[l + 1].rows() != rows ||
        cache.activations[l + 1].cols() != layer.weights.cols())
      throw std::invalid_argument("mlp_backward: layer " + std::to_string(l) +
                                  "'s gradients or cached output do not match its shape " +
                                  shape(layer.weights.rows(), layer.weights.cols()));
  }
  // work[l] = dL/dZ_l (pre-activation). Walking down: dZ_l from dY_l, then dW_l, db_l and,
  // below the first layer, dY_{l-1} = dZ_l W_l^T written straight into work[l-1]; when layer
  // l-1 is a ReLU its mask is applied in the same pass, so work[l-1] is then dZ_{l-1} already.
  std::vector<RowMatrixF>& work = cache.work;
  work.resize(n);
  bool dz_ready = false;
  for (std::size_t l = n; l-- > 0;) {
    const DenseLayer& layer = layers[l];
    RowMatrixF& dz = work[l];
    if (l + 1 == n) {
      dz.resize(rows, layer.weights.cols());
      activation_backward(layer.activation, cache.activations[l + 1], d_output, dz);
    } else if (!dz_ready) {
      activation_backward(layer.activation, cache.activations[l + 1], dz, dz);
    }
    accumulate_dense_parameter_gradients(cache.activations[l], dz, accumulate[l].weights, accumulate[l].bias);
    if (l == 0) break;
    work[l - 1].resize(rows, layer.weights.rows());
    dz_ready = layers[l - 1].activation == Activation::Relu;
    if (dz_ready) dense_input_gradient_through_relu(dz, layer.weights, cache.activations[l], work[l - 1]);
    else dense_input_gradient(dz, layer.weights, work[l - 1]);
  }
}

}  // namespace marlsim::nn

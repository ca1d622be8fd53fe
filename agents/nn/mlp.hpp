#pragma once
// A multilayer network as a list of dense layers: its initialisation, inference, and the
// training forward (keeping every layer's output) and backward (parameter gradients).
//
// Bits: every output row is a chain of dense_forward rows, so it does not depend on the batch
// or the thread count; mlp_backward adds parameter gradients with the reduction contract of
// dense_backward.hpp (chunks of kGradientRowChunk rows in order, threads share out dW's rows),
// so the gradients do not depend on the thread count either.
#include <cstdint>
#include <vector>

#include "agents/nn/activation.hpp"
#include "agents/nn/dense_layer.hpp"

namespace marlsim::nn {

// hidden.size() hidden layers (widths `hidden`, activations `activations`, one each) and an
// identity output layer of width `out`. Weights Glorot-scaled uniform, w ~ U(-a, a) with
// a = sqrt(6 / (in + out)), biases zero (uniform rather than orthogonal: no QR, and exactly
// reproducible from the float draws). Layer l draws from its own Philox stream, entity
// stream_entity + l, so adding a layer changes no other layer's weights.
std::vector<DenseLayer> make_mlp(Eigen::Index in, std::vector<Eigen::Index> hidden, std::vector<Activation> activations,
                                 Eigen::Index out, std::uint64_t seed, std::uint64_t stream_entity);

// Inference: the last layer's output for x (rows x out), no activations kept (x by value: a
// caller done with its input moves it in).
RowMatrixF mlp_output(const std::vector<DenseLayer>& layers, RowMatrixF x);
// The same bits into buffers a frequent caller keeps, one per layer (outputs[l] = layer l's
// output; the last is returned): a call with the batch shape of the last allocates nothing
// (Eigen reallocates a matrix whenever its size changes, so buffers are never swapped).
const RowMatrixF& mlp_output_into(const std::vector<DenseLayer>& layers, const RowMatrixF& x,
                                  std::vector<RowMatrixF>& outputs);

// The training forward's record: activations[0] = the input, activations[l + 1] = layer l's
// output (activations.back() is the network's output).
struct MlpCache {
  std::vector<RowMatrixF> activations;
  // mlp_backward's work buffers (dL/dZ per layer), kept from step to step: fresh buffers of
  // tens of MB page-fault on every step. Not part of the record.
  mutable std::vector<RowMatrixF> work;
};

// Fills cache.activations (resized; its buffers are reused from call to call). x may be
// cache.activations[0] itself (filled by the caller in place, which saves a copy).
// The outputs are bitwise those of the dense_forward chain (and of mlp_output).
void mlp_forward(const std::vector<DenseLayer>& layers, const RowMatrixF& x, MlpCache& cache);

struct LayerGradients {
  RowMatrixF weights;       // in x out, as DenseLayer::weights
  Eigen::RowVectorXf bias;  // out
};

std::vector<LayerGradients> zero_gradients(const std::vector<DenseLayer>& layers);

// Adds dL/dW and dL/db of every layer to `accumulate` (from zero_gradients, or already holding
// gradients of earlier rows), given d_output = dL/d(network output), rows x out, for the rows of
// the last mlp_forward into `cache`. dL/d(input) is not computed (no caller needs it).
void mlp_backward(const std::vector<DenseLayer>& layers, const MlpCache& cache, const RowMatrixF& d_output,
                  std::vector<LayerGradients>& accumulate);

}  // namespace marlsim::nn

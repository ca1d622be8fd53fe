#pragma once
// The backward of the dense layer Y = act(X * W + b) (agents/nn/dense_kernel.hpp), given
// dY = dL/dY:
//   dZ = dY * act'(Z)            (activation_backward.hpp, from the output Y)
//   dX = dZ * W^T                 dense_input_gradient
//   dW += X^T * dZ, db += 1^T dZ  accumulate_dense_parameter_gradients
//
// The reduction contract (what makes gradients independent of the thread count, and of how a
// minibatch is cut into calls): the rows of X and dZ are cut into chunks of
// kGradientRowChunk rows, counted from the first row of the call. For each chunk c, in order,
//     p[k][j] = 0;  for r in chunk c, ascending: p[k][j] = fma(x[r][k], dz[r][j], p[k][j])
//     dw[k][j] = dw[k][j] + p[k][j]
// and likewise for db with x = 1 (plain adds). Threads share out the rows k of dW, never the
// chunks' order, so the bits do not depend on the thread count; and calls over consecutive
// pieces of a minibatch give the same bits as one call over all of it whenever every piece
// but the last holds a multiple of kGradientRowChunk rows (a trainer cuts minibatches so).
// dX's rows are dense_forward rows, independent of everything but their own data.
#include "agents/nn/activation.hpp"
#include "agents/nn/dense_kernel.hpp"

namespace marlsim::nn {

inline constexpr Eigen::Index kGradientRowChunk = 128;

// dz: batch x out, w: in x out, dx: batch x in (overwritten; must not overlap dz).
void dense_input_gradient(Eigen::Ref<const RowMatrixF> dz, Eigen::Ref<const RowMatrixF> w, Eigen::Ref<RowMatrixF> dx);

// dense_input_gradient and the ReLU backward of the layer below in one pass over dx: the
// bits of activation_backward(Relu, relu_y, dZ * W^T, dx), where relu_y (batch x in) is that
// layer's ReLU output, i.e. the dL/dZ of the layer below.
void dense_input_gradient_through_relu(Eigen::Ref<const RowMatrixF> dz, Eigen::Ref<const RowMatrixF> w,
                                       const RowMatrixF& relu_y, Eigen::Ref<RowMatrixF> dx);

// x: batch x in, dz: batch x out; dw: in x out and db: out are added to (zero them to start;
// dw must not overlap x or dz). `simd` as for dense_forward: every level gives the same bits.
void accumulate_dense_parameter_gradients(Eigen::Ref<const RowMatrixF> x, Eigen::Ref<const RowMatrixF> dz,
                                          Eigen::Ref<RowMatrixF> dw, Eigen::Ref<Eigen::RowVectorXf> db,
                                          SimdLevel simd = best_simd_level());

}  // namespace marlsim::nn

#pragma once
// Matrix and vector types of the losses (agents/nn/*_loss.hpp, categorical.hpp). The losses
// are templates on the scalar so that the tests can run them in double for finite differences;
// the trainer uses float.
#include <Eigen/Core>

namespace marlsim::nn {

template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
// Which of a sample's K candidates may be chosen (true) or are padding / infeasible (false).
using CandidateMask = Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace marlsim::nn

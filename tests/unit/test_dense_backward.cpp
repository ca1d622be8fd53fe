// The dense layer's backward (agents/nn/dense_backward.hpp, activation_backward.hpp): every
// gradient against central finite differences of a double-precision forward on random shapes,
// a two-layer MLP chained by hand, and the reduction contract (bitwise the same gradients at
// 1, 2 and 4 threads and for minibatches cut into calls at chunk boundaries).
#include <omp.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <tuple>
#include <vector>

#include "agents/nn/activation_backward.hpp"
#include "agents/nn/dense_backward.hpp"

using namespace marlsim::nn;
using Eigen::Index;
using RowMatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

namespace {

RowMatrixF random_matrix(Index rows, Index cols, std::mt19937& gen, float scale) {
  std::uniform_real_distribution<float> u(-scale, scale);
  RowMatrixF m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = u(gen);
  return m;
}

double activate(Activation act, double z) {
  switch (act) {
    case Activation::Identity: return z;
    case Activation::Relu: return z > 0 ? z : 0;
    case Activation::Tanh: return std::tanh(z);
  }
  return z;
}

// act(x w + b) in double: the reference the finite differences differentiate.
RowMatrixD forward_double(const RowMatrixD& x, const RowMatrixD& w, const RowMatrixD& b, Activation act) {
  RowMatrixD y = x * w;
  for (Index r = 0; r < y.rows(); ++r)
    for (Index j = 0; j < y.cols(); ++j) y(r, j) = activate(act, y(r, j) + b(0, j));
  return y;
}

// Central differences of loss() with respect to every entry of p (perturbed in place), step h.
template <class Loss>
RowMatrixD finite_differences(RowMatrixD& p, Loss loss, double h = 1e-6) {
  RowMatrixD g(p.rows(), p.cols());
  for (Index i = 0; i < p.size(); ++i) {
    const double saved = p.data()[i];
    p.data()[i] = saved + h;
    const double up = loss();
    p.data()[i] = saved - h;
    const double down = loss();
    p.data()[i] = saved;
    g.data()[i] = (up - down) / (2 * h);
  }
  return g;
}

// The float analytic gradient against the double finite difference: the float sums over up to
// a few hundred rows carry ~1e-6 relative rounding, far below this tolerance, while a wrong
// formula is off by O(1).
void require_close(const RowMatrixF& analytic, const RowMatrixD& numeric, const char* what) {
  INFO(what);
  REQUIRE(analytic.rows() == numeric.rows());
  REQUIRE(analytic.cols() == numeric.cols());
  for (Index i = 0; i < numeric.size(); ++i) {
    INFO("entry " << i << ": analytic " << analytic.data()[i] << ", finite difference " << numeric.data()[i]);
    REQUIRE(std::abs(analytic.data()[i] - numeric.data()[i]) <= 1e-4 * (1 + std::abs(numeric.data()[i])));
  }
}

bool same_bits(const RowMatrixF& a, const RowMatrixF& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0;
}

struct ThreadCount {
  int saved = omp_get_max_threads();
  explicit ThreadCount(int n) { omp_set_num_threads(n); }
  ~ThreadCount() { omp_set_num_threads(saved); }
};

struct LayerGradients {
  RowMatrixF dx, dw, db;
};

// dL/dX, dL/dW, dL/db of one layer for the upstream gradient dy.
LayerGradients layer_backward(const RowMatrixF& x, const RowMatrixF& w, const RowMatrixF& y, Activation act,
                              const RowMatrixF& dy) {
  RowMatrixF dz(y.rows(), y.cols());
  activation_backward(act, y, dy, dz);
  LayerGradients g{RowMatrixF(x.rows(), x.cols()), RowMatrixF::Zero(w.rows(), w.cols()), RowMatrixF::Zero(1, w.cols())};
  dense_input_gradient(dz, w, g.dx);
  Eigen::RowVectorXf db = Eigen::RowVectorXf::Zero(w.cols());
  accumulate_dense_parameter_gradients(x, dz, g.dw, db);
  g.db = db;
  return g;
}

}  // namespace

TEST_CASE("dense backward: dX, dW and db match finite differences for every activation", "[gradients]") {
  std::mt19937 gen(12);
  std::uniform_int_distribution<int> dim(1, 40), rows(1, 300);
  for (int trial = 0; trial < 6; ++trial) {
    const Index batch = rows(gen), in = dim(gen), out = dim(gen);
    for (Activation act : {Activation::Identity, Activation::Relu, Activation::Tanh}) {
      INFO("batch " << batch << ", " << in << " -> " << out << ", " << activation_name(act));
      const RowMatrixF x = random_matrix(batch, in, gen, 1.0f);
      const RowMatrixF w = random_matrix(in, out, gen, 1.0f / std::sqrt(static_cast<float>(in)));
      const RowMatrixF b = random_matrix(1, out, gen, 0.1f);
      const RowMatrixF g = random_matrix(batch, out, gen, 1.0f);  // L = sum(g .* y): dL/dy = g
      RowMatrixF y(batch, out);
      dense_forward(x, w, b.row(0), act, y);
      const LayerGradients analytic = layer_backward(x, w, y, act, g);

      RowMatrixD xd = x.cast<double>(), wd = w.cast<double>(), bd = b.cast<double>();
      const RowMatrixD gd = g.cast<double>();
      const auto loss = [&] { return forward_double(xd, wd, bd, act).cwiseProduct(gd).sum(); };
      require_close(analytic.dx, finite_differences(xd, loss), "dX");
      require_close(analytic.dw, finite_differences(wd, loss), "dW");
      require_close(analytic.db, finite_differences(bd, loss), "db");
    }
  }
}

TEST_CASE("dense backward: a two-layer MLP chained by hand matches finite differences", "[gradients]") {
  std::mt19937 gen(7);
  std::uniform_int_distribution<int> dim(2, 24), rows(1, 200);
  for (int trial = 0; trial < 4; ++trial) {
    const Index batch = rows(gen), in = dim(gen), hidden = dim(gen), out = dim(gen);
    INFO("batch " << batch << ", " << in << " -> " << hidden << " -> " << out);
    const RowMatrixF x = random_matrix(batch, in, gen, 1.0f);
    const RowMatrixF w1 = random_matrix(in, hidden, gen, 1.0f / std::sqrt(static_cast<float>(in)));
    const RowMatrixF b1 = random_matrix(1, hidden, gen, 0.1f);
    const RowMatrixF w2 = random_matrix(hidden, out, gen, 1.0f / std::sqrt(static_cast<float>(hidden)));
    const RowMatrixF b2 = random_matrix(1, out, gen, 0.1f);
    const RowMatrixF g = random_matrix(batch, out, gen, 1.0f);
    // y = tanh(relu(x w1 + b1) w2 + b2), L = sum(g .* y)
    RowMatrixF h(batch, hidden), y(batch, out);
    dense_forward(x, w1, b1.row(0), Activation::Relu, h);
    dense_forward(h, w2, b2.row(0), Activation::Tanh, y);
    const LayerGradients second = layer_backward(h, w2, y, Activation::Tanh, g);
    const LayerGradients first = layer_backward(x, w1, h, Activation::Relu, second.dx);

    RowMatrixD xd = x.cast<double>(), w1d = w1.cast<double>(), b1d = b1.cast<double>(), w2d = w2.cast<double>(),
               b2d = b2.cast<double>();
    const RowMatrixD gd = g.cast<double>();
    const auto loss = [&] {
      const RowMatrixD hd = forward_double(xd, w1d, b1d, Activation::Relu);
      return forward_double(hd, w2d, b2d, Activation::Tanh).cwiseProduct(gd).sum();
    };
    require_close(first.dx, finite_differences(xd, loss), "dX");
    require_close(first.dw, finite_differences(w1d, loss), "dW1");
    require_close(first.db, finite_differences(b1d, loss), "db1");
    require_close(second.dw, finite_differences(w2d, loss), "dW2");
    require_close(second.db, finite_differences(b2d, loss), "db2");
  }
}

TEST_CASE("dense backward: the same bits at 1, 2 and 4 threads", "[gradients]") {
  std::mt19937 gen(3);
  // Large enough to take the threaded path; 1,000 rows leave a short last chunk.
  for (auto [in, out] : {std::pair<Index, Index>{50, 128}, {128, 1}, {512, 256}}) {
    INFO(in << " -> " << out);
    const Index batch = 1000;
    const RowMatrixF x = random_matrix(batch, in, gen, 1.0f), w = random_matrix(in, out, gen, 0.1f);
    const RowMatrixF y = random_matrix(batch, out, gen, 1.0f), dy = random_matrix(batch, out, gen, 1.0f);
    LayerGradients reference;
    {
      ThreadCount tc(1);
      reference = layer_backward(x, w, y, Activation::Tanh, dy);
    }
    for (int threads : {2, 4}) {
      ThreadCount tc(threads);
      const LayerGradients g = layer_backward(x, w, y, Activation::Tanh, dy);
      INFO(threads << " threads");
      CHECK(same_bits(g.dx, reference.dx));
      CHECK(same_bits(g.dw, reference.dw));
      CHECK(same_bits(g.db, reference.db));
    }
  }
}

TEST_CASE("dense backward: a minibatch cut into calls at chunk boundaries accumulates the same bits", "[gradients]") {
  std::mt19937 gen(5);
  const Index batch = 1000, in = 64, out = 48;
  const RowMatrixF x = random_matrix(batch, in, gen, 1.0f), dz = random_matrix(batch, out, gen, 1.0f);
  RowMatrixF dw_whole = RowMatrixF::Zero(in, out);
  Eigen::RowVectorXf db_whole = Eigen::RowVectorXf::Zero(out);
  accumulate_dense_parameter_gradients(x, dz, dw_whole, db_whole);

  // Pieces of 2, 1 and 3 chunks, then the rest (which need not be whole chunks).
  RowMatrixF dw_pieces = RowMatrixF::Zero(in, out);
  Eigen::RowVectorXf db_pieces = Eigen::RowVectorXf::Zero(out);
  const std::vector<Index> cuts = {0, 2 * kGradientRowChunk, 3 * kGradientRowChunk, 6 * kGradientRowChunk, batch};
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    const Index n = cuts[i + 1] - cuts[i];
    accumulate_dense_parameter_gradients(x.middleRows(cuts[i], n), dz.middleRows(cuts[i], n), dw_pieces, db_pieces);
  }
  CHECK(same_bits(dw_pieces, dw_whole));
  CHECK(same_bits(db_pieces, db_whole));
  // And the sums are what they should be (the bits test alone would pass on zeros).
  const RowMatrixF expected = x.transpose() * dz;
  CHECK((dw_whole - expected).cwiseAbs().maxCoeff() <= 1e-4f * (1 + expected.cwiseAbs().maxCoeff()));
}

TEST_CASE("dense backward: dW and db are bitwise the reduction contract's loops at every SIMD level", "[gradients]") {
  std::mt19937 gen(9);
  // Widths around the vector and register-block sizes, a batch with a short last chunk, and X
  // and dZ as blocks of wider matrices (row strides that are not their widths).
  for (auto [in, out] : {std::pair<Index, Index>{1, 1}, {7, 3}, {13, 17}, {50, 128}, {64, 65}, {256, 1}}) {
    const Index batch = 2 * kGradientRowChunk + 37;
    const RowMatrixF x_wide = random_matrix(batch, in + 5, gen, 1.0f),
                     dz_wide = random_matrix(batch, out + 3, gen, 1.0f);
    const auto x = x_wide.leftCols(in);
    const auto dz = dz_wide.middleCols(1, out);
    const RowMatrixF dw0 = random_matrix(in, out, gen, 1.0f), db0 = random_matrix(1, out, gen, 1.0f);
    RowMatrixF dw_expected = dw0, db_expected = db0;
    for (Index begin = 0; begin < batch; begin += kGradientRowChunk) {
      const Index end = std::min(batch, begin + kGradientRowChunk);
      for (Index j = 0; j < out; ++j) {
        float pb = 0.0f;
        for (Index r = begin; r < end; ++r) pb += dz(r, j);
        db_expected(0, j) = db_expected(0, j) + pb;
        for (Index k = 0; k < in; ++k) {
          float p = 0.0f;
          for (Index r = begin; r < end; ++r) p = std::fma(x(r, k), dz(r, j), p);
          dw_expected(k, j) = dw_expected(k, j) + p;
        }
      }
    }
    for (SimdLevel simd : {SimdLevel::Portable, SimdLevel::Avx2, SimdLevel::Avx512}) {
      if (!simd_level_supported(simd)) continue;
      INFO(in << " -> " << out << ", " << simd_level_name(simd));
      RowMatrixF dw = dw0;
      Eigen::RowVectorXf db = db0.row(0);
      accumulate_dense_parameter_gradients(x, dz, dw, db, simd);
      CHECK(same_bits(dw, dw_expected));
      CHECK(same_bits(db, db_expected));
    }
  }
}

TEST_CASE("dense backward: dX through a ReLU in one pass is bitwise dX then activation_backward", "[gradients]") {
  std::mt19937 gen(11);
  std::bernoulli_distribution zero(0.2);
  for (auto [batch, in, out] :
       {std::tuple<Index, Index, Index>{1, 1, 1}, {37, 5, 19}, {300, 128, 64}, {1000, 256, 256}}) {
    INFO("batch " << batch << ", " << in << " -> " << out);
    const RowMatrixF dz = random_matrix(batch, out, gen, 1.0f), w = random_matrix(in, out, gen, 0.1f);
    RowMatrixF relu_y = random_matrix(batch, in, gen, 1.0f);  // negative entries stand for masked ones
    for (Index i = 0; i < relu_y.size(); ++i)
      if (zero(gen)) relu_y.data()[i] = 0.0f;
    RowMatrixF expected(batch, in);
    dense_input_gradient(dz, w, expected);
    activation_backward(Activation::Relu, relu_y, expected, expected);
    for (int threads : {1, 2}) {
      ThreadCount tc(threads);
      RowMatrixF fused(batch, in);
      dense_input_gradient_through_relu(dz, w, relu_y, fused);
      INFO(threads << " threads");
      CHECK(same_bits(fused, expected));
    }
  }
}

TEST_CASE("activation backward: ReLU's derivative at 0 is 0, and mismatched shapes are refused", "[gradients]") {
  RowMatrixF y(1, 3), dy(1, 3), dz(1, 3);
  y << 0.0f, 2.0f, -0.0f;
  dy << 5.0f, 5.0f, 5.0f;
  activation_backward(Activation::Relu, y, dy, dz);
  CHECK(dz(0, 0) == 0.0f);
  CHECK(dz(0, 1) == 5.0f);
  CHECK(dz(0, 2) == 0.0f);
  RowMatrixF wrong(2, 3);
  CHECK_THROWS_AS(activation_backward(Activation::Relu, y, dy, wrong), std::invalid_argument);
  RowMatrixF dw = RowMatrixF::Zero(3, 2);
  Eigen::RowVectorXf db = Eigen::RowVectorXf::Zero(2);
  CHECK_THROWS_AS(accumulate_dense_parameter_gradients(y, dy, dw, db), std::invalid_argument);
}

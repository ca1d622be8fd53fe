#pragma once
// The critic's loss over N samples, half squared error against the return targets, optionally
// clipped as in MAPPO (use_clipped_value_loss, clip = 0.2 there):
//   e_i   = v_i - R_i
//   ec_i  = old_v_i + clip(v_i - old_v_i, -clip, clip) - R_i
//   L     = (1/N) sum_i max(e_i^2, ec_i^2) / 2          (clip > 0)
//   L     = (1/N) sum_i e_i^2 / 2                         (clip <= 0: no clipping)
//   dL/dv_i = e_i / N where the unclipped error is the max; ec_i / N where the clipped one is
//   and v_i - old_v_i is inside the clip range; 0 where the clip is active and wins.
// Targets and values are in the critic's (normalised) units: ValueNorm (value_norm.hpp)
// normalises R before it gets here.
#include <algorithm>
#include <stdexcept>

#include "agents/nn/loss_types.hpp"

namespace marlsim::nn {

template <class T>
struct ValueLoss {
  T loss = 0;
  Vector<T> d_value;  // dL/dv, one per sample
};

template <class T>
ValueLoss<T> value_loss(const Vector<T>& values, const Vector<T>& old_values, const Vector<T>& returns, T clip) {
  const Eigen::Index n = values.size();
  if (old_values.size() != n || returns.size() != n)
    throw std::invalid_argument("value_loss: values, old_values and returns differ in length");
  ValueLoss<T> out;
  out.d_value.resize(n);
  if (n == 0) return out;
  const T inv_n = T(1) / static_cast<T>(n);
  T sum = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const T e = values(i) - returns(i);
    if (clip <= 0) {
      sum += e * e;
      out.d_value(i) = e * inv_n;
      continue;
    }
    const T step = values(i) - old_values(i);
    const T clipped_step = std::clamp(step, -clip, clip);
    const T ec = old_values(i) + clipped_step - returns(i);
    if (e * e >= ec * ec) {
      sum += e * e;
      out.d_value(i) = e * inv_n;
    } else {
      sum += ec * ec;
      out.d_value(i) = clipped_step == step ? ec * inv_n : T(0);
    }
  }
  out.loss = sum * inv_n / 2;
  return out;
}

}  // namespace marlsim::nn

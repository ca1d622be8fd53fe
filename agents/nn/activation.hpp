#pragma once
// The elementwise functions a dense layer applies after its affine map.
#include <optional>
#include <string_view>

namespace marlsim::nn {

enum class Activation { Identity, Relu, Tanh };

constexpr std::string_view activation_name(Activation a) {
  switch (a) {
    case Activation::Identity: return "identity";
    case Activation::Relu: return "relu";
    case Activation::Tanh: return "tanh";
  }
  return "?";
}

constexpr std::optional<Activation> activation_from_name(std::string_view name) {
  for (Activation a : {Activation::Identity, Activation::Relu, Activation::Tanh})
    if (activation_name(a) == name) return a;
  return std::nullopt;
}

}  // namespace marlsim::nn

#pragma once
// The element types a results file column can hold. A small trait maps each C++ type to one
// tag so the writer and reader are templates over the tag, not copies per type; a type that
// is not listed here does not compile (long long, bool, char are deliberately absent).
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace marlsim {

enum class ElementType : std::uint8_t { float64, float32, int64, uint64, int32, uint32, int8, uint8 };

template <class T>
struct ElementTypeOf {};
template <>
struct ElementTypeOf<double> {
  static constexpr ElementType value = ElementType::float64;
};
template <>
struct ElementTypeOf<float> {
  static constexpr ElementType value = ElementType::float32;
};
template <>
struct ElementTypeOf<std::int64_t> {
  static constexpr ElementType value = ElementType::int64;
};
template <>
struct ElementTypeOf<std::uint64_t> {
  static constexpr ElementType value = ElementType::uint64;
};
template <>
struct ElementTypeOf<std::int32_t> {
  static constexpr ElementType value = ElementType::int32;
};
template <>
struct ElementTypeOf<std::uint32_t> {
  static constexpr ElementType value = ElementType::uint32;
};
template <>
struct ElementTypeOf<std::int8_t> {
  static constexpr ElementType value = ElementType::int8;
};
template <>
struct ElementTypeOf<std::uint8_t> {
  static constexpr ElementType value = ElementType::uint8;
};

template <class T>
concept Element = requires {
  { ElementTypeOf<T>::value } -> std::convertible_to<ElementType>;
};

template <Element T>
inline constexpr ElementType element_type_v = ElementTypeOf<T>::value;

// The name used in error messages ("expected float32, found int64").
constexpr std::string_view element_type_name(ElementType type) {
  switch (type) {
    case ElementType::float64: return "float64";
    case ElementType::float32: return "float32";
    case ElementType::int64: return "int64";
    case ElementType::uint64: return "uint64";
    case ElementType::int32: return "int32";
    case ElementType::uint32: return "uint32";
    case ElementType::int8: return "int8";
    case ElementType::uint8: return "uint8";
  }
  return "unknown";
}

constexpr std::size_t element_size(ElementType type) {
  switch (type) {
    case ElementType::float64:
    case ElementType::int64:
    case ElementType::uint64: return 8;
    case ElementType::float32:
    case ElementType::int32:
    case ElementType::uint32: return 4;
    case ElementType::int8:
    case ElementType::uint8: return 1;
  }
  return 0;
}

}  // namespace marlsim

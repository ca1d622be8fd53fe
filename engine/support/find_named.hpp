#pragma once
// Registry lookup by name: the entry called `name`, or an InputError that lists every valid
// name ("scheduling policy: expected one of random, weighted-rr, ...; got \"x\"").
#include <string>
#include <string_view>

#include "engine/support/input_error.hpp"

namespace marlsim {

template <class Range, class NameOf>
const auto& find_named(const Range& entries, std::string_view name, std::string_view what, NameOf name_of) {
  for (const auto& e : entries)
    if (name_of(e) == name) return e;
  std::string valid;
  for (const auto& e : entries) {
    valid += valid.empty() ? "" : ", ";
    valid += name_of(e);
  }
  throw InputError::at(std::string(what), "expected one of " + valid + ", got \"" + std::string(name) + "\"");
}

}  // namespace marlsim

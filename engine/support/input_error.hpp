#pragma once
// Bad input (a config field, a trace line, a checkpoint, an option) is reported as one
// line that names where it is and what was expected: "FILE:LINE: FIELD: expected X, got Y".
// Programs catch it at the top, print what(), exit with code 2, and write no output files.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace marlsim {

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}

  // where: a file name, "FILE:LINE", a TOML key or an option name.
  static InputError at(const std::string& where, const std::string& what) { return InputError(where + ": " + what); }
  static InputError at_line(const std::string& file, std::uint64_t line, const std::string& what) {
    return InputError(file + ":" + std::to_string(line) + ": " + what);
  }
};

}  // namespace marlsim

#include <cstdint>
#include <limits>
#include <string>

#include "cli/command.hpp"

namespace marlsim::cli {

const CLI::Validator& seed_validator() {
  static const CLI::Validator validator(
      [](std::string& text) -> std::string {
        const std::string expected = "expected a seed from 0 to 9223372036854775807 (2^63 - 1), got " + text;
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return expected;
        try {
          if (std::stoull(text) > static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max()))
            return expected;
        } catch (const std::exception&) {
          return expected;
        }
        return "";
      },
      "SEED");
  return validator;
}

}  // namespace marlsim::cli

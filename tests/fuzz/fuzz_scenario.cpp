// libFuzzer target: the scenario TOML parser. Any input must end in a Scenario or an
// InputError; anything else (a crash, another exception, a leak, UB) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/experiment/scenario.hpp"
#include "engine/support/input_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)marlsim::parse_scenario(text, "fuzz.toml");
  } catch (const marlsim::InputError&) {
  }
  return 0;
}

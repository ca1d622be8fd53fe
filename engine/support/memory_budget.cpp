#include "engine/support/memory_budget.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "engine/support/input_error.hpp"

namespace marlsim {

std::uint64_t available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

void require_memory(const std::string& where, const std::string& what, double estimate_bytes) {
  const auto available = static_cast<double>(available_memory_bytes());
  if (estimate_bytes <= available) return;
  throw InputError::at(where, fmt::format("this run needs about {:.3g} GB of memory ({}), more than the {:.3g} GB "
                                          "available: make it smaller",
                                          estimate_bytes / 1e9, what, available / 1e9));
}

}  // namespace marlsim

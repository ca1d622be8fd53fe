#pragma once
// Up-front memory checks: a run whose estimated footprint exceeds the memory available is
// refused before it starts, naming the key or option that makes it big and the estimate,
// instead of hanging in swap or dying in std::bad_alloc later.
#include <cstdint>
#include <string>

namespace marlsim {

// MemAvailable from /proc/meminfo (physical memory if that is unreadable).
std::uint64_t available_memory_bytes();

// Throws InputError "WHERE: this run needs about X GB of memory (WHAT), more than the Y GB
// available" if estimate_bytes > available_memory_bytes().
void require_memory(const std::string& where, const std::string& what, double estimate_bytes);

}  // namespace marlsim

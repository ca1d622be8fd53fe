#pragma once
// What one run of the kernel did, on this rank or summed over all ranks.
#include <cstdint>

namespace marlsim {

class Communicator;

struct RunStats {
  std::uint64_t events = 0;           // committed (processed) events
  std::uint64_t remote_events = 0;    // events sent to an LP on another rank
  std::uint64_t remote_messages = 0;  // messages carrying them (one per window and rank sent to)
  std::uint64_t windows = 0;          // synchronization windows (1 in plain sequential mode)
  double wall_s = 0;                  // whole run
  double compute_s = 0;               // processing events and window hooks
  double exchange_s = 0;              // sending and receiving cross-rank events
  double reduce_s = 0;                // waiting on the window's reduction

  double events_per_second() const { return wall_s > 0 ? static_cast<double>(events) / wall_s : 0.0; }
  double mean_events_per_window() const {
    return windows > 0 ? static_cast<double>(events) / static_cast<double>(windows) : 0.0;
  }

  // Collective: events and remote events summed, windows and times as the slowest rank saw them.
  RunStats reduced(const Communicator& comm) const;
};

}  // namespace marlsim

#pragma once
// PHOLD, the standard PDES benchmark (Fujimoto 1990; ROSS ships it as models/phold): every
// LP holds a few events; handling one sends one more, to a random LP with probability
// `remote_fraction` and to itself otherwise, after lookahead + Exp(mean - lookahead), so
// the mean delay is `mean_delay_s` and none is shorter than the lookahead. (ROSS's phold
// draws lookahead + Exp(mean), a mean delay of mean + lookahead: pass --mean as that sum to
// run ROSS's settings; benchmarks/RESULTS.md compares both ways.)
#include <cstdint>

#include "engine/kernel/partition.hpp"
#include "engine/kernel/run_stats.hpp"
#include "mpi/communicator.hpp"

namespace marlsim {

struct PholdConfig {
  std::uint64_t lps = 1024;      // total, over all ranks
  std::uint32_t population = 1;  // initial events per LP
  double remote_fraction = 0.25;
  double mean_delay_s = 1.0;
  double lookahead_s = 0.1;
  double end_time_s = 100.0;
  std::uint64_t seed = 1;
  PartitionKind partition = PartitionKind::Block;

  void validate() const;  // throws InputError naming the option
};

struct PholdResult {
  RunStats stats;              // reduced over ranks
  std::uint64_t checksum = 0;  // digest of every LP's final state: equal for any rank count
};

// Collective over comm.
PholdResult run_phold(const Communicator& comm, const PholdConfig& config);

}  // namespace marlsim

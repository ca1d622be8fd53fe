#pragma once
// Arrival times of a (possibly non-homogeneous) Poisson process. The rate is
// base_rate x diurnal(t) x burst(t), sampled by thinning (Lewis & Shedler, 1979): candidates
// at the peak rate, each kept with probability rate(t) / peak. Off by default (a plain
// Poisson process at base_rate).
#include <cstdint>
#include <vector>

#include "engine/support/rng.hpp"

namespace marlsim {

struct Burst {
  double start_s = 0.0;
  double duration_s = 0.0;
  double multiplier = 1.0;  // rate multiplier while active
};

struct ArrivalProfile {
  // Diurnal sinusoid: 1 + amplitude x sin(2 pi (t / period + phase)). Its mean over whole
  // periods is 1, so a target utilization stays the average over a day.
  double diurnal_amplitude = 0.0;  // in [0, 1]
  double diurnal_period_s = 86400.0;
  double diurnal_phase = 0.0;  // fraction of a period
  std::vector<Burst> bursts;   // fixed bursts
  // A Poisson process of bursts: starts at this rate, exponential durations.
  double burst_rate_per_s = 0.0;
  double burst_mean_duration_s = 600.0;
  double burst_multiplier = 3.0;
  // Overlapping bursts do not compound: the largest active multiplier applies. Bursts add
  // load on top of the base rate (they are excursions above the target).

  bool dynamic() const { return diurnal_amplitude > 0 || !bursts.empty() || burst_rate_per_s > 0; }
  // Throws InputError naming the field if a value is out of range.
  void validate() const;
};

class ArrivalProcess {
 public:
  // `arrivals` draws candidate times and thinning decisions; `bursts` draws the burst process.
  ArrivalProcess(const ArrivalProfile& profile, double base_rate_per_s, RngStream arrivals, RngStream bursts);
  double next();  // the next arrival time in seconds (strictly increasing)
  // The rate at time t; t must not decrease between calls (the burst process is generated
  // lazily and forgotten behind the present).
  double rate_at(double t);

 private:
  double burst_multiplier_at(double t);

  ArrivalProfile profile_;
  double base_rate_;
  double peak_rate_;
  RngStream arrivals_, bursts_;
  double t_ = 0.0;
  std::vector<Burst> random_bursts_;  // generated lazily, in start order
  double next_burst_start_ = 0.0;
  double longest_random_burst_ = 0.0;
};

}  // namespace marlsim

#include "workloads/arrival_process.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/support/input_error.hpp"

namespace marlsim {

namespace {
constexpr double kTwoPi = 6.283185307179586476925;

void require(bool ok, const std::string& field, const std::string& expected, double got) {
  if (!ok) throw InputError::at("arrivals." + field, "expected " + expected + ", got " + std::to_string(got));
}
}  // namespace

void ArrivalProfile::validate() const {
  require(diurnal_amplitude >= 0 && diurnal_amplitude <= 1, "diurnal_amplitude", "a value in [0, 1]",
          diurnal_amplitude);
  require(std::isfinite(diurnal_period_s) && diurnal_period_s > 0, "diurnal_period_s", "a number > 0",
          diurnal_period_s);
  require(std::isfinite(diurnal_phase), "diurnal_phase", "a finite number", diurnal_phase);
  for (std::size_t i = 0; i < bursts.size(); ++i) {
    const std::string b = "bursts[" + std::to_string(i) + "].";
    require(std::isfinite(bursts[i].start_s) && bursts[i].start_s >= 0, b + "start_s", "a number >= 0",
            bursts[i].start_s);
    require(std::isfinite(bursts[i].duration_s) && bursts[i].duration_s >= 0, b + "duration_s", "a number >= 0",
            bursts[i].duration_s);
    require(std::isfinite(bursts[i].multiplier) && bursts[i].multiplier >= 0, b + "multiplier", "a number >= 0",
            bursts[i].multiplier);
  }
  require(std::isfinite(burst_rate_per_s) && burst_rate_per_s >= 0, "burst_rate_per_s", "a number >= 0",
          burst_rate_per_s);
  require(std::isfinite(burst_mean_duration_s) && burst_mean_duration_s > 0, "burst_mean_duration_s", "a number > 0",
          burst_mean_duration_s);
  require(std::isfinite(burst_multiplier) && burst_multiplier >= 0, "burst_multiplier", "a number >= 0",
          burst_multiplier);
}

ArrivalProcess::ArrivalProcess(const ArrivalProfile& profile, double base_rate_per_s, RngStream arrivals,
                               RngStream bursts)
    : profile_(profile), base_rate_(base_rate_per_s), arrivals_(arrivals), bursts_(bursts) {
  profile_.validate();
  if (!(std::isfinite(base_rate_per_s) && base_rate_per_s > 0))
    throw InputError::at("arrivals.rate", "expected a finite arrival rate > 0, got " + std::to_string(base_rate_per_s));
  double peak_burst = 1.0;
  for (const auto& b : profile_.bursts) peak_burst = std::max(peak_burst, b.multiplier);
  if (profile_.burst_rate_per_s > 0) {
    peak_burst = std::max(peak_burst, profile_.burst_multiplier);
    next_burst_start_ = bursts_.exponential(1.0 / profile_.burst_rate_per_s);
  }
  peak_rate_ = base_rate_ * (1.0 + profile_.diurnal_amplitude) * peak_burst;
}

double ArrivalProcess::burst_multiplier_at(double t) {
  // The largest multiplier among active bursts, or 1 outside bursts.
  double m = 0.0;
  bool active = false;
  auto consider = [&](const Burst& b) {
    if (t >= b.start_s && t < b.start_s + b.duration_s) {
      m = active ? std::max(m, b.multiplier) : b.multiplier;
      active = true;
    }
  };
  for (const auto& b : profile_.bursts) consider(b);
  if (profile_.burst_rate_per_s > 0) {
    while (next_burst_start_ <= t) {
      const double d = bursts_.exponential(profile_.burst_mean_duration_s);
      random_bursts_.push_back({next_burst_start_, d, profile_.burst_multiplier});
      longest_random_burst_ = std::max(longest_random_burst_, d);
      next_burst_start_ += bursts_.exponential(1.0 / profile_.burst_rate_per_s);
    }
    // Time only moves forward: bursts that started longer ago than the longest one lasted
    // are over and can be forgotten.
    const double horizon = t - longest_random_burst_;
    const auto first_live = std::find_if(random_bursts_.begin(), random_bursts_.end(),
                                         [&](const Burst& b) { return b.start_s >= horizon; });
    random_bursts_.erase(random_bursts_.begin(), first_live);
    for (const auto& b : random_bursts_) consider(b);
  }
  return active ? m : 1.0;
}

double ArrivalProcess::rate_at(double t) {
  double r = base_rate_;
  if (profile_.diurnal_amplitude > 0)
    r *= 1.0 + profile_.diurnal_amplitude * std::sin(kTwoPi * (t / profile_.diurnal_period_s + profile_.diurnal_phase));
  return r * burst_multiplier_at(t);
}

double ArrivalProcess::next() {
  if (!profile_.dynamic()) {
    t_ += arrivals_.exponential(1.0 / base_rate_);
    return t_;
  }
  for (;;) {
    t_ += arrivals_.exponential(1.0 / peak_rate_);
    // Always draw the acceptance uniform, so the stream position depends only on the
    // number of candidates.
    const double u = arrivals_.uniform();
    if (u * peak_rate_ < rate_at(t_)) return t_;
  }
}

}  // namespace marlsim

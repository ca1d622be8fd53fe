#pragma once
// Summary statistics for per-episode metrics: mean, sample standard deviation, the 95 %
// confidence half-width from Student's t, and percentiles (linear interpolation, as numpy).
#include <span>
#include <vector>

namespace marlsim {

double mean_of(std::span<const double> xs);
double stddev_of(std::span<const double> xs);  // sample (n - 1); 0 for fewer than 2 values
// Half-width of the 95 % confidence interval of the mean: t(0.975, n-1) * s / sqrt(n).
// NaN (undefined, not 0) for fewer than 2 values.
double ci95_half_width(std::span<const double> xs);
// Paired comparison of a and b measured on the same units (episodes with common random
// numbers): the mean of the differences a[i] - b[i] and the 95 % CI half-width of that mean
// from Student's t on the differences. Throws std::invalid_argument if sizes differ.
struct MeanCi {
  double mean, ci95;
};
MeanCi paired_difference(std::span<const double> a, std::span<const double> b);
double student_t_975(int degrees_of_freedom);
// q in [0, 1]; xs need not be sorted. NaN for an empty span.
double percentile_of(std::vector<double> xs, double q);

}  // namespace marlsim

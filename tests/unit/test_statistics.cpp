// Summary statistics of per-episode metrics, against numbers worked out by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "engine/support/statistics.hpp"

using namespace marlsim;

TEST_CASE("statistics: the 95 % CI of a mean uses Student's t, and one value has no interval", "[statistics]") {
  // {1, 2, 3}: mean 2, s = 1, t(0.975, 2) = 4.303, half-width 4.303 / sqrt(3) = 2.48434.
  const std::vector<double> three{1, 2, 3};
  CHECK(mean_of(three) == 2.0);
  CHECK(ci95_half_width(three) == Approx(4.303 / std::sqrt(3.0)).epsilon(1e-12));
  CHECK(ci95_half_width(three) == Approx(2.48434).epsilon(1e-5));
  // One episode: the interval is undefined (NaN), not 0.
  CHECK(std::isnan(ci95_half_width(std::vector<double>{5.0})));
  CHECK(std::isnan(ci95_half_width(std::vector<double>{})));
  // Equal values: a defined, zero-width interval.
  CHECK(ci95_half_width(std::vector<double>{4, 4, 4}) == 0.0);
}

TEST_CASE("statistics: paired differences and their CI from Student's t on the differences", "[statistics]") {
  // Policy a and baseline b on the same four episodes. Differences {2, 1, 3, 0}: mean 1.5,
  // s^2 = (0.25 + 0.25 + 2.25 + 2.25) / 3 = 5/3, t(0.975, 3) = 3.182,
  // half-width 3.182 x sqrt(5/3) / 2 = 2.05397.
  const std::vector<double> a{10, 12, 15, 11}, b{8, 11, 12, 11};
  const MeanCi d = paired_difference(a, b);
  CHECK(d.mean == 1.5);
  CHECK(d.ci95 == Approx(3.182 * std::sqrt(5.0 / 3.0) / 2.0).epsilon(1e-12));
  CHECK(d.ci95 == Approx(2.05397).epsilon(1e-5));
  // Pairing removes the episode-to-episode spread both share: a's own interval is wider
  // (a: mean 12, s^2 = (4 + 0 + 9 + 1) / 3 = 14/3, half-width 3.182 x sqrt(14/3) / 2 = 3.43694).
  CHECK(ci95_half_width(a) == Approx(3.43694).epsilon(1e-5));
  CHECK(d.ci95 < ci95_half_width(a));
  // The baseline against itself: exactly 0 +- 0.
  const MeanCi self = paired_difference(b, b);
  CHECK(self.mean == 0.0);
  CHECK(self.ci95 == 0.0);
  // One pair: a difference, and no interval.
  const MeanCi one = paired_difference(std::vector<double>{3}, std::vector<double>{1});
  CHECK(one.mean == 2.0);
  CHECK(std::isnan(one.ci95));
  CHECK_THROWS_AS(paired_difference(a, std::vector<double>{1, 2}), std::invalid_argument);
}

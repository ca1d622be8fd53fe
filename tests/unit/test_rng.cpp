#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "engine/support/rng.hpp"

using marlsim::RngStream;

TEST_CASE("rng: a stream is a pure function of (seed, entity, stream)", "[engine][rng]") {
  RngStream a(42, 7, 3), b(42, 7, 3);
  for (int i = 0; i < 1000; ++i) REQUIRE(a.next_u64() == b.next_u64());
  REQUIRE(a.draws() == 1000);
}

TEST_CASE("rng: different seeds, entities and streams give different sequences", "[engine][rng]") {
  std::set<std::uint64_t> firsts;
  for (std::uint64_t seed : {1ull, 2ull})
    for (std::uint64_t entity : {0ull, 1ull, 1ull << 40})
      for (std::uint64_t stream : {0ull, 1ull, 1ull << 33}) {
        RngStream r(seed, entity, stream);
        firsts.insert(r.next_u64() ^ (r.next_u64() << 1));
      }
  REQUIRE(firsts.size() == 18);
}

TEST_CASE("rng: uniform, below and exponential have the right moments", "[engine][rng]") {
  RngStream r(1, 2, 3);
  const int n = 200000;
  double sum = 0, sum_exp = 0;
  std::uint64_t counts[7] = {};
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    const auto k = r.below(7);
    REQUIRE(k < 7);
    ++counts[k];
    sum_exp += r.exponential(2.5);
  }
  CHECK(sum / n == Approx(0.5).margin(0.005));
  CHECK(sum_exp / n == Approx(2.5).epsilon(0.02));
  for (auto c : counts) CHECK(static_cast<double>(c) / n == Approx(1.0 / 7).margin(0.005));
}

TEST_CASE("rng: pareto and lognormal follow their closed forms", "[engine][rng]") {
  RngStream r(9, 9, 9);
  const int n = 400000;
  double pareto_sum = 0, log_sum = 0;
  double pareto_min = 1e300;
  for (int i = 0; i < n; ++i) {
    const double p = r.pareto(2.5, 10.0);
    pareto_min = std::min(pareto_min, p);
    pareto_sum += p;
    log_sum += std::log(r.lognormal(0.5, 0.8));
  }
  CHECK(pareto_min >= 10.0);
  CHECK(pareto_sum / n == Approx(2.5 * 10.0 / 1.5).epsilon(0.02));  // alpha xm / (alpha - 1)
  CHECK(log_sum / n == Approx(0.5).margin(0.01));
}

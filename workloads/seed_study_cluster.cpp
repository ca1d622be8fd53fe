#include "workloads/seed_study_cluster.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/support/input_error.hpp"
#include "engine/support/rng.hpp"

namespace marlsim {

namespace {
constexpr std::uint64_t kTierShuffleStream = 0xC1A5'0001ull;
constexpr std::uint64_t kNodeStream = 0xC1A5'0002ull;

void check_range(const ValueRange& r, const std::string& field, double min_lo) {
  if (!(std::isfinite(r.lo) && std::isfinite(r.hi) && r.lo >= min_lo && r.lo <= r.hi))
    throw InputError::at(field, fmt::format("expected {:g} <= lo <= hi, got [{:g}, {:g}]", min_lo, r.lo, r.hi));
}
}  // namespace

void SeedStudyClusterConfig::validate() const {
  if (nodes == 0) throw InputError::at("cluster.nodes", "expected an integer >= 1, got 0");
  if (tiers.empty() || tiers.size() > 255)
    throw InputError::at("cluster.tiers", "expected 1 to 255 tiers, got " + std::to_string(tiers.size()));
  double total = 0;
  for (const auto& t : tiers) {
    const std::string f = "cluster.tiers." + t.name + ".";
    if (!(std::isfinite(t.fraction) && t.fraction >= 0))
      throw InputError::at(f + "fraction", "expected a number >= 0, got " + std::to_string(t.fraction));
    total += t.fraction;
    check_range(t.cores, f + "cores", 1);
    if (std::floor(t.cores.lo) != t.cores.lo || std::floor(t.cores.hi) != t.cores.hi)
      throw InputError::at(f + "cores", "expected integer bounds, got [" + std::to_string(t.cores.lo) + ", " +
                                            std::to_string(t.cores.hi) + "]");
    check_range(t.memory_gb, f + "memory_gb", 0);
    check_range(t.idle_power_w, f + "idle_power_w", 0);
    check_range(t.dynamic_power_w, f + "dynamic_power_w", 0);
    check_range(t.speed, f + "speed", 1e-9);
  }
  if (!(total > 0)) throw InputError::at("cluster.tiers", "expected fractions summing to > 0, got 0");
}

ClusterSpec generate_seed_study_cluster(const SeedStudyClusterConfig& config, std::uint64_t seed) {
  config.validate();
  const std::size_t n_tiers = config.tiers.size();
  const auto n = config.nodes;

  // Largest-remainder rounding of the tier shares (ties to the earlier tier).
  double total = 0;
  for (const auto& t : config.tiers) total += t.fraction;
  std::vector<std::uint64_t> count(n_tiers);
  std::vector<double> remainder(n_tiers);
  std::uint64_t assigned = 0;
  for (std::size_t k = 0; k < n_tiers; ++k) {
    const double exact = static_cast<double>(n) * config.tiers[k].fraction / total;
    count[k] = static_cast<std::uint64_t>(std::floor(exact + 1e-9));
    remainder[k] = exact - static_cast<double>(count[k]);
    assigned += count[k];
  }
  std::vector<std::size_t> by_remainder(n_tiers);
  std::iota(by_remainder.begin(), by_remainder.end(), 0);
  std::stable_sort(by_remainder.begin(), by_remainder.end(),
                   [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
  for (std::size_t j = 0; assigned < n; ++j, ++assigned) ++count[by_remainder[j % n_tiers]];

  std::vector<std::uint8_t> tier_of;
  tier_of.reserve(n);
  for (std::size_t k = 0; k < n_tiers; ++k) tier_of.insert(tier_of.end(), count[k], static_cast<std::uint8_t>(k));
  RngStream shuffle(seed, 0, kTierShuffleStream);
  for (std::uint64_t i = n - 1; i > 0; --i) std::swap(tier_of[i], tier_of[shuffle.below(i + 1)]);

  ClusterSpec cluster;
  for (const auto& t : config.tiers) cluster.tier_names.push_back(t.name);
  cluster.nodes.resize(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    const NodeTierConfig& t = config.tiers[tier_of[i]];
    RngStream rng(seed, i, kNodeStream);
    NodeSpec& node = cluster.nodes[i];
    const auto core_span = static_cast<std::uint64_t>(t.cores.hi - t.cores.lo) + 1;
    node.cores = t.cores.lo + static_cast<double>(rng.below(core_span));
    node.memory_gb = rng.uniform(t.memory_gb.lo, t.memory_gb.hi);
    node.idle_power_w = rng.uniform(t.idle_power_w.lo, t.idle_power_w.hi);
    node.dynamic_power_w = rng.uniform(t.dynamic_power_w.lo, t.dynamic_power_w.hi);
    node.speed = rng.uniform(t.speed.lo, t.speed.hi);
    node.tier = tier_of[i];
  }
  return cluster;
}

}  // namespace marlsim

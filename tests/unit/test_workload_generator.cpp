#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "engine/support/input_error.hpp"
#include "workloads/seed_study_cluster.hpp"
#include "workloads/seed_study_workload.hpp"

using namespace marlsim;

namespace {
bool same_stream(const std::vector<TaskSpec>& a, const std::vector<TaskSpec>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].arrival_s != b[i].arrival_s || a[i].work_core_s != b[i].work_core_s || a[i].cores != b[i].cores ||
        a[i].memory_gb != b[i].memory_gb || a[i].priority != b[i].priority || a[i].deadline_s != b[i].deadline_s)
      return false;
  }
  return true;
}
}  // namespace

TEST_CASE("Study cluster: tier sizes, ranges and determinism", "[workloads]") {
  SeedStudyClusterConfig cfg;
  const ClusterSpec c = generate_seed_study_cluster(cfg, 7);
  REQUIRE(c.nodes.size() == 100);
  REQUIRE(c.tier_names == std::vector<std::string>{"high", "medium", "low"});
  int count[3] = {0, 0, 0};
  for (const auto& n : c.nodes) {
    ++count[n.tier];
    const auto& t = cfg.tiers[n.tier];
    CHECK(n.cores >= t.cores.lo);
    CHECK(n.cores <= t.cores.hi);
    CHECK(n.cores == std::floor(n.cores));
    CHECK(n.memory_gb >= t.memory_gb.lo);
    CHECK(n.memory_gb <= t.memory_gb.hi);
    CHECK(n.idle_power_w >= t.idle_power_w.lo);
    CHECK(n.idle_power_w <= t.idle_power_w.hi);
    CHECK(n.dynamic_power_w >= t.dynamic_power_w.lo);
    CHECK(n.dynamic_power_w <= t.dynamic_power_w.hi);
    CHECK(n.speed >= t.speed.lo);
    CHECK(n.speed <= t.speed.hi);
  }
  CHECK(count[0] == 20);
  CHECK(count[1] == 50);
  CHECK(count[2] == 30);
  // Tiers are spread over ids, not in blocks: the first quarter holds more than one tier.
  std::set<int> first_quarter;
  for (int i = 0; i < 25; ++i) first_quarter.insert(c.nodes[i].tier);
  CHECK(first_quarter.size() >= 2);

  const ClusterSpec again = generate_seed_study_cluster(cfg, 7);
  const ClusterSpec other = generate_seed_study_cluster(cfg, 8);
  bool all_same = true, any_diff = false;
  for (std::size_t i = 0; i < 100; ++i) {
    all_same = all_same && again.nodes[i].memory_gb == c.nodes[i].memory_gb && again.nodes[i].tier == c.nodes[i].tier;
    any_diff = any_diff || other.nodes[i].memory_gb != c.nodes[i].memory_gb;
  }
  CHECK(all_same);
  CHECK(any_diff);
}

TEST_CASE("Study cluster scales to 10,000 nodes with exact tier shares", "[workloads]") {
  SeedStudyClusterConfig cfg;
  cfg.nodes = 10000;
  const ClusterSpec c = generate_seed_study_cluster(cfg, 1);
  REQUIRE(c.nodes.size() == 10000);
  std::array<int, 3> count{};
  double mean_high_cores = 0;
  for (const auto& n : c.nodes) {
    ++count[n.tier];
    if (n.tier == 0) mean_high_cores += n.cores;
  }
  CHECK(count == std::array<int, 3>{2000, 5000, 3000});
  CHECK(mean_high_cores / 2000 == Approx(28.0).margin(0.3));  // uniform integers 24..32

  cfg.nodes = 7;  // shares 1.4 / 3.5 / 2.1 -> largest remainder gives 1 / 4 / 2
  const ClusterSpec small = generate_seed_study_cluster(cfg, 1);
  std::array<int, 3> c7{};
  for (const auto& n : small.nodes) ++c7[n.tier];
  CHECK(c7 == std::array<int, 3>{1, 4, 2});
}

TEST_CASE("Study workload: distributions, clamps and priority mix", "[workloads]") {
  SeedStudyWorkloadConfig cfg;
  cfg.tasks = 200000;
  const ClusterSpec cluster = generate_seed_study_cluster({}, 3);
  const auto tasks = generate_seed_study_tasks(cfg, cluster, 42, 0);
  REQUIRE(tasks.size() == 200000);
  double sum_rt = 0, sum_cores = 0, sum_mem = 0, sum_gap = 0;
  std::array<double, 3> prio{};
  double prev = 0;
  bool ordered = true;
  for (const auto& t : tasks) {
    const double rt = t.reference_runtime_s();
    REQUIRE(rt >= 10.0);
    REQUIRE(t.cores >= 1.0);
    REQUIRE(t.cores <= 8.0);
    REQUIRE(t.cores == std::round(t.cores));
    REQUIRE(t.memory_gb >= 2.0);
    REQUIRE(t.memory_gb <= 20.0);
    REQUIRE(t.parents.empty());
    ordered = ordered && t.arrival_s > prev;
    sum_gap += t.arrival_s - prev;
    prev = t.arrival_s;
    sum_rt += rt;
    sum_cores += t.cores;
    sum_mem += t.memory_gb;
    prio[static_cast<int>(t.priority)] += 1;
    // Default SLA: production 1.5x, batch 3x, best-effort 6x the reference run time.
    const double factor[3] = {1.5, 3.0, 6.0};
    REQUIRE(t.deadline_s == Approx(t.arrival_s + factor[static_cast<int>(t.priority)] * rt));
  }
  CHECK(ordered);
  CHECK(tasks.front().id == 0);
  CHECK(tasks.back().id == tasks.size() - 1);
  const double n = static_cast<double>(tasks.size());
  CHECK(sum_gap / n == Approx(2.0).epsilon(0.01));  // 0.5 tasks/s
  CHECK(sum_rt / n == Approx(expected_runtime_s(cfg)).epsilon(0.02));
  CHECK(expected_runtime_s(cfg) == Approx(2.5 * 10 / 1.5));
  CHECK(sum_cores / n == Approx(expected_cores(cfg)).epsilon(0.01));
  CHECK(sum_mem / n == Approx(expected_memory_gb(cfg)).epsilon(0.01));
  CHECK(prio[0] / n == Approx(0.25).margin(0.005));
  CHECK(prio[1] / n == Approx(0.60).margin(0.005));
  CHECK(prio[2] / n == Approx(0.15).margin(0.005));
  // The clamps bind: some tasks sit exactly on each bound.
  CHECK(std::count_if(tasks.begin(), tasks.end(), [](const TaskSpec& t) { return t.cores == 8.0; }) > 0);
  CHECK(std::count_if(tasks.begin(), tasks.end(), [](const TaskSpec& t) { return t.memory_gb == 20.0; }) > 0);
  CHECK(std::count_if(tasks.begin(), tasks.end(), [](const TaskSpec& t) { return t.memory_gb == 2.0; }) > 0);
}

TEST_CASE("Study workload: expected cores from the normal CDF", "[workloads]") {
  SeedStudyWorkloadConfig cfg;
  // Independent check by midpoint integration over z of round(clamp(exp(mu + sigma z))).
  double e = 0;
  const double dz = 1e-4;
  for (double z = -10; z < 10; z += dz) {
    const double x = std::clamp(std::exp(cfg.cpu_mu + cfg.cpu_sigma * (z + dz / 2)), 1.0, 8.0);
    e += std::round(x) * std::exp(-(z + dz / 2) * (z + dz / 2) / 2) / std::sqrt(2 * M_PI) * dz;
  }
  CHECK(expected_cores(cfg) == Approx(e).epsilon(1e-4));
  CHECK(expected_cores(cfg) > 1.5);
  CHECK(expected_cores(cfg) < 3.0);
}

TEST_CASE("Study workload: same (seed, episode) gives the same stream, others differ", "[workloads]") {
  SeedStudyWorkloadConfig cfg;
  const ClusterSpec cluster = generate_seed_study_cluster({}, 1);
  const auto a = generate_seed_study_tasks(cfg, cluster, 11, 3);
  const auto b = generate_seed_study_tasks(cfg, cluster, 11, 3);
  const auto other_episode = generate_seed_study_tasks(cfg, cluster, 11, 4);
  const auto other_seed = generate_seed_study_tasks(cfg, cluster, 12, 3);
  CHECK(same_stream(a, b));
  CHECK_FALSE(same_stream(a, other_episode));
  CHECK_FALSE(same_stream(a, other_seed));
  CHECK(a[0].work_core_s != other_episode[0].work_core_s);

  // Common random numbers across loads: task sizes do not depend on the arrival rate.
  SeedStudyWorkloadConfig busy = cfg;
  busy.target_utilization = 0.9;
  const auto c = generate_seed_study_tasks(busy, cluster, 11, 3);
  bool sizes_same = true;
  for (std::size_t i = 0; i < a.size(); ++i)
    sizes_same = sizes_same && a[i].work_core_s == c[i].work_core_s && a[i].priority == c[i].priority;
  CHECK(sizes_same);
  CHECK(c.back().arrival_s < a.back().arrival_s);
}

TEST_CASE("Utilization math: the study's 0.5 tasks/s is about 1.5 % of its cluster", "[workloads]") {
  SeedStudyWorkloadConfig cfg;
  // Average over several clusters so the check is about the configuration, not one draw.
  double u = 0;
  for (std::uint64_t s = 1; s <= 10; ++s) u += offered_load(0.5, cfg, generate_seed_study_cluster({}, s)).cpu;
  u /= 10;
  CHECK(u > 0.010);
  CHECK(u < 0.020);
  // Inverse functions agree.
  const ClusterSpec cluster = generate_seed_study_cluster({}, 5);
  const double rate = arrival_rate_for_utilization(0.8, cfg, cluster);
  const OfferedLoad load = offered_load(rate, cfg, cluster);
  CHECK(load.dominant() == Approx(0.8));
  CHECK(load.cpu <= 0.8 + 1e-12);
  CHECK(load.memory <= 0.8 + 1e-12);
  CHECK(load.memory ==
        Approx(rate * expected_memory_gb(cfg) * expected_runtime_s(cfg) / cluster.capacity_memory_gb_s_per_s()));
}

TEST_CASE("Utilization math: a stream at U = 0.8 offers 80 % of its dominant resource, memory no more", "[workloads]") {
  // The seed study's tasks load memory more than CPU (memory x run time over memory x speed
  // is 1.03-1.17x the CPU load on its clusters), so the dominant resource is memory: a rate
  // set from CPU alone offered 80 % of the cores and more than 80 % of the memory.
  SeedStudyWorkloadConfig cfg;
  cfg.tasks = 100000;
  cfg.target_utilization = 0.8;
  // Cluster seed 7: memory's load is 1.054x CPU's, so a CPU-only rate overloads memory by 5 %.
  const ClusterSpec cluster = generate_seed_study_cluster({}, 7);
  const auto tasks = generate_seed_study_tasks(cfg, cluster, 2024, 0);
  double work = 0, memory_s = 0;
  for (const auto& t : tasks) {
    work += t.work_core_s;
    memory_s += t.memory_gb * t.reference_runtime_s();
  }
  const double span_s = tasks.back().arrival_s;
  const double cpu = work / (span_s * cluster.capacity_core_s_per_s());
  const double memory = memory_s / (span_s * cluster.capacity_memory_gb_s_per_s());
  INFO("measured CPU load " << cpu << ", memory load " << memory);
  CHECK(std::max(cpu, memory) == Approx(0.8).epsilon(0.02));
  CHECK(memory <= 0.8 * 1.02);
  CHECK(cpu <= 0.8 * 1.02);
  CHECK(offered_load(1.0, cfg, cluster).memory > 1.05 * offered_load(1.0, cfg, cluster).cpu);
  const OfferedLoad expected = offered_load(base_arrival_rate(cfg, cluster), cfg, cluster);
  CHECK(cpu == Approx(expected.cpu).epsilon(0.03));
  CHECK(memory == Approx(expected.memory).epsilon(0.03));
}

TEST_CASE("Run-time cap: runtime_max_s cuts Pareto run times and the expected run time follows", "[workloads]") {
  SeedStudyWorkloadConfig cfg;
  cfg.tasks = 200000;
  cfg.runtime_pareto_alpha = 1.5;  // heavy tail, so the cap at 50 s bites often
  cfg.runtime_max_s = 50;
  const ClusterSpec cluster = generate_seed_study_cluster({}, 3);
  const auto tasks = generate_seed_study_tasks(cfg, cluster, 5, 0);
  double sum = 0, longest = 0;
  for (const auto& t : tasks) {
    sum += t.reference_runtime_s();
    longest = std::max(longest, t.reference_runtime_s());
  }
  CHECK(longest == Approx(50.0));
  CHECK(sum / static_cast<double>(tasks.size()) == Approx(expected_runtime_s(cfg)).epsilon(0.01));
  // 10 + (10 - 10^1.5 x 50^-0.5) / 0.5 = 10 + 2 x (10 - 4.472) = 21.06 s.
  CHECK(expected_runtime_s(cfg) == Approx(21.0557).epsilon(1e-4));
  cfg.runtime_max_s = 5;  // below runtime_min_s
  CHECK_THROWS_WITH(cfg.validate(),
                    Catch::Contains("workload.runtime_max_s: expected 0 (no cap) or a number >= runtime_min_s"));
}

TEST_CASE("Dynamic load: diurnal thinning and bursts shape the arrival rate", "[workloads]") {
  SeedStudyWorkloadConfig cfg;
  cfg.tasks = 60000;
  cfg.arrival_rate_per_s = 1.0;
  cfg.profile.diurnal_amplitude = 0.8;
  cfg.profile.diurnal_period_s = 10000;
  const ClusterSpec cluster = generate_seed_study_cluster({}, 1);
  const auto tasks = generate_seed_study_tasks(cfg, cluster, 5, 0);
  // Peak quarter-period (rate 1 + 0.8 sin) vs trough quarter-period, over all whole periods.
  double peak = 0, trough = 0;
  for (const auto& t : tasks) {
    const double phase = std::fmod(t.arrival_s, 10000.0) / 10000.0;
    if (phase >= 0.125 && phase < 0.375) peak += 1;
    if (phase >= 0.625 && phase < 0.875) trough += 1;
  }
  // Expected ratio: integral of (1 + 0.8 sin) over the two windows = (1 + 0.8*0.9003) / (1 - 0.8*0.9003).
  const double expected = (1 + 0.8 * 0.9003) / (1 - 0.8 * 0.9003);
  CHECK(peak / trough == Approx(expected).epsilon(0.08));
  // Mean rate stays the base rate over whole periods.
  CHECK(tasks.size() / tasks.back().arrival_s == Approx(1.0).epsilon(0.03));

  SeedStudyWorkloadConfig burst = cfg;
  burst.profile = {};
  burst.tasks = 20000;
  burst.profile.bursts.push_back({5000.0, 1000.0, 4.0});
  const auto b = generate_seed_study_tasks(burst, cluster, 5, 0);
  const auto in = std::count_if(b.begin(), b.end(),
                                [](const TaskSpec& t) { return t.arrival_s >= 5000 && t.arrival_s < 6000; });
  const auto before = std::count_if(b.begin(), b.end(),
                                    [](const TaskSpec& t) { return t.arrival_s >= 3000 && t.arrival_s < 4000; });
  CHECK(static_cast<double>(in) == Approx(4000).epsilon(0.1));
  CHECK(static_cast<double>(before) == Approx(1000).epsilon(0.15));

  SeedStudyWorkloadConfig random_bursts = cfg;
  random_bursts.profile = {};
  random_bursts.tasks = 150000;
  random_bursts.profile.burst_rate_per_s = 1.0 / 2000;
  random_bursts.profile.burst_mean_duration_s = 200;
  random_bursts.profile.burst_multiplier = 5.0;
  const auto r1 = generate_seed_study_tasks(random_bursts, cluster, 5, 0);
  const auto r2 = generate_seed_study_tasks(random_bursts, cluster, 5, 0);
  CHECK(same_stream(r1, r2));
  // Overlapping bursts do not compound, so the time in a burst is 1 - exp(-rate x mean
  // duration) = 1 - exp(-0.1), and the mean rate 1 + 4 (1 - exp(-0.1)) = 1.381.
  const double mean_rate = static_cast<double>(r1.size()) / r1.back().arrival_s;
  CHECK(mean_rate == Approx(1.0 + 4.0 * (1.0 - std::exp(-0.1))).epsilon(0.06));
}

TEST_CASE("Study workload and cluster configs reject bad values by field name", "[workloads]") {
  SeedStudyWorkloadConfig cfg;
  cfg.runtime_pareto_alpha = 1.0;
  const ClusterSpec cluster = generate_seed_study_cluster({}, 1);
  CHECK_THROWS_WITH(generate_seed_study_tasks(cfg, cluster, 1, 0), Catch::Contains("workload.runtime_pareto_alpha"));
  SeedStudyClusterConfig cc;
  cc.tiers[1].cores = {16, 8};
  CHECK_THROWS_WITH(generate_seed_study_cluster(cc, 1), Catch::Contains("cluster.tiers.medium.cores"));
  SeedStudyWorkloadConfig bad_sla;
  bad_sla.sla.slack_factor[2] = -1;
  CHECK_THROWS_AS(generate_seed_study_tasks(bad_sla, cluster, 1, 0), InputError);
}

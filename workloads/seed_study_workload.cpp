#include "workloads/seed_study_workload.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "engine/support/input_error.hpp"
#include "engine/support/rng.hpp"

namespace marlsim {

namespace {
constexpr std::uint64_t kAttributeStream = 0x7A5C'0001ull;
constexpr std::uint64_t kArrivalStream = 0x7A5C'0002ull;
constexpr std::uint64_t kBurstStream = 0x7A5C'0003ull;

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// P(exp(N(mu, sigma)) < x).
double lognormal_cdf(double x, double mu, double sigma) {
  if (x <= 0) return 0.0;
  return normal_cdf((std::log(x) - mu) / sigma);
}

void require(bool ok, const std::string& field, const std::string& expected, double got) {
  if (!ok) throw InputError::at("workload." + field, "expected " + expected + ", got " + std::to_string(got));
}

double priority_total(const SeedStudyWorkloadConfig& c) {
  return c.priority_mix[0] + c.priority_mix[1] + c.priority_mix[2];
}
}  // namespace

void SeedStudyWorkloadConfig::validate() const {
  require(tasks >= 1, "tasks", "an integer >= 1", static_cast<double>(tasks));
  require(std::isfinite(runtime_pareto_alpha) && runtime_pareto_alpha > 1, "runtime_pareto_alpha",
          "a number > 1 (finite mean)", runtime_pareto_alpha);
  require(std::isfinite(runtime_min_s) && runtime_min_s > 0, "runtime_min_s", "a number > 0", runtime_min_s);
  require(runtime_max_s == 0 || (std::isfinite(runtime_max_s) && runtime_max_s >= runtime_min_s), "runtime_max_s",
          "0 (no cap) or a number >= runtime_min_s", runtime_max_s);
  require(std::isfinite(cpu_mu), "cpu_mu", "a finite number", cpu_mu);
  require(std::isfinite(cpu_sigma) && cpu_sigma > 0, "cpu_sigma", "a number > 0", cpu_sigma);
  require(cpu_min >= 1 && std::floor(cpu_min) == cpu_min, "cpu_min", "an integer >= 1", cpu_min);
  // expected_cores sums over every core count, so the range must stay machine-sized.
  require(cpu_max >= cpu_min && std::floor(cpu_max) == cpu_max && cpu_max <= 4096, "cpu_max",
          "an integer from cpu_min to 4096", cpu_max);
  require(std::isfinite(memory_mu), "memory_mu", "a finite number", memory_mu);
  require(std::isfinite(memory_sigma) && memory_sigma > 0, "memory_sigma", "a number > 0", memory_sigma);
  require(memory_min_gb >= 0, "memory_min_gb", "a number >= 0", memory_min_gb);
  require(std::isfinite(memory_max_gb) && memory_max_gb >= memory_min_gb, "memory_max_gb", "a number >= memory_min_gb",
          memory_max_gb);
  for (int p = 0; p < kPriorityClasses; ++p)
    require(std::isfinite(priority_mix[p]) && priority_mix[p] >= 0,
            "priority_mix." + std::string(priority_name(static_cast<PriorityClass>(p))), "a share >= 0",
            priority_mix[p]);
  require(priority_total(*this) > 0, "priority_mix", "shares summing to > 0", priority_total(*this));
  require(std::isfinite(target_utilization) && target_utilization >= 0, "target_utilization", "a number >= 0",
          target_utilization);
  if (target_utilization <= 0)
    require(std::isfinite(arrival_rate_per_s) && arrival_rate_per_s > 0, "arrival_rate_per_s", "a number > 0",
            arrival_rate_per_s);
  profile.validate();
  sla.validate();
}

double expected_cores(const SeedStudyWorkloadConfig& c) {
  // cores = clamp(round(X)) with round(x) = k for x in [k - 0.5, k + 0.5).
  double e = 0.0;
  for (double k = c.cpu_min; k <= c.cpu_max; k += 1.0) {
    const double lo = k == c.cpu_min ? 0.0 : lognormal_cdf(k - 0.5, c.cpu_mu, c.cpu_sigma);
    const double hi = k == c.cpu_max ? 1.0 : lognormal_cdf(k + 0.5, c.cpu_mu, c.cpu_sigma);
    e += k * (hi - lo);
  }
  return e;
}

double expected_runtime_s(const SeedStudyWorkloadConfig& c) {
  const double a = c.runtime_pareto_alpha, m = c.runtime_min_s;
  if (c.runtime_max_s <= 0) return a * m / (a - 1.0);
  // E[min(X, cap)] = integral from 0 to cap of P(X > x) dx.
  return m + (m - std::pow(m, a) * std::pow(c.runtime_max_s, 1.0 - a)) / (a - 1.0);
}

double expected_memory_gb(const SeedStudyWorkloadConfig& c) {
  // E[clamp(X, a, b)] = a P(X < a) + E[X; a <= X < b] + b P(X >= b), with the partial
  // moment E[X; X < x] = exp(mu + sigma^2 / 2) Phi((ln x - mu - sigma^2) / sigma).
  const double mu = c.memory_mu, s = c.memory_sigma, a = c.memory_min_gb, b = c.memory_max_gb;
  auto partial = [&](double x) {
    if (x <= 0) return 0.0;
    return std::exp(mu + s * s / 2) * normal_cdf((std::log(x) - mu - s * s) / s);
  };
  return a * lognormal_cdf(a, mu, s) + (partial(b) - partial(a)) + b * (1.0 - lognormal_cdf(b, mu, s));
}

double expected_work_core_s(const SeedStudyWorkloadConfig& c) { return expected_runtime_s(c) * expected_cores(c); }

OfferedLoad offered_load(double rate_per_s, const SeedStudyWorkloadConfig& c, const ClusterSpec& cluster) {
  const double cpu_capacity = cluster.capacity_core_s_per_s();
  const double memory_capacity = cluster.capacity_memory_gb_s_per_s();
  if (!(cpu_capacity > 0)) throw InputError::at("cluster", "expected a cluster with capacity > 0 (cores x speed)");
  if (!(memory_capacity > 0)) throw InputError::at("cluster", "expected a cluster with memory > 0");
  // Run time, cores and memory are drawn independently, so E[memory x run time] factors.
  return {rate_per_s * expected_work_core_s(c) / cpu_capacity,
          rate_per_s * expected_memory_gb(c) * expected_runtime_s(c) / memory_capacity};
}

double arrival_rate_for_utilization(double utilization, const SeedStudyWorkloadConfig& c, const ClusterSpec& cluster) {
  return utilization / offered_load(1.0, c, cluster).dominant();
}

double base_arrival_rate(const SeedStudyWorkloadConfig& c, const ClusterSpec& cluster) {
  return c.target_utilization > 0 ? arrival_rate_for_utilization(c.target_utilization, c, cluster)
                                  : c.arrival_rate_per_s;
}

namespace {
ArrivalProcess arrival_process(const SeedStudyWorkloadConfig& config, const ClusterSpec& cluster, std::uint64_t seed,
                               std::uint64_t episode) {
  config.validate();
  return ArrivalProcess(config.profile, base_arrival_rate(config, cluster), RngStream(seed, episode, kArrivalStream),
                        RngStream(seed, episode, kBurstStream));
}
}  // namespace

SeedStudyTaskCursor::SeedStudyTaskCursor(const SeedStudyWorkloadConfig& config, const ClusterSpec& cluster,
                                         std::uint64_t seed, std::uint64_t episode)
    : config_(std::make_shared<const SeedStudyWorkloadConfig>(config)),
      arrivals_(arrival_process(config, cluster, seed, episode)),
      attr_(seed, episode, kAttributeStream) {
  const double mix_total = priority_total(config);
  p_production_ = config.priority_mix[0] / mix_total;
  p_batch_ = p_production_ + config.priority_mix[1] / mix_total;
}

TaskSpec SeedStudyTaskCursor::next() {
  const SeedStudyWorkloadConfig& config = *config_;
  if (next_id_ >= config.tasks) throw std::logic_error("SeedStudyTaskCursor: past the stream's last task");
  TaskSpec t;
  t.id = next_id_++;
  t.job = t.id;
  t.arrival_s = arrivals_.next();
  // Fixed number of draws per task (1 + 2 + 2 + 1), see the header.
  double runtime = attr_.pareto(config.runtime_pareto_alpha, config.runtime_min_s);
  if (config.runtime_max_s > 0) runtime = std::min(runtime, config.runtime_max_s);
  const double cpu = std::clamp(attr_.lognormal(config.cpu_mu, config.cpu_sigma), config.cpu_min, config.cpu_max);
  t.cores = std::round(cpu);
  t.memory_gb = std::clamp(attr_.lognormal(config.memory_mu, config.memory_sigma), config.memory_min_gb,
                           config.memory_max_gb);
  const double u = attr_.uniform();
  t.priority = u < p_production_ ? PriorityClass::Production
               : u < p_batch_    ? PriorityClass::Batch
                                 : PriorityClass::BestEffort;
  t.work_core_s = runtime * t.cores;
  t.deadline_s = config.sla.deadline_s(t);
  return t;
}

std::vector<TaskSpec> generate_seed_study_tasks(const SeedStudyWorkloadConfig& config, const ClusterSpec& cluster,
                                                std::uint64_t seed, std::uint64_t episode) {
  SeedStudyTaskCursor cursor(config, cluster, seed, episode);
  std::vector<TaskSpec> tasks(config.tasks);
  for (TaskSpec& t : tasks) t = cursor.next();
  return tasks;
}

TaskTable seed_study_task_table(const SeedStudyWorkloadConfig& config, const ClusterSpec& cluster, std::uint64_t seed,
                                std::uint64_t episode, TaskChunking storage) {
  return TaskTable(SeedStudyTaskCursor(config, cluster, seed, episode), config.tasks, cluster, storage);
}

}  // namespace marlsim

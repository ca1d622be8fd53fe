#pragma once
// The synthetic task stream of source study 1 (arXiv 2603.24738): Poisson arrivals, Pareto
// run times, log-normal CPU and memory clamped to ranges, a fixed priority mix. Load is set
// either as a raw arrival rate (the study's 0.5 tasks/s) or as a target utilization of a
// given cluster; an optional diurnal/burst profile makes the arrivals non-homogeneous.
//
// Common random numbers: episode e of seed s draws from streams keyed (s, e) only, so every
// policy and every rank count sees the same tasks. Attributes and arrival times use separate
// streams and every task draws a fixed number of attribute values, so task i has the same
// size at every load level; only its arrival time changes.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "workloads/arrival_process.hpp"
#include "workloads/cluster_spec.hpp"
#include "workloads/sla_policy.hpp"
#include "workloads/task_spec.hpp"
#include "workloads/task_table.hpp"

namespace marlsim {

struct SeedStudyWorkloadConfig {
  std::uint64_t tasks = 1000;  // per episode

  double runtime_pareto_alpha = 2.5;  // run time at reference speed, seconds
  double runtime_min_s = 10.0;
  // Run times above this are cut to it (0: no cap). The study's public code caps at 500 s.
  double runtime_max_s = 0.0;
  // Cores: exp(N(mu, sigma)) clamped to [cpu_min, cpu_max], then rounded to the nearest
  // integer (half away from zero), so cores are whole numbers 1..8 by default.
  double cpu_mu = 0.5, cpu_sigma = 0.8;
  double cpu_min = 1.0, cpu_max = 8.0;
  // Memory: exp(N(mu, sigma)) GB clamped to [memory_min_gb, memory_max_gb], not rounded.
  double memory_mu = 2.0, memory_sigma = 1.0;
  double memory_min_gb = 2.0, memory_max_gb = 20.0;
  // Production, Batch, BestEffort shares (normalized).
  std::array<double, kPriorityClasses> priority_mix{0.25, 0.60, 0.15};

  // Load: if target_utilization > 0, the rate at which the dominant resource (CPU or memory,
  // whichever the stream loads more, see offered_load) is offered U of the cluster's capacity;
  // otherwise the raw rate. The study used 0.5 tasks/s (~1.5 % of its cluster).
  double arrival_rate_per_s = 0.5;
  double target_utilization = 0.0;
  ArrivalProfile profile;  // off by default

  SlaPolicy sla;

  // Throws InputError naming the field if a value is out of range.
  void validate() const;
};

// E[cores] of the clamped, rounded log-normal (exact, from the normal CDF).
double expected_cores(const SeedStudyWorkloadConfig& config);
// E[run time] of the Pareto at reference speed: alpha x min / (alpha - 1), or with the cap c
// E[min(X, c)] = min + (min - min^alpha c^(1 - alpha)) / (alpha - 1).
double expected_runtime_s(const SeedStudyWorkloadConfig& config);
// E[memory] of the clamped log-normal (exact, partial moments of the log-normal).
double expected_memory_gb(const SeedStudyWorkloadConfig& config);
// E[work per task] = E[run time] x E[cores] (they are drawn independently), core-seconds.
double expected_work_core_s(const SeedStudyWorkloadConfig& config);

// The load a stream offers, as fractions of the cluster's capacity: CPU = E[work] x rate over
// sum(cores x speed); memory = E[memory] x E[run time at reference speed] x rate over
// sum(memory x speed) (memory held for the run time). The dominant one is the larger.
struct OfferedLoad {
  double cpu = 0, memory = 0;
  double dominant() const { return cpu > memory ? cpu : memory; }
};
OfferedLoad offered_load(double rate_per_s, const SeedStudyWorkloadConfig& config, const ClusterSpec& cluster);
// The rate whose dominant offered load is `utilization`.
double arrival_rate_for_utilization(double utilization, const SeedStudyWorkloadConfig& config,
                                    const ClusterSpec& cluster);
// The base rate the generator will use (target utilization if set, else the raw rate).
double base_arrival_rate(const SeedStudyWorkloadConfig& config, const ClusterSpec& cluster);

// The task stream of one episode: ids 0..tasks-1 in arrival order, one job per task, no
// parents, deadlines from config.sla. Arrival times start after 0 (the first inter-arrival
// gap is kept; nothing is shifted).
std::vector<TaskSpec> generate_seed_study_tasks(const SeedStudyWorkloadConfig& config, const ClusterSpec& cluster,
                                                std::uint64_t seed, std::uint64_t episode);

// The same stream as a cursor: task after task, each from the state the previous one left (the
// arrival process and the attribute stream); a copy taken before task i yields task i, i + 1,
// ... again, bit for bit, so a TaskTable can replay a chunk of the stream from a checkpoint.
// Yields config.tasks tasks (more is a logic error).
class SeedStudyTaskCursor final : public TaskCursor {
 public:
  SeedStudyTaskCursor(const SeedStudyWorkloadConfig& config, const ClusterSpec& cluster, std::uint64_t seed,
                      std::uint64_t episode);
  std::unique_ptr<TaskCursor> clone() const override { return std::make_unique<SeedStudyTaskCursor>(*this); }
  TaskSpec next() override;

 private:
  std::shared_ptr<const SeedStudyWorkloadConfig> config_;  // shared by every checkpoint
  ArrivalProcess arrivals_;
  RngStream attr_;
  double p_production_ = 0, p_batch_ = 0;
  std::uint64_t next_id_ = 0;
};
// A table over such a cursor: the stream is made in one pass for its facts, then replayed in
// chunks, at most `storage.cache_chunks` of them held at once.
TaskTable seed_study_task_table(const SeedStudyWorkloadConfig& config, const ClusterSpec& cluster, std::uint64_t seed,
                                std::uint64_t episode, TaskChunking storage = {});

}  // namespace marlsim

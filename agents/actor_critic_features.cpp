#include "agents/actor_critic_features.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>

#include "agents/nn/observation_layout.hpp"

namespace marlsim {

namespace {
// log1p(max(0, x)) as a float. Zero (and NaN, as max(0, NaN) = 0) skip the libm call: log1p(+0)
// is +0 exactly, so the bits are the same.
float log1p_of(double x) { return x > 0.0 ? static_cast<float>(std::log1p(x)) : 0.0f; }

// A queue length's log1p: integers, mostly small, so the common ones come from a table built
// with the same std::log1p (identical bits).
float log1p_of_count(std::uint32_t n) {
  static const std::array<float, 64> table = [] {
    std::array<float, 64> t{};
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(std::log1p(static_cast<double>(i)));
    return t;
  }();
  return n < table.size() ? table[n] : log1p_of(n);
}

}  // namespace

void write_own_features(const ClusterView& view, NodeId self, const TaskSpec& task, SimTime now, std::span<float> out) {
  assert(out.size() == nn::decentralized_ac_observation_layout().own.size());
  std::size_t i = 0;
  if (self == kNoNode) {
    for (; i < 6; ++i) out[i] = 0.0f;
  } else {
    const NodeSpec& c = view.spec(self);
    const NodeView& s = view.state(self);
    out[i++] = static_cast<float>(s.free_cores / c.cores);          // own.cpu_free
    out[i++] = static_cast<float>(s.free_memory_gb / c.memory_gb);  // own.mem_free
    out[i++] = static_cast<float>(s.running / c.cores);             // own.running_tasks
    out[i++] = log1p_of_count(s.queue_length);                      // queue.length
    out[i++] = log1p_of(ClusterView::backlog_s(c, s));              // queue.backlog
    out[i++] = s.queue_length == 0 ? 0.0f                           // queue.mean_cpu_demand
                                   : static_cast<float>(s.queued_cores / s.queue_length / c.cores);
  }
  out[i++] = log1p_of(task.cores);                        // task.cpu_demand
  out[i++] = log1p_of(task.memory_gb);                    // task.mem_demand
  out[i++] = log1p_of(task.reference_runtime_s());        // task.expected_duration
  out[i++] = log1p_of(to_seconds(now) - task.arrival_s);  // task.wait_so_far
  assert(i == out.size());
}

void write_candidate_features(const ClusterView& view, NodeId self, const TaskSpec& task, NodeId n, SimTime now,
                              std::span<float> out) {
  assert(out.size() == nn::decentralized_ac_observation_layout().candidate.size());
  const NodeSpec& c = view.spec(n);
  const NodeView& s = view.state(n);
  const SimTime reported = s.as_of < 0 ? 0 : s.as_of;
  std::size_t i = 0;
  out[i++] = static_cast<float>(s.free_cores / c.cores);                // candidate.cpu_free
  out[i++] = static_cast<float>(s.free_memory_gb / c.memory_gb);        // candidate.mem_free
  out[i++] = log1p_of_count(s.queue_length);                            // candidate.queue_length
  out[i++] = log1p_of(to_seconds(now - reported));                      // candidate.report_age
  out[i++] = ClusterView::fits_now(task, s) ? 1.0f : 0.0f;              // candidate.fits_task
  out[i++] = n == self ? 1.0f : 0.0f;                                   // candidate.is_self
  out[i++] = log1p_of(ClusterView::expected_completion_s(task, c, s));  // candidate.expected_completion
  assert(i == out.size());
}

void write_global_features(std::span<const NodeSpec> specs, std::span<const NodeView> states, std::span<float> out) {
  assert(out.size() == nn::decentralized_ac_observation_layout().global.size());
  assert(specs.size() == states.size());
  double cpu = 0, cpu_sq = 0, mem = 0, queued = 0, longest = 0, idle = 0, work = 0, capacity = 0, up = 0;
  for (std::size_t n = 0; n < specs.size(); ++n) {
    const NodeSpec& c = specs[n];
    const NodeView& s = states[n];
    const double cpu_free = s.up ? s.free_cores / c.cores : 0.0;
    cpu += cpu_free;
    cpu_sq += cpu_free * cpu_free;
    mem += s.up ? s.free_memory_gb / c.memory_gb : 0.0;
    queued += s.queue_length;
    longest = std::max(longest, static_cast<double>(s.queue_length));
    idle += s.up && s.queue_length == 0 && s.free_cores >= 1.0 ? 1.0 : 0.0;
    work += s.queued_work_core_s + s.running_work_core_s;
    capacity += c.cores * c.speed;
    up += s.up ? 1.0 : 0.0;
  }
  const double n = std::max<double>(1.0, static_cast<double>(specs.size()));
  const double mean_cpu = cpu / n;
  std::size_t i = 0;
  out[i++] = static_cast<float>(mean_cpu);                                                    // global.cpu_free_mean
  out[i++] = static_cast<float>(std::sqrt(std::max(0.0, cpu_sq / n - mean_cpu * mean_cpu)));  // global.cpu_free_std
  out[i++] = static_cast<float>(mem / n);                                                     // global.mem_free_mean
  out[i++] = log1p_of(queued / n);                            // global.queue_length_mean
  out[i++] = log1p_of(longest);                               // global.queue_length_max
  out[i++] = static_cast<float>(idle / n);                    // global.idle_fraction
  out[i++] = log1p_of(capacity > 0 ? work / capacity : 0.0);  // global.backlog
  out[i++] = static_cast<float>(up / n);                      // global.up_fraction
  assert(i == out.size());
}

}  // namespace marlsim

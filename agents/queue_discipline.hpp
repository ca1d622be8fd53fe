#pragma once
// The order in which a node starts the tasks waiting in its local queue. Adding one: a new
// file in agents/ and one line in queue_registry.cpp.
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "engine/support/rng.hpp"
#include "engine/support/sim_time.hpp"
#include "workloads/cluster_spec.hpp"
#include "workloads/task_spec.hpp"

namespace marlsim {

struct QueuedTask {
  std::uint64_t task = 0;  // task id
  double cores = 0;
  double memory_gb = 0;
  double runtime_s = 0;  // on this node (work / (cores x speed)); backfilling uses it as the estimate
  PriorityClass priority = PriorityClass::Batch;
  SimTime enqueued = 0;  // queue position is the vector order (arrival at the node)
};

struct RunningTask {
  SimTime end = 0;
  double cores = 0;
  double memory_gb = 0;
};

class QueueDiscipline {
 public:
  virtual ~QueueDiscipline() = default;
  virtual std::string_view name() const = 0;
  // Appends to `start` the indices into `queue` (in queue order: oldest first) of the tasks
  // to start now; together they must fit in free_cores and free_memory_gb.
  virtual void select(std::span<const QueuedTask> queue, std::span<const RunningTask> running, double free_cores,
                      double free_memory_gb, SimTime now, std::vector<std::size_t>& start) const = 0;

  // What the node calls: the same, knowing which node asks and with its own decision stream,
  // for a discipline that draws random numbers or records its decisions (hierrl's low level,
  // agents/hierrl_policy.hpp). The default ignores both.
  virtual void select_on(std::uint32_t node, const NodeSpec& spec, RngStream& rng, std::span<const QueuedTask> queue,
                         std::span<const RunningTask> running, double free_cores, double free_memory_gb, SimTime now,
                         std::vector<std::size_t>& start) const {
    (void)node, (void)spec, (void)rng;
    select(queue, running, free_cores, free_memory_gb, now, start);
  }
};

struct QueueDisciplineInfo {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<QueueDiscipline> (*make)();
};
const std::vector<QueueDisciplineInfo>& queue_disciplines();
// Throws InputError listing the valid names.
std::unique_ptr<QueueDiscipline> make_queue_discipline(std::string_view name);

}  // namespace marlsim

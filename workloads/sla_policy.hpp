#pragma once
// SLA deadlines: deadline = arrival + slack_factor[priority] x reference run time + constant.
// One policy serves the synthetic generator and every trace reader, so "SLA met" means the
// same thing for every workload.
//
// DAG tasks get a critical-path deadline: the "reference run time" of a task with parents is
// the time from its arrival to the earliest it could finish on an idle cluster of speed-1
// nodes (its parents' earliest finishes, then its own run time), so waiting for parents does
// not count against a child, while a late parent still does (a whole DAG is due slack x its
// critical path after it arrives). A parent instance group ends with its last instance, so
// the path runs through groups. A task without parents keeps arrival + slack x run time.
#include <array>
#include <vector>

#include "workloads/task_spec.hpp"

namespace marlsim {

struct SlaPolicy {
  // Defaults, indexed by PriorityClass. Production services must finish close to their
  // reference run time (50 % slack absorbs a slower node or a short queue wait); batch work
  // tolerates waiting about two run times; best-effort work only needs to finish eventually,
  // so 6x makes it the class the scheduler may delay first. The ordering, not the exact
  // values, is what the study's SLA reward relies on.
  std::array<double, kPriorityClasses> slack_factor{1.5, 3.0, 6.0};
  double constant_s = 0.0;  // added to every deadline (e.g. a fixed dispatch allowance)

  double deadline_s(PriorityClass priority, double arrival_s, double reference_runtime_s) const {
    return arrival_s + slack_factor[static_cast<int>(priority)] * reference_runtime_s + constant_s;
  }
  double deadline_s(const TaskSpec& task) const {
    return deadline_s(task.priority, task.arrival_s, task.reference_runtime_s());
  }
  // Throws InputError naming the field if a factor is negative or not finite.
  void validate() const;
};

// Sets deadline_s of every task from its arrival, priority and reference run time, with the
// critical-path rule above for DAG tasks. Parent groups (all their instances) must precede
// their children in `tasks` (ids are positions, as every workload delivers them).
void apply_sla(std::vector<TaskSpec>& tasks, const SlaPolicy& policy);

}  // namespace marlsim

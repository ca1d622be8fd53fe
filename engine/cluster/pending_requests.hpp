#pragma once
// A deciding LP's decision requests between being raised and being dispatched (SchedulerLp,
// DecentralizedAgent on a batcher): the requests, their tasks' messages and copies of the
// tasks' specs. The specs are copied out of the task table: a replayed table may drop a task's
// chunk while its request waits for the window end or the cycle boundary
// (workloads/task_table.hpp), and the policy reads DecisionRequest::task when it decides.
// Copies are assigned into kept slots and buffers are swapped, not freed, so a steady run
// allocates nothing.
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "agents/scheduling_policy.hpp"
#include "engine/cluster/messages.hpp"
#include "workloads/task_spec.hpp"

namespace marlsim {

class PendingRequests {
 public:
  bool empty() const { return requests_.empty(); }
  // The requests raised since the last collect(), in order (their `task` is set by collect()).
  std::span<const DecisionRequest> raised() const { return requests_; }

  // A request `r` for message m's task, whose spec is `spec`, after those raised before it.
  void raise(DecisionRequest r, const TaskMessage& m, const TaskSpec& spec) {
    if (requests_.size() == specs_.size()) specs_.push_back(spec);
    else specs_[requests_.size()] = spec;
    requests_.push_back(std::move(r));
    messages_.push_back(m);
  }

  // Appends every raised request to `out`, in order, each pointing at its spec's copy until the
  // next collect() (the LP dispatches its decisions before it raises new requests); their
  // messages become dispatching(), in the same order.
  void collect(std::vector<DecisionRequest>& out) {
    specs_.swap(collected_specs_);
    for (std::size_t i = 0; i < requests_.size(); ++i) {
      requests_[i].task = &collected_specs_[i];
      out.push_back(std::move(requests_[i]));
    }
    requests_.clear();
    dispatching_.swap(messages_);
    messages_.clear();
  }

  // The messages of the last collect()'s requests, while they are dispatched.
  std::vector<TaskMessage>& dispatching() { return dispatching_; }

 private:
  std::vector<DecisionRequest> requests_;
  std::vector<TaskMessage> messages_;      // requests_'s (parallel)
  std::vector<TaskSpec> specs_;            // slots; the first requests_.size() are requests_'s
  std::vector<TaskSpec> collected_specs_;  // the last collect()'s, read through DecisionRequest::task
  std::vector<TaskMessage> dispatching_;
};

}  // namespace marlsim

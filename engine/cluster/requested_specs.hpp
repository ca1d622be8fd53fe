#pragma once
// The specs of a deciding LP's pending decision requests, copied out of the task table: a
// replayed table may drop a task's chunk while its request waits for the window end or the
// cycle boundary (workloads/task_table.hpp), and the policy reads DecisionRequest::task when
// it decides. Copies are assigned into kept slots, so a steady run allocates nothing.
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "agents/scheduling_policy.hpp"
#include "workloads/task_spec.hpp"

namespace marlsim {

class RequestedSpecs {
 public:
  // A request for `spec`'s task was raised (after those raised before it).
  void raised(const TaskSpec& spec) {
    if (raised_count_ == raised_.size()) raised_.push_back(spec);
    else raised_[raised_count_] = spec;
    ++raised_count_;
  }

  // `requests` are every request raised since the last call, in order: each points at its copy
  // until the next call (the LP's decisions are dispatched before it raises new requests).
  void collected(std::span<DecisionRequest> requests) {
    if (requests.size() != raised_count_)
      throw std::logic_error("RequestedSpecs: collected " + std::to_string(requests.size()) + " requests of " +
                             std::to_string(raised_count_) + " raised");
    raised_.swap(collected_);
    raised_count_ = 0;
    for (std::size_t i = 0; i < requests.size(); ++i) requests[i].task = &collected_[i];
  }

 private:
  std::vector<TaskSpec> raised_, collected_;
  std::size_t raised_count_ = 0;
};

}  // namespace marlsim

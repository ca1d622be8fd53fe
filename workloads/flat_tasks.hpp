#pragma once
// A task stream in one flat block of bytes that holds no pointers, so that one copy can be read
// in place by processes that map it at different addresses (the ranks of a machine share a
// trace this way: engine/experiment/machine_trace.hpp). The block: a header; one fixed-size
// FlatTask per task, in id order; n + 1 offsets; the DAG parents' ids, task i's at
// ids[offsets[i] .. offsets[i + 1]). 56 bytes a task + 8 an offset + 8 a parent.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "workloads/task_spec.hpp"

namespace marlsim {

// TaskSpec without its parents (they are in the offsets/ids arrays); its id is its index.
struct FlatTask {
  std::uint64_t job = 0;
  double arrival_s = 0, work_core_s = 0, cores = 1, memory_gb = 0, deadline_s = 0;
  std::uint32_t instance = 0;
  PriorityClass priority = PriorityClass::Batch;
};

// The bytes write_flat_tasks needs for `tasks`.
std::size_t flat_tasks_bytes(const std::vector<TaskSpec>& tasks);
// Writes `tasks` (ids 0..n-1 in order: std::logic_error otherwise) into `out`, which has
// flat_tasks_bytes(tasks) bytes, 8-byte aligned.
void write_flat_tasks(const std::vector<TaskSpec>& tasks, std::span<std::byte> out);

// Reads a block written by write_flat_tasks, in place. The bytes must outlive the view.
class FlatTasks {
 public:
  FlatTasks() = default;
  // Throws std::logic_error if `bytes` is not such a block.
  explicit FlatTasks(std::span<const std::byte> bytes);

  std::uint64_t size() const { return tasks_; }
  std::uint64_t parent_ids() const { return parent_ids_; }
  std::uint32_t instance(std::uint64_t id) const { return record(id).instance; }
  std::span<const std::uint64_t> parents(std::uint64_t id) const {
    return {ids_ + offsets_[id], static_cast<std::size_t>(offsets_[id + 1] - offsets_[id])};
  }
  // Task `id` as a TaskSpec, into `out` (its parents' vector reuses its capacity).
  void read(std::uint64_t id, TaskSpec& out) const;

 private:
  FlatTask record(std::uint64_t id) const;

  const std::byte* records_ = nullptr;
  const std::uint64_t* offsets_ = nullptr;
  const std::uint64_t* ids_ = nullptr;
  std::uint64_t tasks_ = 0, parent_ids_ = 0;
};

}  // namespace marlsim

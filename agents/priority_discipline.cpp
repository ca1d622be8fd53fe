// Priority classes: Production, then Batch, then Best-effort; FCFS inside a class. Strict:
// the first task in that order that does not fit stops the selection, so a big Production
// task is not starved by a stream of small Batch ones (lower classes wait behind it).
// The indices appended to `start` are in queue order (ascending), as the interface asks.
#include <algorithm>
#include <memory>

#include "agents/queue_discipline.hpp"

namespace marlsim {

namespace {
class PriorityDiscipline final : public QueueDiscipline {
 public:
  std::string_view name() const override { return "priority"; }

  void select(std::span<const QueuedTask> queue, std::span<const RunningTask>, double free_cores, double free_memory_gb,
              SimTime, std::vector<std::size_t>& start) const override {
    const std::size_t first = start.size();
    // One pass per class keeps FCFS inside a class without sorting (3 classes, O(3 n)).
    for (int cls = 0; cls < kPriorityClasses; ++cls) {
      for (std::size_t i = 0; i < queue.size(); ++i) {
        if (static_cast<int>(queue[i].priority) != cls) continue;
        if (queue[i].cores > free_cores || queue[i].memory_gb > free_memory_gb) {
          std::sort(start.begin() + static_cast<std::ptrdiff_t>(first), start.end());
          return;
        }
        free_cores -= queue[i].cores;
        free_memory_gb -= queue[i].memory_gb;
        start.push_back(i);
      }
    }
    std::sort(start.begin() + static_cast<std::ptrdiff_t>(first), start.end());
  }
};
}  // namespace

std::unique_ptr<QueueDiscipline> make_priority_discipline() { return std::make_unique<PriorityDiscipline>(); }

}  // namespace marlsim

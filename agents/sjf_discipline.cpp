// Shortest job first: by run time on this node, shortest first (ties: queue order), which
// minimizes mean waiting time when all tasks are present (Smith's rule with equal weights).
// Strict: the first task in that order that does not fit stops the selection, so a wide
// short task is not overtaken forever by narrow longer ones. The indices appended to
// `start` are in queue order (ascending), as the interface asks.
#include <algorithm>
#include <memory>
#include <numeric>

#include "agents/queue_discipline.hpp"

namespace marlsim {

namespace {
class SjfDiscipline final : public QueueDiscipline {
 public:
  std::string_view name() const override { return "sjf"; }

  void select(std::span<const QueuedTask> queue, std::span<const RunningTask>, double free_cores, double free_memory_gb,
              SimTime, std::vector<std::size_t>& start) const override {
    // Local scratch: select() is const and an instance may serve several nodes.
    std::vector<std::size_t> order(queue.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return queue[a].runtime_s < queue[b].runtime_s; });
    const std::size_t first = start.size();
    for (const std::size_t i : order) {
      if (queue[i].cores > free_cores || queue[i].memory_gb > free_memory_gb) break;
      free_cores -= queue[i].cores;
      free_memory_gb -= queue[i].memory_gb;
      start.push_back(i);
    }
    std::sort(start.begin() + static_cast<std::ptrdiff_t>(first), start.end());
  }
};
}  // namespace

std::unique_ptr<QueueDiscipline> make_sjf_discipline() { return std::make_unique<SjfDiscipline>(); }

}  // namespace marlsim

// First come first served, strictly: tasks start from the head of the queue while they fit;
// the first one that does not fit blocks everything behind it (no overtaking). Fair and
// starvation-free, at the price of head-of-line blocking that backfilling removes.
#include <memory>

#include "agents/queue_discipline.hpp"

namespace marlsim {

namespace {
class FcfsDiscipline final : public QueueDiscipline {
 public:
  std::string_view name() const override { return "fcfs"; }

  void select(std::span<const QueuedTask> queue, std::span<const RunningTask>, double free_cores, double free_memory_gb,
              SimTime, std::vector<std::size_t>& start) const override {
    for (std::size_t i = 0; i < queue.size(); ++i) {
      if (queue[i].cores > free_cores || queue[i].memory_gb > free_memory_gb) return;
      free_cores -= queue[i].cores;
      free_memory_gb -= queue[i].memory_gb;
      start.push_back(i);
    }
  }
};
}  // namespace

std::unique_ptr<QueueDiscipline> make_fcfs_discipline() { return std::make_unique<FcfsDiscipline>(); }

}  // namespace marlsim

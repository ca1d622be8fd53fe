// EASY backfilling (Lifka 1995, the ANL/IBM SP scheduler; as analysed by Mu'alem & Feitelson,
// IEEE TPDS 2001) for rigid tasks, over two resources (cores and memory):
//  1. start tasks from the head in FCFS order while they fit;
//  2. the first that does not fit gets a reservation: its shadow time is the earliest end
//     time (of the running tasks and those just started) at which enough cores AND memory
//     are free for it, and the extra resources are what will be left over at that time;
//  3. any later task (in queue order) that fits now starts if it either ends by the shadow
//     time (now + runtime <= shadow) or uses no more than the extra cores and extra memory
//     (which it then consumes), so it can never delay the reserved task.
// Run times are taken as exact estimates: QueuedTask::runtime_s and RunningTask::end are
// what the node model will do (the simulator knows them; users' overestimates are not
// modelled). If the head could not fit even with everything finished, nothing is reserved.
#include <algorithm>
#include <memory>
#include <vector>

#include "agents/queue_discipline.hpp"

namespace marlsim {

namespace {
class EasyBackfillDiscipline final : public QueueDiscipline {
 public:
  std::string_view name() const override { return "easy-backfill"; }

  void select(std::span<const QueuedTask> queue, std::span<const RunningTask> running, double free_cores,
              double free_memory_gb, SimTime now, std::vector<std::size_t>& start) const override {
    auto fits = [&](const QueuedTask& t) { return t.cores <= free_cores && t.memory_gb <= free_memory_gb; };
    // Local scratch: select() is const and an instance may serve several nodes.
    std::vector<RunningTask> ends(running.begin(), running.end());

    std::size_t head = 0;
    for (; head < queue.size() && fits(queue[head]); ++head) {
      free_cores -= queue[head].cores;
      free_memory_gb -= queue[head].memory_gb;
      start.push_back(head);
      ends.push_back({now + from_seconds(queue[head].runtime_s), queue[head].cores, queue[head].memory_gb});
    }
    if (head >= queue.size()) return;

    // The reservation of the blocked head: walk the end times in order, freeing resources.
    const QueuedTask& blocked = queue[head];
    std::sort(ends.begin(), ends.end(), [](const RunningTask& a, const RunningTask& b) { return a.end < b.end; });
    SimTime shadow = kTimeInfinity;
    double extra_cores = 0, extra_memory_gb = 0;
    double avail_cores = free_cores, avail_memory_gb = free_memory_gb;
    for (std::size_t e = 0; e < ends.size(); ++e) {
      avail_cores += ends[e].cores;
      avail_memory_gb += ends[e].memory_gb;
      // Tasks ending at the same instant all count for the extra resources at that instant.
      if (e + 1 < ends.size() && ends[e + 1].end == ends[e].end) continue;
      if (blocked.cores <= avail_cores && blocked.memory_gb <= avail_memory_gb) {
        shadow = ends[e].end;
        extra_cores = avail_cores - blocked.cores;
        extra_memory_gb = avail_memory_gb - blocked.memory_gb;
        break;
      }
    }

    for (std::size_t j = head + 1; j < queue.size(); ++j) {
      const QueuedTask& t = queue[j];
      if (!fits(t)) continue;
      const bool ends_before_shadow = shadow == kTimeInfinity || now + from_seconds(t.runtime_s) <= shadow;
      if (!ends_before_shadow) {
        if (t.cores > extra_cores || t.memory_gb > extra_memory_gb) continue;
        extra_cores -= t.cores;
        extra_memory_gb -= t.memory_gb;
      }
      free_cores -= t.cores;
      free_memory_gb -= t.memory_gb;
      start.push_back(j);
    }
  }
};
}  // namespace

std::unique_ptr<QueueDiscipline> make_easy_backfill_discipline() { return std::make_unique<EasyBackfillDiscipline>(); }

}  // namespace marlsim

// The list of local queue disciplines. Adding one: a new file in agents/ defining its factory,
// plus its declaration and its entry below (an explicit list: self-registering statics in a
// static library are dropped with any object file nothing references).
#include <string>

#include "agents/queue_discipline.hpp"
#include "engine/support/find_named.hpp"
#include "engine/support/input_error.hpp"

namespace marlsim {

std::unique_ptr<QueueDiscipline> make_fcfs_discipline();           // agents/fcfs_discipline.cpp
std::unique_ptr<QueueDiscipline> make_priority_discipline();       // agents/priority_discipline.cpp
std::unique_ptr<QueueDiscipline> make_sjf_discipline();            // agents/sjf_discipline.cpp
std::unique_ptr<QueueDiscipline> make_easy_backfill_discipline();  // agents/easy_backfill_discipline.cpp

const std::vector<QueueDisciplineInfo>& queue_disciplines() {
  static const std::vector<QueueDisciplineInfo> kDisciplines = {
      {"fcfs", "first come first served, no overtaking", &make_fcfs_discipline},
      {"priority", "production, batch, best-effort; FCFS within a class; no overtaking", &make_priority_discipline},
      {"sjf", "shortest run time first (ties: queue order); no overtaking", &make_sjf_discipline},
      {"easy-backfill", "FCFS with EASY backfilling behind one reservation (run times as exact estimates)",
       &make_easy_backfill_discipline},
  };
  return kDisciplines;
}

std::unique_ptr<QueueDiscipline> make_queue_discipline(std::string_view name) {
  return find_named(queue_disciplines(), name, "queue discipline", [](const QueueDisciplineInfo& d) { return d.name; })
      .make();
}

}  // namespace marlsim

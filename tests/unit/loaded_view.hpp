#pragma once
// A view with varied, deterministic load on every node (free resources, queues, running work,
// report ages including "never"), so the learned policies' tests see distinct features.
#include "agents/cluster_view.hpp"

namespace marlsim::test {

inline void load_view(ClusterView& v) {
  for (NodeId n = 0; n < v.size(); ++n) {
    NodeView& s = v.edit_state(n);
    s.free_cores = v.spec(n).cores * ((n * 7) % 10) / 10.0;
    s.free_memory_gb = v.spec(n).memory_gb * ((n * 3) % 10) / 10.0;
    s.queue_length = n % 4;
    s.queued_cores = 2.0 * s.queue_length;
    s.queued_work_core_s = 50.0 * s.queue_length;
    s.running_work_core_s = 30.0 * (n % 3);
    s.running = n % 3;
    s.as_of = n % 5 == 0 ? -1 : from_seconds(0.5 * n);
  }
}

}  // namespace marlsim::test

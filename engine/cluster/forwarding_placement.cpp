#include "engine/cluster/forwarding_placement.hpp"

namespace marlsim {

void ForwardingPlacement::forward(TaskMessage m, LpContext& ctx) {
  m.origin = node_.id();
  m.from = node_.id();
  ctx.send(setup_.scheduler_lp(), setup_.network_latency, kSubmit, m);
  count_sent(node_.decision_stats(), kSubmit);
}

void ForwardingPlacement::bounce(TaskMessage m, LpContext& ctx) {
  ++m.reschedules;
  m.raised = ctx.now();
  m.rejected = 1;  // the scheduler learns this node is down
  m.from = node_.id();
  ctx.send(setup_.scheduler_lp(), setup_.network_latency, kSubmit, m);
  count_sent(node_.decision_stats(), kSubmit);
}

void ForwardingPlacement::state_changed(LpContext& ctx) {
  ctx.send(setup_.scheduler_lp(), setup_.network_latency, kNodeReport, ReportMessage{node_.own_view(ctx.now())});
  count_sent(node_.decision_stats(), kNodeReport);
}

}  // namespace marlsim

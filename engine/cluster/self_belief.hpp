#pragma once
// What a node that may keep tasks (two-level admission, the decentralized agent) believes of
// itself: its own state as it would report it, plus the tasks it decided to keep that are
// still in flight to itself (they count as they will start or queue on arrival, else a burst
// arriving together would all be kept).
#include <utility>

#include "agents/cluster_view.hpp"
#include "engine/cluster/messages.hpp"
#include "engine/cluster/model_setup.hpp"
#include "engine/cluster/node_lp.hpp"
#include "engine/cluster/view_keeper.hpp"

namespace marlsim {

struct SelfBelief {
  SelfBelief(NodeLp& n, const ModelSetup& s, ClusterView view) : node(n), setup(s), knowledge(std::move(view)) {
    knowledge.track(node.id());
  }

  const NodeView& believed_self(SimTime now) {
    // First hand, plus the kept tasks in flight.
    keeper.reported(knowledge, node.id(), node.own_view(now), *setup.tasks);
    return knowledge.state(node.id());
  }

  // A decision to run it here: it arrives after the decision latency, which it pays like any other.
  void keep(TaskMessage m, LpContext& ctx) {
    node.decision_stats().sim_latency_s += to_seconds(ctx.now() - m.raised + setup.decision_latency);
    m.from = node.id();
    ctx.send(node.id(), setup.decision_latency, kAssign, m);
    keeper.dispatched(node.id(), ctx.now() + setup.decision_latency, m.task);
  }

  NodeLp& node;
  const ModelSetup& setup;
  ViewKeeper keeper;      // its dispatches still in flight, reapplied over reports
  ClusterView knowledge;  // itself, and for an agent the nodes it hears from (last: its entries are inline)
};

}  // namespace marlsim

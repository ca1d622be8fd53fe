#pragma once
// Centralized topology: a node places nothing itself. What reaches it to be placed (a task
// it cannot take while down) goes to the central scheduler, and every change of its load is
// reported there. The two-level placement (two_level_placement.cpp) adds a local admission
// rule in front of it.
#include "engine/cluster/node_lp.hpp"
#include "engine/cluster/node_placement.hpp"

namespace marlsim {

class ForwardingPlacement : public NodePlacement {
 public:
  ForwardingPlacement(NodeLp& node, const ModelSetup& setup) : node_(node), setup_(setup) {}
  void submitted(TaskMessage m, LpContext& ctx) override { forward(m, ctx); }
  void bounce(TaskMessage m, LpContext& ctx) override;
  void state_changed(LpContext& ctx) override;
  void hot_state(std::vector<HotRange>& out) const override { out.push_back({this, sizeof(*this)}); }

 protected:
  void forward(TaskMessage m, LpContext& ctx);  // to the central scheduler, as a spill from this node
  NodeLp& node_;
  const ModelSetup& setup_;
};

}  // namespace marlsim

// Two-level topology, the bottom level: a node keeps a task submitted to it (it will run or
// queue there) when the rank's AdmissionPolicy says so, and spills it to the global
// scheduler otherwise; like a centralized node it reports every change to the scheduler.
#include "agents/admission_policy.hpp"
#include "engine/cluster/forwarding_placement.hpp"
#include "engine/cluster/self_belief.hpp"

namespace marlsim {

namespace {
class TwoLevelPlacement final : public ForwardingPlacement {
 public:
  TwoLevelPlacement(NodeLp& node, const ModelSetup& setup)
      : ForwardingPlacement(node, setup), self_(node, setup, ClusterView(*setup.cluster, ClusterView::Sparse{})) {}
  void hot_state(std::vector<HotRange>& out) const override { out.push_back({this, sizeof(*this)}); }

  void submitted(TaskMessage m, LpContext& ctx) override {
    if (node_.up()) {
      DispatchContext dctx{ctx.now(), node_.id(), &node_.decision_rng(), nullptr};
      const NodeView& self = self_.believed_self(ctx.now());  // first: it reads the task table too
      if (setup_.admission->keep((*setup_.tasks)[m.task], node_.spec(), self, dctx)) {
        ++node_.decision_stats().decisions;
        self_.keep(m, ctx);
        return;
      }
      ++node_.decision_stats().spills;
    }
    forward(m, ctx);
  }

 private:
  SelfBelief self_;
};
}  // namespace

std::unique_ptr<NodePlacement> make_two_level_placement(NodeLp& node, const ModelSetup& setup) {
  return std::make_unique<TwoLevelPlacement>(node, setup);
}

}  // namespace marlsim

#pragma once
// Keeps a decider's ClusterView honest: a node's report replaces what the decider believed,
// then the decider's own dispatches that the node had not yet received when it reported are
// applied again, so a stale report never erases a fresh decision.
#include <vector>

#include "agents/cluster_view.hpp"

namespace marlsim {

class ViewKeeper {
 public:
  // The decider sent `task` to `node`; it arrives there at `arrival`.
  void dispatched(NodeId node, SimTime arrival, const TaskSpec& task) {
    outstanding_.push_back({node, arrival, &task});
  }

  // A report from `node`, produced at report.as_of.
  void reported(ClusterView& view, NodeId node, const NodeView& report) {
    view.set_state(node, report);
    std::size_t kept = 0;
    for (const Outstanding& o : outstanding_) {
      if (o.node == node && o.arrival <= report.as_of) continue;  // the report includes it
      if (o.node == node && report.up) view.commit(*o.task, node);
      outstanding_[kept++] = o;
    }
    outstanding_.resize(kept);
  }

  void forget(NodeId node) {
    std::erase_if(outstanding_, [node](const Outstanding& o) { return o.node == node; });
  }

  bool has_outstanding(NodeId node) const {
    for (const Outstanding& o : outstanding_)
      if (o.node == node) return true;
    return false;
  }

 private:
  struct Outstanding {
    NodeId node;
    SimTime arrival;
    const TaskSpec* task;
  };
  std::vector<Outstanding> outstanding_;
};

}  // namespace marlsim

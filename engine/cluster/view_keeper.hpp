#pragma once
// Keeps a decider's ClusterView honest: a node's report replaces what the decider believed,
// then the decider's own dispatches that the node had not yet received when it reported are
// applied again, so a stale report never erases a fresh decision. It keeps task ids, not
// specs: the task table is read when a dispatch is applied again.
#include <cstdint>
#include <vector>

#include "agents/cluster_view.hpp"
#include "workloads/task_table.hpp"

namespace marlsim {

class ViewKeeper {
 public:
  // The decider sent `task` to `node`; it arrives there at `arrival`.
  void dispatched(NodeId node, SimTime arrival, std::uint64_t task) { outstanding_.push_back({node, arrival, task}); }

  // A report from `node`, produced at report.as_of.
  void reported(ClusterView& view, NodeId node, const NodeView& report, const TaskTable& tasks) {
    view.set_state(node, report);
    std::size_t kept = 0;
    for (const Outstanding& o : outstanding_) {
      if (o.node == node && o.arrival <= report.as_of) continue;  // the report includes it
      if (o.node == node && report.up) view.commit(tasks[o.task], node);
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
    std::uint64_t task;
  };
  std::vector<Outstanding> outstanding_;
};

}  // namespace marlsim

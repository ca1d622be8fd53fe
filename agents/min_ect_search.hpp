#pragma once
// The minimum expected completion time over every node that fits a task statically and is
// believed up, found through the view's ECT tree (IndexNeeds::by_backlog) without
// visiting every node: what a scan of that id-ordered list finds (ties: the lowest id), bit
// for bit. Priority Min-Min's single decision and Min-Min's per-task minimum; best fit's
// choice when the task starts on no node at once.
#include "agents/cluster_view.hpp"

namespace marlsim {

struct MinEct {
  NodeId node = kNoNode;
  double ect = 0;  // ClusterView::expected_completion_s of node
};

// Throws std::logic_error if no up node fits the task.
MinEct min_ect_indexed(const TaskSpec& task, const ClusterView& view);

}  // namespace marlsim

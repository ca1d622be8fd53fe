#pragma once
// The low level of a two-level scheduler: a node that receives a task keeps it (it will run
// or queue there) or spills it to the global scheduler. Today's rule (Ray's: local first,
// spill when the local queue is long) is the default entry of agents/admission_registry.cpp;
// a learned low-level agent (HierRL) plugs in as another entry.
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "agents/cluster_view.hpp"
#include "agents/scheduling_policy.hpp"

namespace marlsim {

struct AdmissionSettings {
  std::uint32_t spill_queue_length = 2;  // scheduler.spill_queue_length
};

class AdmissionPolicy {
 public:
  virtual ~AdmissionPolicy() = default;
  virtual std::string_view name() const = 0;
  // `believed_self`: the node's own state with the tasks it kept that are still in flight
  // (they count as they will start or queue on arrival, else a burst would all be kept).
  virtual bool keep(const TaskSpec& task, const NodeSpec& node, const NodeView& believed_self,
                    DispatchContext& ctx) const = 0;
};

struct AdmissionInfo {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<AdmissionPolicy> (*make)(const AdmissionSettings&);
};

const std::vector<AdmissionInfo>& admission_policies();
// Throws InputError listing the valid names.
std::unique_ptr<AdmissionPolicy> make_admission_policy(std::string_view name, const AdmissionSettings& settings);

}  // namespace marlsim

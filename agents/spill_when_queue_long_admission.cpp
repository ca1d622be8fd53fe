// Ray's bottom-up rule (local first): keep a task that fits the node's machine while the
// believed local queue is shorter than scheduler.spill_queue_length; else spill it.
#include "agents/admission_policy.hpp"

namespace marlsim {

namespace {
class SpillWhenQueueLong final : public AdmissionPolicy {
 public:
  explicit SpillWhenQueueLong(const AdmissionSettings& s) : spill_queue_length_(s.spill_queue_length) {}
  std::string_view name() const override { return "spill-when-queue-long"; }
  bool keep(const TaskSpec& task, const NodeSpec& node, const NodeView& believed_self,
            DispatchContext&) const override {
    return task.cores <= node.cores && task.memory_gb <= node.memory_gb &&
           believed_self.queue_length < spill_queue_length_;
  }

 private:
  std::uint32_t spill_queue_length_;
};
}  // namespace

std::unique_ptr<AdmissionPolicy> make_spill_when_queue_long_admission(const AdmissionSettings& s) {
  return std::make_unique<SpillWhenQueueLong>(s);
}

}  // namespace marlsim

// The list of two-level admission policies. Adding one: a new file in agents/ defining its
// factory, plus its declaration and its entry below.
#include <string>

#include "agents/admission_policy.hpp"
#include "engine/support/find_named.hpp"

namespace marlsim {

std::unique_ptr<AdmissionPolicy> make_spill_when_queue_long_admission(
    const AdmissionSettings&);  // agents/spill_when_queue_long_admission.cpp

const std::vector<AdmissionInfo>& admission_policies() {
  static const std::vector<AdmissionInfo> kPolicies = {
      {"spill-when-queue-long", "keep a task that fits while the local queue is shorter than spill_queue_length",
       &make_spill_when_queue_long_admission},
  };
  return kPolicies;
}

std::unique_ptr<AdmissionPolicy> make_admission_policy(std::string_view name, const AdmissionSettings& settings) {
  return find_named(admission_policies(), name, "admission policy", [](const AdmissionInfo& p) { return p.name; })
      .make(settings);
}

}  // namespace marlsim

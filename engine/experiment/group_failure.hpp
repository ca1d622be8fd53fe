#pragma once
// An error in one rank group's episode must stop every group the same way: the other groups
// would otherwise wait for it in the next collective. Each group catches what its episodes
// throw; at the next agreement point every rank learns of the lowest failing rank's error and
// throws its kind (InputError: exit 2 with its one line, RunStopped: the signal's exit, any
// other error: "another rank group failed: ..."), the failing ranks their own exception.
#include <cstdint>
#include <exception>
#include <string>

#include "mpi/communicator.hpp"

namespace marlsim {

class GroupFailure {
 public:
  // Records the exception being handled (call in a catch block).
  void caught(std::exception_ptr error);

  // Collective over every group: returns when no rank caught anything, and throws otherwise.
  void agree(const Communicator& comm);

 private:
  enum Kind : std::int64_t { kNone, kInput, kStopped, kOther };
  std::exception_ptr error_;
  Kind kind_ = kNone;
  std::int64_t signal_ = 0;
  std::string message_;
};

}  // namespace marlsim

#include "engine/experiment/group_failure.hpp"

#include <stdexcept>

#include "engine/support/input_error.hpp"
#include "engine/support/stop_signal.hpp"

namespace marlsim {

void GroupFailure::caught(std::exception_ptr error) {
  error_ = error;
  try {
    std::rethrow_exception(error);
  } catch (const RunStopped& e) {
    kind_ = kStopped;
    signal_ = e.signal();
    message_ = e.what();
  } catch (const InputError& e) {
    kind_ = kInput;
    message_ = e.what();
  } catch (const std::exception& e) {
    kind_ = kOther;
    message_ = e.what();
  } catch (...) {
    kind_ = kOther;
    message_ = "unknown exception";
  }
}

void GroupFailure::agree(const Communicator& comm) {
  if (comm.size() == 1) {
    if (error_) std::rethrow_exception(error_);
    return;
  }
  // The lowest failing rank (a rank number as a SimTime: the one integer MIN reduction there is).
  const SimTime none = comm.size();
  const SimTime lowest = comm.allreduce_min(error_ ? SimTime{comm.rank()} : none);
  if (lowest == none) return;
  const int from = static_cast<int>(lowest);
  std::int64_t facts[2] = {kind_, signal_};
  std::string message = message_;
  comm.broadcast_from(from, facts);
  comm.broadcast_from(from, message);
  if (error_) std::rethrow_exception(error_);
  if (facts[0] == kStopped) throw RunStopped(static_cast<int>(facts[1]));
  if (facts[0] == kInput) throw InputError(message);
  throw std::runtime_error("another rank group failed: " + message);
}

}  // namespace marlsim

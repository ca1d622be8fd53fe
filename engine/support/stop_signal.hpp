#pragma once
// SIGINT and SIGTERM ask a run to stop cleanly instead of killing it mid-write: the handler
// only records the signal; the kernel raises the stop flag on its next window reduction, so
// every rank stops at the same window (even a rank that got no signal), and the program
// unwinds with RunStopped, removes its partial outputs and exits 128 + signal.
#include <stdexcept>

namespace marlsim {

// Installs the handlers for SIGINT and SIGTERM (idempotent).
void install_stop_handlers();
// The first stop signal received (SIGINT, SIGTERM) or 0.
int stop_signal();
// What the handler does; tests use it to simulate a signal (0 clears it).
void request_stop(int signal);

// Thrown on every rank at the window where any rank had a stop request.
class RunStopped : public std::runtime_error {
 public:
  explicit RunStopped(int signal);
  int signal() const { return signal_; }
  int exit_code() const { return 128 + signal_; }  // the shell's convention: 130 SIGINT, 143 SIGTERM

 private:
  int signal_;
};

}  // namespace marlsim

#include "engine/support/stop_signal.hpp"

#include <csignal>
#include <string>

namespace marlsim {

namespace {
volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void on_stop_signal(int signal) {
  if (g_stop_signal == 0) g_stop_signal = signal;
}

std::string signal_name(int signal) {
  if (signal == SIGINT) return "SIGINT";
  if (signal == SIGTERM) return "SIGTERM";
  return "signal " + std::to_string(signal);
}
}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // a stop request must not make a read or write fail
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int stop_signal() { return g_stop_signal; }
void request_stop(int signal) { g_stop_signal = signal; }

RunStopped::RunStopped(int signal)
    : std::runtime_error("stopped by " + signal_name(signal) + " at the next window on every rank"), signal_(signal) {}

}  // namespace marlsim

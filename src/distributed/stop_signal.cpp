#include "src/distributed/stop_signal.hpp"

#include <csignal>

namespace hierad::distributed {
namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void record_signal(int signal) { g_signal = signal; }

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // interrupted reads/writes resume; we stop at a step boundary
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGUSR1, &action, nullptr);
}

int stop_requested() { return g_signal; }

void clear_stop_request() { g_signal = 0; }

}  // namespace hierad::distributed

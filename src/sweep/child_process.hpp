// Running one step of a run (`hierad train`, possibly behind mpirun/srun) as a child process whose
// output goes to the run's log, while the sweep stays responsive to pre-emption signals.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace hierad::sweep {

// Installs handlers for SIGTERM, SIGINT and SIGUSR1 in this process. From then on, the first
// signal asks the running child to checkpoint and stop (SIGUSR1: hierad train's pre-emption
// signal, which mpirun and srun forward to the ranks); a second one sends it SIGTERM, a third
// SIGKILL. stop_requested() tells the sweep not to start anything new.
void install_stop_handlers();
bool stop_requested();

// Runs argv[0] (searched in PATH) with stdout and stderr appended to `log`, in a process group
// of its own (so a terminal's Ctrl-C reaches the sweep, which forwards it as above), and waits.
// With `echo`, what the child appends to the log is copied there as it comes (`--follow`).
// Returns the exit code, or 128 + signal number when the child was killed. Throws
// std::system_error when the program cannot be started.
int run_child(const std::vector<std::string>& argv, const std::filesystem::path& log, std::FILE* echo = nullptr);

}  // namespace hierad::sweep

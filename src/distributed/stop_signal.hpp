// SIGTERM and SIGUSR1 (SLURM's pre-emption warning with --signal=USR1@<seconds>) as a polite stop
// request: the handler only records the signal. Training's step loop polls it, finishes its step,
// agrees with the other ranks (a rank may get the signal a step later than another), writes a
// checkpoint and exits with kExitPreempted so a requeue script can tell pre-emption from failure;
// scoring does the same after a batch, keeping the sets it finished (src/score/scorer.hpp).
#pragma once

namespace hierad::distributed {

// Installs the handlers (idempotent). A second SIGTERM while stopping is not special: the
// checkpoint protocol makes an interrupted write harmless, and SIGKILL always remains.
void install_stop_handlers();

// The signal number received since install (or since clear_stop_request), 0 if none.
int stop_requested();

void clear_stop_request();

}  // namespace hierad::distributed

// Exit codes of `hierad`, stable so that launchers and requeue scripts can act on them.
#pragma once

namespace hierad::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;        // any error: bad config, bad data, I/O, ...
inline constexpr int kExitUsage = 2;        // command-line errors (CLI11's own code as well)
inline constexpr int kExitPreempted = 75;   // stopped by SIGTERM/SIGUSR1 after a checkpoint: requeue
                                            // (75 = EX_TEMPFAIL in sysexits.h: "try again later")

}  // namespace hierad::cli

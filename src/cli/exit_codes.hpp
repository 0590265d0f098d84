// Exit codes of `hierad`, stable so that launchers and requeue scripts can act on them.
#pragma once

namespace hierad::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;        // any other error: I/O, a crash of a step, ... (retried by sweeps)
inline constexpr int kExitUsage = 2;        // command-line errors (CLI11's own code as well)
inline constexpr int kExitDataError = 65;   // bad input data (data::DataError): a missing or malformed
                                            // file, a set that does not fit the model (65 = EX_DATAERR)
inline constexpr int kExitConfigError = 78; // bad configuration (config::ConfigError) (78 = EX_CONFIG)
// Sweeps and launchers do not retry 65 and 78: running the same command again fails the same way.
inline constexpr int kExitPreempted = 75;   // stopped by SIGTERM/SIGUSR1 after a checkpoint: requeue
                                            // (75 = EX_TEMPFAIL in sysexits.h: "try again later")

}  // namespace hierad::cli

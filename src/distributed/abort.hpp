// The one way a rank ends the job on an error that its peers cannot see: say why, abort the
// communicator (so that no device work keeps waiting for peers), and exit without running
// destructors (any of them might wait for a peer that is gone). mpirun and srun
// --kill-on-bad-exit then stop the other ranks.
#pragma once

#include "src/distributed/communicator.hpp"

#include <string>

namespace hierad::distributed {

// Prints "hierad: <message>" to stderr, calls comm.abort(), then std::_Exit(1).
[[noreturn]] void abort_process(const std::string& message, Communicator& comm) noexcept;

}  // namespace hierad::distributed

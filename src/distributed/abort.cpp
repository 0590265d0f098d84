#include "src/distributed/abort.hpp"

#include <cstdio>
#include <cstdlib>

namespace hierad::distributed {

void abort_process(const std::string& message, Communicator& comm) noexcept {
  std::fprintf(stderr, "hierad: error: %s\n", message.c_str());
  std::fflush(stderr);
  comm.abort();
  std::_Exit(1);
}

}  // namespace hierad::distributed

#include "src/sweep/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <system_error>

namespace hierad::sweep {

RunLock::RunLock(const std::filesystem::path& run_dir) {
  std::filesystem::create_directories(run_dir);
  const std::string path = (run_dir / ".lock").string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return;
  }
  fd_ = fd;
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // the lock stays while a child that inherited the descriptor lives
}

bool run_is_locked(const std::filesystem::path& run_dir) {
  const std::string path = (run_dir / ".lock").string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool locked = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
  ::close(fd);
  return locked;
}

}  // namespace hierad::sweep

// One sweep process at a time per run directory: an exclusive flock on <run dir>/.lock.
//
// The descriptor is inherited by the steps the sweep starts (no close-on-exec), so a run whose
// sweep process was killed stays locked while its orphaned `hierad train` still runs: a second
// sweep skips it instead of training the same run twice. The kernel drops the lock when the last
// holder exits, so a crash never leaves a stale lock behind.
#pragma once

#include <filesystem>

namespace hierad::sweep {

class RunLock {
 public:
  // Tries to lock; held() says whether it did. Creates the run directory if needed.
  explicit RunLock(const std::filesystem::path& run_dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Whether some process holds the lock of `run_dir` now (without taking it).
bool run_is_locked(const std::filesystem::path& run_dir);

}  // namespace hierad::sweep

// Note [Collective watchdog]
// A rank that dies, hangs or takes another path leaves its peers waiting in a collective forever:
// MPI's blocking calls never return, and NCCL kernels spin on the GPU while the host runs ahead
// until its next synchronisation. Nothing in MPI or NCCL times out by itself. The watchdog is one
// thread per communicator that looks at two things every `poll` interval:
//  - host waits: the calling thread marks the time it enters a blocking collective (MPI_Allreduce,
//    MPI_Wait, MPI_Allgather, a stream synchronisation) and leaves it (a BlockingScope);
//  - device work: every issued NCCL collective is registered with a probe that says whether it has
//    finished on the device (its end event), polled from the watchdog thread.
// When either has waited longer than the timeout, the watchdog calls `on_timeout` with a message
// naming the rank, the collective and the time waited. The communicators' default aborts: NCCL's
// communicator is aborted (ncclCommAbort, so its kernels stop spinning), the message is printed
// and the process exits with status 1 (std::_Exit: no destructor may wait for the dead peer), upon
// which mpirun / srun --kill-on-bad-exit end the job.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>

namespace hierad::distributed {

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;
  using Probe = std::function<bool()>;  // true once the watched work has finished

 private:
  struct Entry {
    const char* what = "";
    Clock::time_point since;
    Probe done;  // empty for a host wait (removed by its scope)
  };

 public:
  // timeout_s <= 0 disables the watchdog (no thread).
  Watchdog(double timeout_s, std::function<void(const std::string&)> on_timeout,
           std::chrono::milliseconds poll = std::chrono::milliseconds(200));
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // The calling thread blocks in `what` for the scope's lifetime.
  class BlockingScope {
   public:
    BlockingScope(Watchdog& dog, const char* what);
    ~BlockingScope();
    BlockingScope(const BlockingScope&) = delete;
    BlockingScope& operator=(const BlockingScope&) = delete;

   private:
    Watchdog& dog_;
    std::list<Entry>::iterator entry_;
    bool active_ = false;
  };

  // Device work, polled until `done()` returns true (then forgotten). `done` is called from the
  // watchdog thread and must be thread-safe (cudaEventQuery is).
  void watch(const char* what, Probe done);

  double timeout_s() const { return timeout_s_; }
  bool enabled() const { return timeout_s_ > 0; }

 private:
  friend class BlockingScope;
  void loop();

  double timeout_s_;
  std::function<void(const std::string&)> on_timeout_;
  std::chrono::milliseconds poll_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool fired_ = false;
  std::list<Entry> entries_;
  std::thread thread_;
};

// "[rank r] <what> has not completed after <t> s (collective timeout <T> s): a peer rank has
// probably failed or hangs". Shared by the communicators' abort handlers and tested on its own.
std::string timeout_message(const char* what, double waited_s, double timeout_s);

}  // namespace hierad::distributed

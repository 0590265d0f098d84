#include "src/distributed/watchdog.hpp"

#include "src/distributed/errors.hpp"

#include <cmath>
#include <cstdio>
#include <utility>

namespace hierad::distributed {

std::string timeout_message(const char* what, double waited_s, double timeout_s) {
  char text[512];
  std::snprintf(text, sizeof text,
                "%s %s has not completed after %.0f s (train.collective_timeout = %g s): a peer "
                "rank has probably failed or hangs; aborting",
                detail::rank_label().c_str(), what, std::floor(waited_s), timeout_s);
  return text;
}

Watchdog::Watchdog(double timeout_s, std::function<void(const std::string&)> on_timeout,
                   std::chrono::milliseconds poll)
    : timeout_s_(timeout_s), on_timeout_(std::move(on_timeout)), poll_(poll) {
  if (enabled()) thread_ = std::thread([this] { loop(); });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Watchdog::BlockingScope::BlockingScope(Watchdog& dog, const char* what) : dog_(dog) {
  if (!dog_.enabled()) return;
  std::lock_guard<std::mutex> lock(dog_.mutex_);
  entry_ = dog_.entries_.insert(dog_.entries_.end(), Entry{what, Clock::now(), {}});
  active_ = true;
}

Watchdog::BlockingScope::~BlockingScope() {
  if (!active_) return;
  std::lock_guard<std::mutex> lock(dog_.mutex_);
  dog_.entries_.erase(entry_);
}

void Watchdog::watch(const char* what, Probe done) {
  if (!enabled()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.push_back(Entry{what, Clock::now(), std::move(done)});
}

void Watchdog::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, poll_, [this] { return stop_; });
    if (stop_ || fired_) continue;
    const auto now = Clock::now();
    for (auto it = entries_.begin(); it != entries_.end();) {
      // Probes are cheap (an event query), so they run under the lock; finished device work is
      // forgotten, which keeps the list as short as the work in flight.
      if (it->done && it->done()) {
        it = entries_.erase(it);
        continue;
      }
      const double waited = std::chrono::duration<double>(now - it->since).count();
      if (waited > timeout_s_) {
        fired_ = true;
        const std::string message = timeout_message(it->what, waited, timeout_s_);
        lock.unlock();
        on_timeout_(message);  // normally does not return
        lock.lock();
        break;
      }
      ++it;
    }
  }
}

}  // namespace hierad::distributed

// The collective watchdog (Note [Collective watchdog]) with a recording handler in place of the
// process abort: it must fire for a wait longer than the timeout, name it, and stay quiet otherwise.
#include "src/distributed/watchdog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace hierad::distributed {
namespace {

using namespace std::chrono_literals;

struct Recorder {
  std::mutex mutex;
  std::vector<std::string> messages;
  std::function<void(const std::string&)> handler() {
    return [this](const std::string& m) {
      std::lock_guard<std::mutex> lock(mutex);
      messages.push_back(m);
    };
  }
  std::size_t count() {
    std::lock_guard<std::mutex> lock(mutex);
    return messages.size();
  }
};

TEST(Watchdog, FiresForAHostWaitLongerThanTheTimeoutAndNamesIt) {
  Recorder recorder;
  Watchdog dog(0.2, recorder.handler(), 20ms);
  {
    Watchdog::BlockingScope blocked(dog, "MPI_Allreduce");
    std::this_thread::sleep_for(600ms);
  }
  ASSERT_EQ(recorder.count(), 1u);  // once, however long the wait
  EXPECT_THAT(recorder.messages[0], ::testing::HasSubstr("MPI_Allreduce has not completed after"));
  EXPECT_THAT(recorder.messages[0], ::testing::HasSubstr("train.collective_timeout = 0.2 s"));
}

TEST(Watchdog, QuietForShortWaitsAndFinishedDeviceWork) {
  Recorder recorder;
  Watchdog dog(0.3, recorder.handler(), 20ms);
  for (int i = 0; i < 10; ++i) {
    Watchdog::BlockingScope blocked(dog, "MPI_Wait");
    std::this_thread::sleep_for(50ms);
  }
  std::atomic<bool> done{false};
  dog.watch("NCCL collective", [&done] { return done.load(); });
  std::this_thread::sleep_for(100ms);
  done = true;
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(recorder.count(), 0u);
}

TEST(Watchdog, FiresForDeviceWorkThatNeverFinishes) {
  Recorder recorder;
  Watchdog dog(0.2, recorder.handler(), 20ms);
  dog.watch("NCCL collective", [] { return false; });
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(recorder.count(), 1u);
  EXPECT_THAT(recorder.messages[0], ::testing::HasSubstr("NCCL collective"));
}

TEST(Watchdog, ATimeoutOfZeroDisablesIt) {
  Recorder recorder;
  Watchdog dog(0.0, recorder.handler(), 5ms);
  EXPECT_FALSE(dog.enabled());
  Watchdog::BlockingScope blocked(dog, "MPI_Barrier");
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(recorder.count(), 0u);
}

}  // namespace
}  // namespace hierad::distributed

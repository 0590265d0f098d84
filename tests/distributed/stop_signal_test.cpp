#include "src/distributed/stop_signal.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace hierad::distributed {
namespace {

TEST(StopSignal, TermAndUsr1AreRecordedNotFatal) {
  install_stop_handlers();
  clear_stop_request();
  EXPECT_EQ(stop_requested(), 0);
  std::raise(SIGUSR1);  // without the handler this would kill the test process
  EXPECT_EQ(stop_requested(), SIGUSR1);
  clear_stop_request();
  std::raise(SIGTERM);
  EXPECT_EQ(stop_requested(), SIGTERM);
  clear_stop_request();
}

}  // namespace
}  // namespace hierad::distributed

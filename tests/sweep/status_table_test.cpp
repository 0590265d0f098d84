// hierad status: a run marked running shows as running while a process holds its lock, and as
// interrupted once nobody does; progress and failures come from the run's files.
#include "src/sweep/run_lock.hpp"
#include "src/sweep/run_status.hpp"
#include "src/sweep/status_table.hpp"
#include "tests/common/temp_dir.hpp"

#include <gtest/gtest.h>

namespace hierad::sweep {
namespace {

using hierad::test::TempDir;

TEST(StatusTable, RunningNeedsALockHolder) {
  TempDir dir;
  RunStatus status;
  status.stage = "fmnist";
  status.state = RunState::running;
  write_status(dir / "exp" / "abc", status);
  hierad::test::write_text(dir / "exp" / "abc" / "progress.toml",
                           "step = 30\nsteps = 120\nbpd = 4.5\nimages_per_s = 80\neta_s = 95\n");
  {
    RunLock lock(dir / "exp" / "abc");
    ASSERT_TRUE(lock.held());
    const std::string table = status_table(dir.path());
    EXPECT_NE(table.find("exp/abc  fmnist  running  30/120  4.500  80.0   0:01:35"), std::string::npos) << table;
    EXPECT_NE(table.find("1 runs: 1 running"), std::string::npos) << table;
    EXPECT_FALSE(RunLock(dir / "exp" / "abc").held());  // a second sweep would skip the run
  }
  const std::string table = status_table(dir / "exp");
  EXPECT_NE(table.find("abc  fmnist  interrupted  30/120"), std::string::npos) << table;
  EXPECT_NE(table.find("1 runs: 1 interrupted"), std::string::npos) << table;
  EXPECT_THROW(status_table(dir / "nothing-here"), std::exception);
}

}  // namespace
}  // namespace hierad::sweep

// The metrics log: rows round-trip bit for bit, a reopened log continues, resume truncation, torn
// appends, column checks, and a writer killed with SIGKILL leaves a readable prefix.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

#include "storage/h5_io.hpp"
#include "storage/metrics_log.hpp"
#include "tests/common/temp_dir.hpp"

namespace hierad::storage {
namespace {

using hierad::test::TempDir;
using ::testing::HasSubstr;

const std::vector<std::string> kColumns = {"step", "loss", "bpd", "lr", "grad_norm", "skipped", "images_per_s"};

std::vector<double> row_for(double step) {
  return {step, 1000.0 / (step + 1), 3.0 + 1.0 / (step + 1), 5e-4, 0.1 * step, std::floor(step / 7), 123.25 + step};
}

TEST(MetricsLog, RowsRoundTripExactly) {
  TempDir dir;
  MetricsLog log(dir / "metrics.h5", "train", kColumns);
  std::vector<double> expected;
  for (int s = 0; s < 300; s += 10) {  // beyond one 256-row chunk is not needed; 30 rows
    auto r = row_for(s);
    if (s == 50) r[1] = std::numeric_limits<double>::quiet_NaN();  // a non-finite loss is kept
    log.append(r);
    expected.insert(expected.end(), r.begin(), r.end());
  }
  EXPECT_EQ(log.rows(), 30);
  const MetricsTable t = read_metrics(dir / "metrics.h5", "train");
  EXPECT_EQ(t.columns, kColumns);
  EXPECT_EQ(t.rows(), 30);
  ASSERT_EQ(t.values.size(), expected.size());
  EXPECT_EQ(std::memcmp(t.values.data(), expected.data(), expected.size() * sizeof(double)), 0);
  EXPECT_EQ(t.column("step")[3], 30.0);
  EXPECT_TRUE(std::isnan(t.column("loss")[5]));
  EXPECT_THROW(t.column("nope"), std::out_of_range);
}

TEST(MetricsLog, ManyRowsAcrossChunks) {
  TempDir dir;
  MetricsLog log(dir / "m.h5", "train", {"step", "bpd"});
  for (int s = 0; s < 600; ++s) log.append({double(s), 3.5 - s * 1e-3});
  const MetricsTable t = read_metrics(dir / "m.h5", "train");
  ASSERT_EQ(t.rows(), 600);
  EXPECT_EQ(t.column("bpd")[599], 3.5 - 599 * 1e-3);
}

TEST(MetricsLog, ReopeningContinuesAndTablesShareAFile) {
  TempDir dir;
  {
    MetricsLog train(dir / "m.h5", "train", kColumns);
    MetricsLog val(dir / "m.h5", "val", {"step", "val_bpd"});
    train.append(row_for(1));
    val.append({1, 3.4});
    train.append(row_for(2));
  }
  MetricsLog again(dir / "m.h5", "train", kColumns);
  EXPECT_EQ(again.rows(), 2);
  again.append(row_for(3));
  EXPECT_EQ(read_metrics(dir / "m.h5", "train").column("step"), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(read_metrics(dir / "m.h5", "val").column("val_bpd"), (std::vector<double>{3.4}));
}

TEST(MetricsLog, ResumeDropsRowsPastTheCheckpoint) {
  TempDir dir;
  MetricsLog log(dir / "m.h5", "train", kColumns);
  for (int s = 10; s <= 100; s += 10) log.append(row_for(s));
  EXPECT_EQ(log.truncate_after(50), 5);
  EXPECT_EQ(log.rows(), 5);
  log.append(row_for(60));
  EXPECT_EQ(read_metrics(dir / "m.h5", "train").column("step"), (std::vector<double>{10, 20, 30, 40, 50, 60}));
  EXPECT_EQ(log.truncate_after(1000), 0);
  EXPECT_THROW(log.truncate_after(5, "epoch"), std::invalid_argument);
}

TEST(MetricsLog, ColumnAndRowMismatchesAreErrors) {
  TempDir dir;
  MetricsLog log(dir / "m.h5", "train", {"step", "loss"});
  try {
    MetricsLog other(dir / "m.h5", "train", {"step", "bpd"});
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr((dir / "m.h5").string()));
    EXPECT_THAT(e.what(), HasSubstr("has columns [step, loss], not [step, bpd]"));
  }
  EXPECT_THROW(log.append({1}), std::invalid_argument);
  EXPECT_THROW(MetricsLog(dir / "m.h5", "t", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(MetricsLog(dir / "m.h5", "t", {}), std::invalid_argument);
  EXPECT_THROW(read_metrics(dir / "m.h5", "missing"), H5Error);
  EXPECT_THROW(read_metrics(dir / "nope.h5", "train"), H5Error);
}

TEST(MetricsLog, RowsExtendedButNeverWrittenAreDropped) {
  TempDir dir;
  {
    MetricsLog log(dir / "m.h5", "train", {"step", "loss"});
    log.append({1, 2});
    log.append({2, std::numeric_limits<double>::quiet_NaN()});
  }
  {  // what a crash between extending and writing leaves: two NaN fill rows
    H5Id f = open_file(dir / "m.h5", FileMode::ReadWrite);
    H5Id d = check_id(H5Dopen2(f.get(), "train", H5P_DEFAULT), "open");
    const hsize_t rows = 4;
    check(H5Dset_extent(d.get(), &rows), "extend");
  }
  EXPECT_EQ(read_metrics(dir / "m.h5", "train").column("step"), (std::vector<double>{1, 2}));
  MetricsLog reopened(dir / "m.h5", "train", {"step", "loss"});  // appends follow the last real row
  EXPECT_EQ(reopened.rows(), 2);
  reopened.append({3, 4});
  EXPECT_EQ(read_metrics(dir / "m.h5", "train").column("step"), (std::vector<double>{1, 2, 3}));
}

TEST(MetricsLog, KillNineLeavesAReadablePrefix) {
  TempDir dir;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto path = dir / ("m" + std::to_string(attempt) + ".h5");
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      try {
        MetricsLog log(path, "train", kColumns);
        for (int s = 0;; ++s) log.append(row_for(s));
      } catch (...) {
        _exit(3);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + 111 * attempt));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status));
    const MetricsTable t = read_metrics(path, "train");
    ASSERT_GT(t.rows(), 0);
    for (std::int64_t r = 0; r < t.rows(); ++r) {
      const auto want = row_for(static_cast<double>(r));
      ASSERT_EQ(std::memcmp(&t.values[static_cast<std::size_t>(r) * kColumns.size()], want.data(),
                            want.size() * sizeof(double)), 0)
          << "row " << r << " of " << t.rows();
    }
    MetricsLog resumed(path, "train", kColumns);  // and the log can be continued
    resumed.append(row_for(static_cast<double>(t.rows())));
    std::printf("[ info ] killed after %lld rows\n", static_cast<long long>(t.rows()));
  }
}

}  // namespace
}  // namespace hierad::storage

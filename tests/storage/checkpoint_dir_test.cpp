// The run directory: names, listing by step, keep-last-K, fallback to the newest checkpoint that
// verifies, stray temporaries, and a writer killed with SIGKILL at random moments.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "checkpoint_sample.hpp"
#include "storage/checkpoint_dir.hpp"
#include "storage/h5_io.hpp"
#include "tests/common/temp_dir.hpp"

namespace hierad::storage {
namespace {

using test::SampleCheckpoint;
using hierad::test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::int64_t> steps_in(const std::filesystem::path& dir) {
  std::vector<std::int64_t> steps;
  for (const auto& e : list_checkpoints(dir).checkpoints) steps.push_back(e.step);
  return steps;
}

void write_step(CheckpointDir& d, std::int64_t step) {
  const SampleCheckpoint s(step);
  d.write(step, s.views(), s.metadata);
}

// Flips one bit inside the weights' bytes (found through HDF5, so the flip surely hits data).
void corrupt_weights(const std::filesystem::path& p) {
  haddr_t offset;
  {
    H5Id f = open_file(p, FileMode::ReadOnly);
    H5Id d = check_id(H5Dopen2(f.get(), "arrays/model/scales.0.steps.0.actnorm.loc", H5P_DEFAULT), "open");
    offset = H5Dget_offset(d.get());
  }
  auto bytes = hierad::test::read_bytes(p);
  bytes.at(offset + 5) ^= 0x10;
  hierad::test::write_bytes(p, bytes);
}

TEST(CheckpointNames, FormatAndParse) {
  EXPECT_EQ(checkpoint_file_name(500), "ckpt-00000500.h5");
  EXPECT_EQ(checkpoint_file_name(123456789), "ckpt-123456789.h5");
  EXPECT_EQ(parse_checkpoint_file_name("ckpt-00000500.h5"), 500);
  EXPECT_EQ(parse_checkpoint_file_name("ckpt-123456789.h5"), 123456789);
  for (const char* other : {"ckpt-500.h5", "ckpt-00000500.h5.tmp-12", "ckpt-00000500.h5.bak", "x-00000500.h5",
                            "ckpt-0000050a.h5", "metrics.h5"})
    EXPECT_FALSE(parse_checkpoint_file_name(other).has_value()) << other;
  EXPECT_THROW(checkpoint_file_name(-1), std::invalid_argument);
}

TEST(CheckpointDirTest, ListsByStepNumerically) {
  TempDir dir;
  CheckpointDir d(dir.path(), 10);
  for (std::int64_t step : {100000000, 5, 100}) write_step(d, step);
  hierad::test::write_bytes(dir / "notes.txt", {'x'});
  hierad::test::write_bytes(dir / "ckpt-00000007.h5.tmp-4242", {'x'});
  const CheckpointListing l = d.list();
  EXPECT_EQ(steps_in(dir.path()), (std::vector<std::int64_t>{5, 100, 100000000}));
  ASSERT_EQ(l.temporaries.size(), 1u);
  EXPECT_EQ(l.temporaries[0].filename(), "ckpt-00000007.h5.tmp-4242");
  EXPECT_EQ(l.checkpoints[1].path, dir / "ckpt-00000100.h5");
  EXPECT_THAT(remove_temporaries(dir.path()), ElementsAre(dir / "ckpt-00000007.h5.tmp-4242"));
  EXPECT_TRUE(d.list().temporaries.empty());
  EXPECT_TRUE(list_checkpoints(dir / "missing").checkpoints.empty());
}

TEST(CheckpointDirTest, KeepsTheLastK) {
  TempDir dir;
  CheckpointDir d(dir / "run", 3);  // created on first write
  for (std::int64_t step = 1; step <= 6; ++step) write_step(d, step * 100);
  EXPECT_EQ(steps_in(dir / "run"), (std::vector<std::int64_t>{400, 500, 600}));
  EXPECT_THAT(prune_checkpoints(dir / "run", 1), ElementsAre(dir / "run" / "ckpt-00000400.h5", dir / "run" / "ckpt-00000500.h5"));
  EXPECT_EQ(steps_in(dir / "run"), (std::vector<std::int64_t>{600}));
  EXPECT_THROW(prune_checkpoints(dir / "run", 0), std::invalid_argument);
  EXPECT_THROW(CheckpointDir(dir.path(), 0), std::invalid_argument);
}

TEST(CheckpointDirTest, FallsBackToTheNewestValidAndReportsWhatItSkipped) {
  TempDir dir;
  CheckpointDir d(dir.path(), 10);
  for (std::int64_t step : {100, 200, 300, 400}) write_step(d, step);
  corrupt_weights(d.path_for(400));
  std::filesystem::resize_file(d.path_for(300), 3000);              // truncated
  std::filesystem::rename(d.path_for(200), dir / "ckpt-00000250.h5");  // name and content disagree
  // A complete, valid file under a temporary name is still never loaded.
  const SampleCheckpoint tmp(900);
  write_checkpoint(dir / "x.h5", tmp.views(), tmp.metadata);
  std::filesystem::rename(dir / "x.h5", dir / "ckpt-00000900.h5.tmp-77");

  const LatestCheckpoint latest = d.load_latest_valid();
  ASSERT_TRUE(latest.checkpoint.has_value());
  EXPECT_EQ(latest.checkpoint->path, d.path_for(100));
  EXPECT_EQ(latest.checkpoint->meta_int("step"), 100);
  ASSERT_EQ(latest.skipped.size(), 4u);
  EXPECT_EQ(latest.skipped[0].path, dir / "ckpt-00000900.h5.tmp-77");
  EXPECT_THAT(latest.skipped[0].reason, HasSubstr("never finished"));
  EXPECT_EQ(latest.skipped[1].path, d.path_for(400));
  EXPECT_THAT(latest.skipped[1].reason, HasSubstr("array 'model/scales.0.steps.0.actnorm.loc' is corrupt"));
  EXPECT_EQ(latest.skipped[2].path, d.path_for(300));
  EXPECT_THAT(latest.skipped[2].reason, HasSubstr("unreadable"));
  EXPECT_EQ(latest.skipped[3].path, dir / "ckpt-00000250.h5");
  EXPECT_THAT(latest.skipped[3].reason, HasSubstr("metadata step 200 differs from the file name's step 250"));
}

TEST(CheckpointDirTest, NothingValidMeansNoCheckpointButAFullReport) {
  TempDir dir;
  EXPECT_FALSE(load_latest_valid(dir.path()).checkpoint.has_value());
  EXPECT_TRUE(load_latest_valid(dir.path()).skipped.empty());
  CheckpointDir d(dir.path(), 5);
  write_step(d, 1);
  write_step(d, 2);
  std::filesystem::resize_file(d.path_for(1), 10);
  std::filesystem::resize_file(d.path_for(2), 0);
  const LatestCheckpoint latest = d.load_latest_valid();
  EXPECT_FALSE(latest.checkpoint.has_value());
  EXPECT_EQ(latest.skipped.size(), 2u);
}

// A writer killed by SIGKILL at a random moment, over and over: whatever survives under a checkpoint
// name verifies and holds exactly the content of its step; the interrupted write is a temporary.
TEST(CheckpointDirTest, KillNineDuringWritesNeverLeavesAValidLookingWrongFile) {
  TempDir dir;
  int runs_with_temporary = 0;
  for (int attempt = 0; attempt < 6; ++attempt) {
    const auto run = dir / ("run" + std::to_string(attempt));
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      try {
        CheckpointDir d(run, 2);
        for (std::int64_t step = 1;; ++step) {
          const SampleCheckpoint s(step, 1 << 18);  // 1 MiB of weights: writes take a while
          d.write(step, s.views(), s.metadata);
        }
      } catch (...) {
        _exit(3);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + 97 * attempt));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself (status " << status << ")";

    const CheckpointListing listing = list_checkpoints(run);
    runs_with_temporary += !listing.temporaries.empty();
    EXPECT_LE(listing.checkpoints.size(), 2u + 1u);  // keep-last-2, plus one written before its prune
    const LatestCheckpoint latest = load_latest_valid(run);
    for (const auto& s : latest.skipped) EXPECT_THAT(s.reason, HasSubstr("never finished")) << s.path;
    if (listing.checkpoints.empty()) continue;  // killed during the very first write
    ASSERT_TRUE(latest.checkpoint.has_value());
    const std::int64_t step = latest.checkpoint->meta_int("step");
    EXPECT_EQ(step, listing.checkpoints.back().step);
    const SampleCheckpoint expected(step, 1 << 18);
    EXPECT_EQ(latest.checkpoint->at("model/scales.0.steps.0.actnorm.loc").to_vector<float>(), expected.weight);
    EXPECT_EQ(latest.checkpoint->metadata, expected.metadata);
  }
  // Nearly all of a writer's time is spent inside a write, so kills land mid-write.
  EXPECT_GE(runs_with_temporary, 1);
}

}  // namespace
}  // namespace hierad::storage

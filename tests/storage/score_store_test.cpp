// The score store in one process: exact round trip against the synthetic content, row coverage
// checks, compression, no file under the final name for an unfinished run, reader errors, and the
// example-by-example comparison.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/checkpoint.hpp"
#include "storage/h5_io.hpp"
#include "storage/score_reader.hpp"
#include "storage/score_store.hpp"
#include "synthetic_scores.hpp"
#include "tests/common/temp_dir.hpp"

namespace hierad::storage {
namespace {

using test::SyntheticSet;
using hierad::test::TempDir;
using ::testing::HasSubstr;

// Writes every synthetic set in batches of `batch` rows, in the order given by `reverse`.
void write_synthetic(const std::filesystem::path& path, std::int64_t batch, bool reverse,
                     ScoreWriterOptions options = {}) {
  ScoreWriter w = ScoreWriter::create_serial(path, test::synthetic_file_info(), options);
  for (const SyntheticSet& s : test::synthetic_sets()) {
    w.begin_set(test::synthetic_set_info(s));
    std::vector<std::int64_t> starts;
    for (std::int64_t b = 0; b < s.count; b += batch) starts.push_back(b);
    if (reverse) std::reverse(starts.begin(), starts.end());
    for (std::int64_t b : starts) {
      const auto rows = test::synthetic_rows(s, b, std::min(s.count, b + batch));
      w.add_rows(b, rows.view());
    }
    w.end_set();
  }
  w.close();
}

TEST(ScoreStore, SerialRoundTripHoldsExactlyTheScores) {
  TempDir dir;
  write_synthetic(dir / "s.h5", 100, false);
  const ScoreFile f = read_score_file(dir / "s.h5");
  EXPECT_THAT(test::check_against_synthetic(f), ::testing::IsEmpty());
  EXPECT_EQ(f.writer_ranks, 1);
  EXPECT_EQ(f.hdf5_version, hdf5_library_version());
  EXPECT_EQ(f.info.checkpoint.checksum, 0xdeadbeefu);
  const ScoreSet& c = f.set("cifar10_test");
  EXPECT_EQ(c.size(), 1000);
  const auto last = c.scale_column(c.lp, 2);
  EXPECT_EQ(last[10], c.lp[10 * 3 + 2]);
  EXPECT_THROW(c.scale_column(c.lp, 3), std::out_of_range);
  EXPECT_EQ(f.set("empty").size(), 0);
  EXPECT_THROW(f.set("mnist"), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(dir / "s.h5.tmp"));
}

TEST(ScoreStore, RowOrderOfAddsDoesNotMatter) {
  TempDir dir;
  write_synthetic(dir / "a.h5", 7, false);
  write_synthetic(dir / "b.h5", 13, true);
  EXPECT_THAT(compare_score_files(read_score_file(dir / "a.h5"), read_score_file(dir / "b.h5")), ::testing::IsEmpty());
}

TEST(ScoreStore, ComparisonFindsASingleDifferentValue) {
  TempDir dir;
  write_synthetic(dir / "a.h5", 100, false);
  write_synthetic(dir / "b.h5", 100, false);
  {
    H5Id f = open_file(dir / "b.h5", FileMode::ReadWrite);
    H5Id d = check_id(H5Dopen2(f.get(), "general_heldout/G", H5P_DEFAULT), "open");
    H5Id space = check_id(H5Dget_space(d.get()), "space");
    const hsize_t start[2] = {17, 1}, count[2] = {1, 1};
    check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), "select");
    H5Id mem = check_id(H5Screate_simple(1, count, nullptr), "mem");
    const double v = 1.0;
    check(H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, mem.get(), space.get(), H5P_DEFAULT, &v), "write");
  }
  const auto diffs = compare_score_files(read_score_file(dir / "a.h5"), read_score_file(dir / "b.h5"));
  const SyntheticSet general = test::synthetic_sets()[3];
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_THAT(diffs[0], HasSubstr("set 'general_heldout' example " + std::to_string(test::example_at_row(general, 17)) + " G[1]"));
}

TEST(ScoreStore, CompressionShrinksTheConstantAndRampColumns) {
  TempDir dir;
  ScoreWriterOptions raw;
  raw.compress = false;
  write_synthetic(dir / "c.h5", 1000, false);
  write_synthetic(dir / "r.h5", 1000, false, raw);
  auto storage = [](const std::filesystem::path& p, const char* name) {
    H5Id f = open_file(p, FileMode::ReadOnly);
    H5Id d = check_id(H5Dopen2(f.get(), name, H5P_DEFAULT), "open");
    return H5Dget_storage_size(d.get());
  };
  EXPECT_EQ(storage(dir / "r.h5", "cifar10_test/A"), 1000u * 3 * 8);
  EXPECT_LT(storage(dir / "c.h5", "cifar10_test/A"), 1000u * 3 * 8 / 20);  // one value repeated
  EXPECT_LT(storage(dir / "c.h5", "cifar10_test/F"), storage(dir / "r.h5", "cifar10_test/F"));
  EXPECT_THAT(test::check_against_synthetic(read_score_file(dir / "r.h5")), ::testing::IsEmpty());
  std::printf("[ info ] 1000 x 3 float64, compressed/raw bytes: A %llu/%llu, F %llu/%llu, index %llu/%llu\n",
              static_cast<unsigned long long>(storage(dir / "c.h5", "cifar10_test/A")),
              static_cast<unsigned long long>(storage(dir / "r.h5", "cifar10_test/A")),
              static_cast<unsigned long long>(storage(dir / "c.h5", "cifar10_test/F")),
              static_cast<unsigned long long>(storage(dir / "r.h5", "cifar10_test/F")),
              static_cast<unsigned long long>(storage(dir / "c.h5", "cifar10_test/index")),
              static_cast<unsigned long long>(storage(dir / "r.h5", "cifar10_test/index")));
}

TEST(ScoreStore, RowsMustCoverTheSetExactlyOnce) {
  TempDir dir;
  const SyntheticSet s{"s", 100, 9};
  auto attempt = [&](std::vector<std::pair<std::int64_t, std::int64_t>> ranges) {
    ScoreWriter w = ScoreWriter::create_serial(dir / "x.h5", test::synthetic_file_info());
    w.begin_set(test::synthetic_set_info(s));
    for (auto [b, e] : ranges) {
      const auto rows = test::synthetic_rows(s, b, e);
      w.add_rows(b, rows.view());
    }
    try {
      w.end_set();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(attempt({{0, 50}, {60, 100}}), HasSubstr("rows [50, 60) were never added"));
  EXPECT_THAT(attempt({{0, 90}}), HasSubstr("rows [90, 100) were never added"));
  EXPECT_THAT(attempt({{0, 60}, {50, 100}}), HasSubstr("rows [50, 60) were added more than once"));
  EXPECT_THAT(attempt({{0, 100}}), HasSubstr("no error"));
  const std::string msg = attempt({{10, 100}});
  EXPECT_THAT(msg, HasSubstr("score file " + (dir / "x.h5").string() + " set 's'"));

  ScoreWriter w = ScoreWriter::create_serial(dir / "y.h5", test::synthetic_file_info());
  w.begin_set(test::synthetic_set_info(s));
  const auto rows = test::synthetic_rows(s, 90, 100);
  EXPECT_THROW(w.add_rows(95, rows.view()), std::invalid_argument);  // past the end
  ScoreRowsView missing = rows.view();
  missing.G = nullptr;
  EXPECT_THROW(w.add_rows(0, missing), std::invalid_argument);
  EXPECT_THROW(w.begin_set(test::synthetic_set_info(s)), std::logic_error);  // nested
  EXPECT_THROW(w.close(), std::logic_error);                                   // set not ended
}

TEST(ScoreStore, AnUnfinishedRunLeavesNoFileUnderTheFinalName) {
  TempDir dir;
  {
    ScoreWriter w = ScoreWriter::create_serial(dir / "s.h5", test::synthetic_file_info());
    const SyntheticSet s = test::synthetic_sets()[0];
    w.begin_set(test::synthetic_set_info(s));
    const auto rows = test::synthetic_rows(s, 0, s.count);
    w.add_rows(0, rows.view());
    w.end_set();
  }  // destroyed without close(), as by an exception
  EXPECT_FALSE(std::filesystem::exists(dir / "s.h5"));
}

TEST(ScoreStore, ReaderErrorsNameTheFile) {
  TempDir dir;
  try {
    read_score_file(dir / "missing.h5");
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_THAT(e.what(), HasSubstr((dir / "missing.h5").string()));
  }
  const std::vector<float> v = {1};
  write_checkpoint(dir / "ckpt.h5", {view_of("w", v)}, {});
  try {
    read_score_file(dir / "ckpt.h5");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("score file " + (dir / "ckpt.h5").string() + ": not a hierad score file"));
  }
  // A dataset of the wrong shape is named with its set.
  write_synthetic(dir / "s.h5", 100, false);
  {
    H5Id f = open_file(dir / "s.h5", FileMode::ReadWrite);
    check(H5Ldelete(f.get(), "svhn_test/bpd", H5P_DEFAULT), "delete");
    write_array(f.get(), view_of("svhn_test/bpd", std::vector<double>{1, 2}));
  }
  try {
    read_score_file(dir / "s.h5");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("set 'svhn_test' dataset bpd has shape [2], expected [1]"));
  }
}

TEST(ScoreStore, BlocksSplitRowsEvenly) {
  EXPECT_EQ(block_of(10, 0, 3), (std::pair<std::int64_t, std::int64_t>{0, 4}));
  EXPECT_EQ(block_of(10, 1, 3), (std::pair<std::int64_t, std::int64_t>{4, 7}));
  EXPECT_EQ(block_of(10, 2, 3), (std::pair<std::int64_t, std::int64_t>{7, 10}));
  EXPECT_EQ(block_of(1, 1, 2), (std::pair<std::int64_t, std::int64_t>{1, 1}));
}

}  // namespace
}  // namespace hierad::storage

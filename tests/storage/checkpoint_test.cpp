// Checkpoint files: exact round trip, atomic replacement, and detection of every kind of damage:
// each single-byte flip, truncation at many lengths, edited entries, interrupted writes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "checkpoint_sample.hpp"
#include "storage/checkpoint.hpp"
#include "storage/h5_io.hpp"
#include "tests/common/temp_dir.hpp"

namespace hierad::storage {
namespace {

using test::SampleCheckpoint;
using hierad::test::TempDir;
using ::testing::HasSubstr;

// True when `c` holds exactly the arrays and metadata of `expected`.
bool same_content(const Checkpoint& c, const SampleCheckpoint& expected) {
  const auto views = expected.views();
  if (c.arrays.size() != views.size() || c.metadata != expected.metadata) return false;
  for (const ArrayView& v : views) {
    const Array* a = c.find(v.name);
    if (!a || a->dtype != v.dtype || a->shape != v.shape || a->bytes.size() != v.byte_size()) return false;
    if (v.byte_size() && std::memcmp(a->bytes.data(), v.data, v.byte_size()) != 0) return false;
  }
  return true;
}

TEST(Checkpoint, RoundTripIsExact) {
  TempDir dir;
  const SampleCheckpoint s(500);
  const auto path = dir / "c.h5";
  const std::uint32_t checksum = write_checkpoint(path, s.views(), s.metadata);
  const Checkpoint c = read_checkpoint(path);
  EXPECT_TRUE(same_content(c, s));
  EXPECT_EQ(c.checksum, checksum);
  EXPECT_EQ(checksum, checkpoint_checksum(s.views(), s.metadata));
  EXPECT_EQ(c.path, path);
  EXPECT_EQ(c.meta_int("step"), 500);
  EXPECT_EQ(c.meta_double("lr"), 5e-4);
  EXPECT_EQ(c.meta_string("config"), "[train]\nlr = 5e-4\nbatch = 64\n");
  EXPECT_EQ(c.at("rng/rank0").to_vector<std::uint8_t>(), s.rng);
  EXPECT_EQ(c.at("loader/positions").to_vector<std::int64_t>(), s.positions);
  EXPECT_TRUE(std::is_sorted(c.arrays.begin(), c.arrays.end(),
                             [](const Array& a, const Array& b) { return a.name < b.name; }));
  // Only the final file is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(Checkpoint, MissingEntriesAreReportedWithTheFileName) {
  TempDir dir;
  const SampleCheckpoint s(1);
  write_checkpoint(dir / "c.h5", s.views(), s.metadata);
  const Checkpoint c = read_checkpoint(dir / "c.h5");
  EXPECT_EQ(c.find("nope"), nullptr);
  try {
    c.at("nope");
    FAIL();
  } catch (const CheckpointError& e) {
    EXPECT_THAT(e.what(), HasSubstr((dir / "c.h5").string()));
    EXPECT_THAT(e.what(), HasSubstr("no array 'nope'"));
  }
  EXPECT_THROW(c.meta_int("config"), CheckpointError);  // a string, not an integer
  EXPECT_THROW(c.meta_string("missing"), CheckpointError);
}

TEST(Checkpoint, ChecksumDependsOnEveryPart) {
  SampleCheckpoint s(3);
  const std::uint32_t base = checkpoint_checksum(s.views(), s.metadata);
  SampleCheckpoint t(3);
  t.weight[7] += 1e-6f;
  EXPECT_NE(checkpoint_checksum(t.views(), t.metadata), base);
  SampleCheckpoint u(3);
  u.metadata["epoch"] = std::int64_t{1};
  EXPECT_NE(checkpoint_checksum(u.views(), u.metadata), base);
  SampleCheckpoint v(3);
  auto views = v.views();
  views[0].shape = {static_cast<std::int64_t>(v.weight.size() / 4), 4};  // same bytes, other shape
  EXPECT_NE(checkpoint_checksum(views, v.metadata), base);
}

TEST(Checkpoint, InvalidInputsAreRejectedBeforeAnythingIsWritten) {
  TempDir dir;
  const SampleCheckpoint s(1);
  auto dup = s.views();
  dup.push_back(dup.front());
  EXPECT_THROW(write_checkpoint(dir / "c.h5", dup, s.metadata), CheckpointError);
  Metadata bad_key = s.metadata;
  bad_key[""] = std::int64_t{1};
  EXPECT_THROW(write_checkpoint(dir / "c.h5", s.views(), bad_key), CheckpointError);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(Checkpoint, AFailedWriteKeepsThePreviousFileAndLeavesNoTemporary) {
  TempDir dir;
  const auto path = dir / "c.h5";
  const SampleCheckpoint old(1);
  write_checkpoint(path, old.views(), old.metadata);
  const auto before = hierad::test::read_bytes(path);

  // "a" is written, then "a/b" fails inside HDF5 (a dataset cannot hold a child): mid-write.
  const std::vector<float> v = {1, 2};
  try {
    write_checkpoint(path, {view_of("a", v), view_of("a/b", v)}, {});
    FAIL();
  } catch (const CheckpointError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path.string()));
    EXPECT_THAT(e.what(), HasSubstr("cannot write"));
  }
  EXPECT_EQ(hierad::test::read_bytes(path), before);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(Checkpoint, RewritingReplacesTheFileWhole) {
  TempDir dir;
  const auto path = dir / "c.h5";
  const SampleCheckpoint a(1), b(2, 128);
  write_checkpoint(path, a.views(), a.metadata);
  write_checkpoint(path, b.views(), b.metadata);
  EXPECT_TRUE(same_content(read_checkpoint(path), b));
}

// A single-byte corruption is either detected or harmless: a damaged checkpoint never loads as
// valid with different content. Every byte of array data is flipped (the checksums must catch all of
// them) and every 4th byte elsewhere (HDF5's metadata checksums, the manifest, or unused space).
TEST(Checkpoint, SingleByteFlipsAreDetectedOrHarmless) {
  TempDir dir;
  const SampleCheckpoint s(77);
  const auto path = dir / "c.h5";
  write_checkpoint(path, s.views(), s.metadata);
  const std::vector<char> bytes = hierad::test::read_bytes(path);

  // Where each non-empty array's bytes live (contiguous layout).
  std::vector<std::pair<std::size_t, std::size_t>> data_ranges;
  std::size_t data_bytes = 0;
  {
    H5Id f = open_file(path, FileMode::ReadOnly);
    H5Id g = open_group(f.get(), "arrays");
    for (const ArrayView& v : s.views()) {
      if (v.byte_size() == 0) continue;
      H5Id d = check_id(H5Dopen2(g.get(), v.name.c_str(), H5P_DEFAULT), "open");
      const haddr_t off = H5Dget_offset(d.get());
      ASSERT_NE(off, HADDR_UNDEF) << v.name;
      data_ranges.emplace_back(static_cast<std::size_t>(off), static_cast<std::size_t>(off) + v.byte_size());
      data_bytes += v.byte_size();
    }
  }
  auto in_data = [&](std::size_t i) {
    for (const auto& [b, e] : data_ranges)
      if (i >= b && i < e) return true;
    return false;
  };

  // Flip in place (rewriting the whole file each time costs a truncate and a flush per byte).
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  auto put = [&](std::size_t i, char c) {
    file.seekp(static_cast<std::streamoff>(i));
    file.put(c);
    file.flush();
  };
  std::size_t detected = 0, harmless = 0, data_flips = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const bool data = in_data(i);
    if (!data && i % 4 != 0) continue;
    put(i, static_cast<char>(bytes[i] ^ 0x5a));
    try {
      const Checkpoint c = read_checkpoint(path);
      ASSERT_TRUE(same_content(c, s)) << "flip at byte " << i << " of " << bytes.size() << " loaded as valid";
      ASSERT_FALSE(data) << "flip in array data at byte " << i << " went unnoticed";
      ++harmless;
    } catch (const CheckpointError& e) {
      ASSERT_THAT(e.what(), HasSubstr(path.string()));
      ++detected;
    }
    data_flips += data;
    put(i, bytes[i]);
  }
  EXPECT_EQ(data_flips, data_bytes);
  EXPECT_GT(detected, harmless);
  std::printf("[ info ] %zu-byte checkpoint, %zu flips: %zu detected, %zu harmless (no effect on the content)\n", bytes.size(),
              detected + harmless, detected, harmless);
}

TEST(Checkpoint, TruncationAtAnyLengthIsDetected) {
  TempDir dir;
  const SampleCheckpoint s(9, 4096);
  const auto good = dir / "good.h5";
  write_checkpoint(good, s.views(), s.metadata);
  const std::vector<char> bytes = hierad::test::read_bytes(good);
  const auto bad = dir / "bad.h5";
  std::vector<std::size_t> lengths = {0, 1, 8, 512, bytes.size() - 1, bytes.size() - 8};
  for (std::size_t n = 0; n < bytes.size(); n += 331) lengths.push_back(n);
  for (std::size_t n : lengths) {
    hierad::test::write_bytes(bad, std::vector<char>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n)));
    try {
      read_checkpoint(bad);
      FAIL() << "truncated to " << n << " of " << bytes.size() << " bytes, loaded as valid";
    } catch (const CheckpointError& e) {
      EXPECT_THAT(e.what(), HasSubstr(bad.string()));
    }
  }
}

TEST(Checkpoint, CorruptArrayIsNamedInTheError) {
  TempDir dir;
  const SampleCheckpoint s(5, 4096);
  const auto path = dir / "c.h5";
  write_checkpoint(path, s.views(), s.metadata);
  haddr_t off;
  {
    H5Id f = open_file(path, FileMode::ReadOnly);
    H5Id d = check_id(H5Dopen2(f.get(), "arrays/model/scales.0.steps.0.actnorm.loc", H5P_DEFAULT), "open");
    off = H5Dget_offset(d.get());
  }
  std::vector<char> bytes = hierad::test::read_bytes(path);
  bytes[off + 1000] ^= 1;  // one bit of one float
  hierad::test::write_bytes(path, bytes);
  try {
    read_checkpoint(path);
    FAIL();
  } catch (const CheckpointError& e) {
    EXPECT_EQ(e.path(), path);
    EXPECT_THAT(e.what(), HasSubstr("array 'model/scales.0.steps.0.actnorm.loc' is corrupt"));
  }
}

// Edits made through HDF5 itself keep HDF5's checksums valid; the manifest still catches them.
TEST(Checkpoint, EditedEntriesAreDetectedByTheManifest) {
  TempDir dir;
  const SampleCheckpoint s(5);
  const auto path = dir / "c.h5";
  auto edit = [&](auto&& change) {
    write_checkpoint(path, s.views(), s.metadata);
    H5Id f = open_file(path, FileMode::ReadWrite);
    change(f.get());
    close_file(f);
    try {
      read_checkpoint(path);
      ADD_FAILURE() << "edited checkpoint loaded as valid";
      return std::string();
    } catch (const CheckpointError& e) {
      return std::string(e.what());
    }
  };
  EXPECT_THAT(edit([](hid_t f) { H5Ldelete(f, "arrays/rng/rank0", H5P_DEFAULT); }), HasSubstr("holds 6 arrays"));
  EXPECT_THAT(edit([](hid_t f) { H5Lmove(f, "arrays/rng/rank0", f, "arrays/rng/rank1", H5P_DEFAULT, H5P_DEFAULT); }),
              HasSubstr("manifest checksum"));
  EXPECT_THAT(edit([](hid_t f) {
                H5Id meta = open_group(f, "metadata");
                write_attr_int(meta.get(), "step", 6);
              }),
              HasSubstr("manifest checksum"));
  EXPECT_THAT(edit([](hid_t f) { write_attr_string(f, "format", "other"); }), HasSubstr("not a hierad checkpoint"));
}

TEST(Checkpoint, UnreadableFilesAreCheckpointErrors) {
  TempDir dir;
  EXPECT_THROW(read_checkpoint(dir / "missing.h5"), CheckpointError);
  {
    H5Id f = create_file(dir / "plain.h5", false);
    write_attr_int(f.get(), "x", 1);
  }
  try {
    read_checkpoint(dir / "plain.h5");
    FAIL();
  } catch (const CheckpointError& e) {
    EXPECT_THAT(e.what(), HasSubstr("checkpoint " + (dir / "plain.h5").string() + ": not a hierad checkpoint"));
  }
}

}  // namespace
}  // namespace hierad::storage

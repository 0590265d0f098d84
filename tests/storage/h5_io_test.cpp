// Round trips of every array type and attribute kind through HDF5, the handle's ownership rules, and
// error messages that name the file and carry HDF5's stack.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "storage/h5_io.hpp"
#include "tests/common/temp_dir.hpp"

namespace hierad::storage {
namespace {

using hierad::test::TempDir;
using ::testing::HasSubstr;

static_assert(std::is_nothrow_move_constructible_v<H5Id>);
static_assert(std::is_nothrow_move_assignable_v<H5Id>);
static_assert(!std::is_copy_constructible_v<H5Id>);
static_assert(!std::is_copy_assignable_v<H5Id>);

template <class T> std::vector<T> sample(std::size_t n) {
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<T>(static_cast<double>(i) * 1.25 - 3);
  return v;
}

template <class T> void expect_round_trip(hid_t loc, const std::string& name, const std::vector<T>& values,
                                          const std::vector<std::int64_t>& shape) {
  write_array(loc, view_of(name, values, shape));
  const Array back = read_array(loc, name);
  EXPECT_EQ(back.name, name);
  EXPECT_EQ(back.dtype, dtype_of<T>());
  EXPECT_EQ(back.shape, shape);
  ASSERT_EQ(back.bytes.size(), values.size() * sizeof(T));
  // Bit-exact: NaN payloads, -0.0 and extremes must survive.
  EXPECT_EQ(std::memcmp(back.bytes.data(), values.data(), back.bytes.size()), 0) << name;
}

class H5IoTest : public ::testing::Test {
 protected:
  void SetUp() override { file_ = create_file(dir_ / "t.h5", false); }
  TempDir dir_;
  H5Id file_;
};

TEST_F(H5IoTest, EveryDtypeRoundTripsInEveryRank) {
  const hid_t f = file_.get();
  std::vector<float> f32 = sample<float>(24);
  f32[0] = std::numeric_limits<float>::quiet_NaN();
  f32[1] = -0.0f;
  f32[2] = std::numeric_limits<float>::infinity();
  f32[3] = std::numeric_limits<float>::denorm_min();
  std::vector<double> f64 = sample<double>(24);
  f64[0] = -std::numeric_limits<double>::infinity();
  f64[1] = std::numeric_limits<double>::max();
  std::vector<std::int64_t> i64 = sample<std::int64_t>(24);
  i64[0] = std::numeric_limits<std::int64_t>::min();
  i64[1] = std::numeric_limits<std::int64_t>::max();
  std::vector<std::uint8_t> u8(24);
  for (std::size_t i = 0; i < u8.size(); ++i) u8[i] = static_cast<std::uint8_t>(255 - 11 * i);

  expect_round_trip(f, "f32_1d", f32, {24});
  expect_round_trip(f, "f32_3d", f32, {2, 3, 4});
  expect_round_trip(f, "f64_2d", f64, {4, 6});
  expect_round_trip(f, "i64_4d", i64, {1, 2, 3, 4});
  expect_round_trip(f, "u8_2d", u8, {24, 1});
  expect_round_trip(f, "f32_scalar", std::vector<float>{2.5f}, {});
  expect_round_trip(f, "i64_scalar", std::vector<std::int64_t>{-7}, {});
  expect_round_trip(f, "f64_empty", std::vector<double>{}, {0});
  expect_round_trip(f, "u8_empty_2d", std::vector<std::uint8_t>{}, {3, 0});
}

TEST_F(H5IoTest, ChunkedCompressedDatasetsRoundTrip) {
  std::vector<double> v(10000, 1.5);
  write_array(file_.get(), view_of("c", v, {100, 100}), DatasetOptions{{10, 100}, {}, 6});
  const Array back = read_array(file_.get(), "c");
  EXPECT_EQ(back.to_vector<double>(), v);
  H5Id d = check_id(H5Dopen2(file_.get(), "c", H5P_DEFAULT), "open");
  EXPECT_LT(H5Dget_storage_size(d.get()), 80000u / 20);  // a constant array compresses > 20x
}

TEST_F(H5IoTest, SlashesMakeGroupsAndListingFindsEveryDataset) {
  const std::vector<float> v = {1, 2};
  write_array(file_.get(), view_of("model/scale0/w", v));
  write_array(file_.get(), view_of("model/b", v));
  write_array(file_.get(), view_of("adam/step", v));
  EXPECT_THAT(list_datasets(file_.get()), ::testing::ElementsAre("adam/step", "model/b", "model/scale0/w"));
  EXPECT_THAT(list_groups(file_.get()), ::testing::ElementsAre("adam", "model"));
  EXPECT_TRUE(link_exists(file_.get(), "model/scale0/w"));
  EXPECT_FALSE(link_exists(file_.get(), "model/scale1/w"));
  EXPECT_EQ(read_array(file_.get(), "model/scale0/w").to_vector<float>(), v);
}

TEST_F(H5IoTest, InvalidNamesAreRejected) {
  const std::vector<float> v = {1};
  for (const char* bad : {"", "/abs", "a//b", "a/", "./x", "a/../b"})
    EXPECT_THROW(write_array(file_.get(), view_of(bad, v)), std::invalid_argument) << bad;
}

TEST_F(H5IoTest, TypedAccessChecksTheDtype) {
  write_array(file_.get(), view_of("x", std::vector<double>{1, 2}));
  const Array a = read_array(file_.get(), "x");
  EXPECT_EQ(a.to_vector<double>(), (std::vector<double>{1, 2}));
  try {
    a.data<float>();
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("'x' holds float64, not float32"));
  }
}

TEST_F(H5IoTest, AttributesRoundTrip) {
  const hid_t f = file_.get();
  const std::string utf8 = "\xce\xa9mega \xe2\x9c\x93 config\n[train]\nlr = 5e-4\n";
  const std::string long_text(100000, 'x');  // beyond the 64 KiB compact-attribute limit
  write_attr_int(f, "min", std::numeric_limits<std::int64_t>::min());
  write_attr_int(f, "max", std::numeric_limits<std::int64_t>::max());
  write_attr_double(f, "pi", 3.141592653589793);
  write_attr_double(f, "tiny", std::numeric_limits<double>::denorm_min());
  write_attr_double(f, "nan", std::numeric_limits<double>::quiet_NaN());
  write_attr_string(f, "empty", "");
  write_attr_string(f, "utf8", utf8);
  write_attr_string(f, "long", long_text);
  write_attr_int(f, "replaced", 1);
  write_attr_int(f, "replaced", 2);

  EXPECT_EQ(read_attr_int(f, "min"), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(read_attr_int(f, "max"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(read_attr_double(f, "pi"), 3.141592653589793);
  EXPECT_EQ(read_attr_double(f, "tiny"), std::numeric_limits<double>::denorm_min());
  EXPECT_TRUE(std::isnan(read_attr_double(f, "nan")));
  EXPECT_EQ(read_attr_string(f, "empty"), "");
  EXPECT_EQ(read_attr_string(f, "utf8"), utf8);
  EXPECT_EQ(read_attr_string(f, "long"), long_text);
  EXPECT_EQ(read_attr_int(f, "replaced"), 2);
  EXPECT_TRUE(has_attr(f, "pi"));
  EXPECT_FALSE(has_attr(f, "e"));
  EXPECT_EQ(attr_kind(f, "max"), AttrKind::Int);
  EXPECT_EQ(attr_kind(f, "pi"), AttrKind::Double);
  EXPECT_EQ(attr_kind(f, "utf8"), AttrKind::String);
  EXPECT_THAT(list_attrs(f), ::testing::ElementsAre("empty", "long", "max", "min", "nan", "pi", "replaced", "tiny", "utf8"));
  EXPECT_THROW(write_attr_string(f, "nul", std::string("a\0b", 3)), std::invalid_argument);

  // The same values after closing and reopening the file.
  close_file(file_);
  H5Id again = open_file(dir_ / "t.h5", FileMode::ReadOnly);
  EXPECT_EQ(read_attr_string(again.get(), "utf8"), utf8);
  EXPECT_EQ(read_attr_int(again.get(), "min"), std::numeric_limits<std::int64_t>::min());
}

TEST_F(H5IoTest, VariableLengthStringAttributesAreReadToo) {
  // Files written by other tools (h5py's default str) use variable-length strings.
  H5Id type = check_id(H5Tcopy(H5T_C_S1), "copy");
  check(H5Tset_size(type.get(), H5T_VARIABLE), "size");
  H5Id space = check_id(H5Screate(H5S_SCALAR), "space");
  H5Id attr = check_id(H5Acreate2(file_.get(), "vlen", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), "attr");
  const char* text = "variable";
  check(H5Awrite(attr.get(), type.get(), &text), "write");
  EXPECT_EQ(read_attr_string(file_.get(), "vlen"), "variable");
}

TEST_F(H5IoTest, WrongAttributeKindNamesTheFile) {
  write_attr_string(file_.get(), "s", "text");
  try {
    read_attr_int(file_.get(), "s");
    FAIL();
  } catch (const H5Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("attribute s"));
    EXPECT_THAT(e.what(), HasSubstr((dir_ / "t.h5").string()));
    EXPECT_THAT(e.what(), HasSubstr("not an integer"));
  }
}

TEST(H5Error, MissingDatasetCarriesTheFileAndHdf5Stack) {
  TempDir dir;
  H5Id f = create_file(dir / "e.h5", false);
  try {
    read_array(f.get(), "nope");
    FAIL();
  } catch (const H5Error& e) {
    EXPECT_THAT(e.context(), HasSubstr("open dataset '/nope' in " + (dir / "e.h5").string()));
    EXPECT_THAT(e.stack(), HasSubstr("H5Dopen2()"));  // walked from HDF5's error stack
    EXPECT_THAT(e.what(), HasSubstr(e.stack()));
  }
  EXPECT_EQ(take_hdf5_error_stack(), "");  // the stack was consumed, not left for the next call
}

TEST(H5Error, NotAnHdf5FileNamesTheFileAndPrintsNothing) {
  TempDir dir;
  hierad::test::write_bytes(dir / "text.h5", std::vector<char>(1000, 'a'));
  ::testing::internal::CaptureStderr();
  try {
    open_file(dir / "text.h5", FileMode::ReadOnly);
    FAIL();
  } catch (const H5Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("open HDF5 file " + (dir / "text.h5").string()));
    EXPECT_THAT(e.stack(), HasSubstr("H5Fopen()"));
  }
  // HDF5's automatic stack dump is silenced: the text lives in the exception only.
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_THROW(open_file(dir / "missing.h5", FileMode::ReadOnly), H5Error);
  EXPECT_THROW(create_file(dir / "text.h5", /*overwrite=*/false), H5Error);  // exists
}

TEST(H5IdTest, OwnershipMovesAndReleaseCloses) {
  H5Id a = check_id(H5Screate(H5S_SCALAR), "space");
  const hid_t raw = a.get();
  EXPECT_GT(H5Iis_valid(raw), 0);
  H5Id b = std::move(a);
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  EXPECT_EQ(b.get(), raw);
  H5Id c;
  c = std::move(b);
  EXPECT_EQ(c.get(), raw);
  EXPECT_GT(H5Iis_valid(raw), 0);
  c.reset();
  EXPECT_LE(H5Iis_valid(raw), 0);  // the last reference went: the dataspace is closed
  EXPECT_FALSE(H5Id(-1).valid());
}

TEST(H5IdTest, DestructorLogsAFailedReleaseInsteadOfThrowing) {
  silence_hdf5_errors();
  const hid_t raw = H5Screate(H5S_SCALAR);
  ASSERT_GE(H5Sclose(raw), 0);  // closed behind the handle's back
  ::testing::internal::CaptureStderr();
  { H5Id stale(raw); }
  EXPECT_THAT(::testing::internal::GetCapturedStderr(), HasSubstr("failed to release HDF5 id"));
}

}  // namespace
}  // namespace hierad::storage

// The plain HDF5 image format: write_hdf5_images round trips in both layouts, files written
// with the HDF5 C API directly (no layout attribute, chunked + compressed, with a user block,
// another image size) read correctly, and bad files name the file and the problem.
#include "src/data/hdf5_images.hpp"

#include "tests/data/data_test_util.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <array>
#include <cstring>

namespace hierad::data {
namespace {

using test::expect_data_error;
using test::PatternSource;
using test::TempDir;

// Writes an uint8 dataset of `dims` filled by f(flat index) with the plain C API.
template <typename F>
void write_raw(const std::filesystem::path& path, const char* name, std::array<hsize_t, 4> dims, F f,
               bool chunked_gzip = false, hsize_t userblock = 0, hid_t type = H5T_STD_U8LE) {
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  if (userblock) H5Pset_userblock(fcpl, userblock);
  hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  hid_t space = H5Screate_simple(4, dims.data(), nullptr);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (chunked_gzip) {
    std::array<hsize_t, 4> chunk = dims;
    chunk[0] = 1;
    H5Pset_chunk(dcpl, 4, chunk.data());
    H5Pset_deflate(dcpl, 4);
  }
  hid_t dset = H5Dcreate2(file, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  ASSERT_GE(dset, 0);
  const hsize_t n = dims[0] * dims[1] * dims[2] * dims[3];
  std::vector<std::uint8_t> data(n);
  for (hsize_t i = 0; i < n; ++i) data[i] = f(static_cast<std::int64_t>(i));
  EXPECT_GE(H5Dwrite(dset, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), 0);
  H5Dclose(dset);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Fclose(file);
  H5Pclose(fcpl);
}

void expect_same_images(const Source& a, const Source& b) {
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.shape(), b.shape());
  for (std::int64_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(test::read_image(a, i), test::read_image(b, i)) << "image " << i;
    ASSERT_EQ(a.label(i), b.label(i)) << "label " << i;
  }
}

class Hdf5Layout : public ::testing::TestWithParam<ImageLayout> {};

TEST_P(Hdf5Layout, WriteThenReadGivesTheSameImagesAndLabels) {
  TempDir dir;
  PatternSource src(37, {3, 32, 32}, 10);
  const auto path = dir / "set.h5";
  std::int64_t last_progress = 0;
  write_hdf5_images(src, path, "images", GetParam(), [&](std::int64_t done, std::int64_t total) {
    EXPECT_EQ(total, 37);
    last_progress = done;
  });
  EXPECT_EQ(last_progress, 37);
  EXPECT_FALSE(std::filesystem::exists(dir / "set.h5.tmp"));

  Hdf5ImageSource back(path, "images");
  EXPECT_EQ(back.layout(), GetParam());
  EXPECT_TRUE(back.reads_directly());  // contiguous: pread, no HDF5 call per image
  expect_same_images(src, back);
  std::vector<std::uint8_t> many(static_cast<std::size_t>(5 * 3072));
  back.read_many(30, 5, many.data());
  for (int i = 0; i < 5; ++i) {
    const auto one = src.image(30 + i);
    ASSERT_TRUE(std::equal(one.begin(), one.end(), many.begin() + i * 3072));
  }

  // The bytes on disk follow the documented layout: element (i, c, y, x) or (i, y, x, c).
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t dset = H5Dopen2(file, "images", H5P_DEFAULT);
  std::vector<std::uint8_t> raw(37 * 3072);
  ASSERT_GE(H5Dread(dset, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), 0);
  H5Dclose(dset);
  H5Fclose(file);
  const int i = 11, c = 2, y = 5, x = 29;
  const std::size_t flat = GetParam() == ImageLayout::nchw ? static_cast<std::size_t>(i * 3072 + c * 1024 + y * 32 + x)
                                                           : static_cast<std::size_t>(i * 3072 + (y * 32 + x) * 3 + c);
  EXPECT_EQ(raw[flat], test::pattern_byte(i, c * 1024 + y * 32 + x));
}

INSTANTIATE_TEST_SUITE_P(Layouts, Hdf5Layout, ::testing::Values(ImageLayout::nchw, ImageLayout::nhwc));

TEST(Hdf5Images, SourcesWithoutLabelsWriteNoLabelDataset) {
  TempDir dir;
  PatternSource src(4, {1, 32, 32}, 0);
  write_hdf5_images(src, dir / "grey.h5", "group/images", ImageLayout::nchw);
  Hdf5ImageSource back(dir / "grey.h5", "group/images");
  EXPECT_EQ(back.shape(), (Shape{1, 32, 32}));
  expect_same_images(src, back);
}

TEST(Hdf5Images, LayoutIsInferredWithoutTheAttribute) {
  TempDir dir;
  // NHWC: value of (i, y, x, c) = pattern_byte(i, c*1024 + y*32 + x), i.e. image i in CHW order.
  write_raw(dir / "nhwc.h5", "x", {6, 32, 32, 3}, [](std::int64_t f) {
    const std::int64_t i = f / 3072, r = f % 3072, c = r % 3, p = r / 3;
    return test::pattern_byte(i, c * 1024 + p);
  });
  Hdf5ImageSource nhwc(dir / "nhwc.h5", "x");
  EXPECT_EQ(nhwc.layout(), ImageLayout::nhwc);
  EXPECT_TRUE(nhwc.reads_directly());
  expect_same_images(PatternSource(6, {3, 32, 32}, 0), nhwc);

  write_raw(dir / "nchw.h5", "x", {6, 3, 32, 32}, [](std::int64_t f) { return test::pattern_byte(f / 3072, f % 3072); });
  Hdf5ImageSource nchw(dir / "nchw.h5", "x");
  EXPECT_EQ(nchw.layout(), ImageLayout::nchw);
  expect_same_images(PatternSource(6, {3, 32, 32}, 0), nchw);
}

// Adds a string attribute `layout` = value to dataset `name`, the way h5py writes one (UTF-8,
// variable-length for a Python str) or as a fixed-length string.
void add_layout_attribute(const std::filesystem::path& path, const char* name, const char* value, bool variable) {
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t dset = H5Dopen2(file, name, H5P_DEFAULT);
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, variable ? H5T_VARIABLE : std::strlen(value));
  H5Tset_cset(type, H5T_CSET_UTF8);
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr = H5Acreate2(dset, "layout", type, space, H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(variable ? H5Awrite(attr, type, &value) : H5Awrite(attr, type, value), 0);
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  H5Dclose(dset);
  H5Fclose(file);
}

TEST(Hdf5Images, Utf8LayoutAttributesAsH5pyWritesThemAreRead) {
  TempDir dir;
  // h5py stores a Python str as a variable-length UTF-8 string; HDF5 does not convert UTF-8 to an
  // ASCII memory type ("can't find datatype conversion path"), so the reader must ask for the
  // file's character set.
  for (bool variable : {true, false}) {
    const auto file = dir / (variable ? "vlen.h5" : "fixed.h5");
    write_raw(file, "x", {6, 32, 32, 3}, [](std::int64_t f) {
      const std::int64_t i = f / 3072, r = f % 3072, c = r % 3, p = r / 3;
      return test::pattern_byte(i, c * 1024 + p);
    });
    add_layout_attribute(file, "x", "NHWC", variable);
    Hdf5ImageSource source(file, "x");
    EXPECT_EQ(source.layout(), ImageLayout::nhwc);
    expect_same_images(PatternSource(6, {3, 32, 32}, 0), source);
  }
  // The attribute wins over the shape: the same bytes declared NCHW are read as NCHW.
  write_raw(dir / "declared.h5", "x", {2, 3, 32, 32}, [](std::int64_t f) { return test::pattern_byte(f / 3072, f % 3072); });
  add_layout_attribute(dir / "declared.h5", "x", "NCHW", true);
  EXPECT_EQ(Hdf5ImageSource(dir / "declared.h5", "x").layout(), ImageLayout::nchw);
}

TEST(Hdf5Images, ChunkedCompressedDatasetsAreReadIntoMemory) {
  TempDir dir;
  write_raw(dir / "gz.h5", "x", {5, 3, 32, 32}, [](std::int64_t f) { return test::pattern_byte(f / 3072, f % 3072); },
            /*chunked_gzip=*/true);
  Hdf5ImageSource src(dir / "gz.h5", "x");
  EXPECT_FALSE(src.reads_directly());
  expect_same_images(PatternSource(5, {3, 32, 32}, 0), src);
}

TEST(Hdf5Images, UserBlockOffsetIsHonoured) {
  TempDir dir;
  write_raw(dir / "ub.h5", "x", {4, 3, 32, 32}, [](std::int64_t f) { return test::pattern_byte(f / 3072, f % 3072); },
            false, /*userblock=*/1024);
  Hdf5ImageSource src(dir / "ub.h5", "x");
  EXPECT_TRUE(src.reads_directly());
  expect_same_images(PatternSource(4, {3, 32, 32}, 0), src);
}

TEST(Hdf5Images, OtherSizesAreResizedToThirtyTwo) {
  TempDir dir;
  // 64x64 NHWC, image i constant (10*i, 20*i, 30*i): stays constant after resizing.
  write_raw(dir / "big.h5", "x", {3, 64, 64, 3}, [](std::int64_t f) {
    const std::int64_t i = f / (64 * 64 * 3), c = f % 3;
    return static_cast<std::uint8_t>((c + 1) * 10 * i);
  });
  Hdf5ImageSource src(dir / "big.h5", "x");
  EXPECT_EQ(src.stored_shape(), (Shape{3, 64, 64}));
  EXPECT_EQ(src.shape(), (Shape{3, 32, 32}));
  for (int i = 0; i < 3; ++i) {
    const auto img = test::read_image(src, i);
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 1024; ++p) ASSERT_EQ(img[static_cast<std::size_t>(c * 1024 + p)], (c + 1) * 10 * i);
  }
}

TEST(Hdf5Images, BadInputNamesTheFile) {
  TempDir dir;
  expect_data_error([&] { Hdf5ImageSource s(dir / "none.h5", "images"); }, dir / "none.h5", "does not exist");
  test::write_text(dir / "text.h5", "not hdf5");
  expect_data_error([&] { Hdf5ImageSource s(dir / "text.h5", "images"); }, dir / "text.h5", "is not an HDF5 file");

  PatternSource src(3, {3, 32, 32});
  write_hdf5_images(src, dir / "ok.h5", "images", ImageLayout::nchw);
  expect_data_error([&] { Hdf5ImageSource s(dir / "ok.h5", "pixels"); }, dir / "ok.h5", "has no dataset 'pixels'");

  write_raw(dir / "ambiguous.h5", "x", {2, 3, 8, 3}, [](std::int64_t) { return 0; });
  expect_data_error([&] { Hdf5ImageSource s(dir / "ambiguous.h5", "x"); }, dir / "ambiguous.h5",
                    "cannot tell NCHW from NHWC");
  write_raw(dir / "signed.h5", "x", {2, 3, 32, 32}, [](std::int64_t) { return 0; }, false, 0, H5T_STD_I8LE);
  expect_data_error([&] { Hdf5ImageSource s(dir / "signed.h5", "x"); }, dir / "signed.h5",
                    "is not unsigned 8-bit integers");
  write_raw(dir / "four.h5", "x", {2, 4, 32, 32}, [](std::int64_t) { return 0; });
  expect_data_error([&] { Hdf5ImageSource s(dir / "four.h5", "x"); }, dir / "four.h5", "cannot tell NCHW from NHWC");
}

TEST(Hdf5Images, AFailedConversionLeavesNoFileBehind) {
  TempDir dir;
  PatternSource src(10, {3, 32, 32});
  src.fail_at(7);
  EXPECT_THROW(write_hdf5_images(src, dir / "out.h5", "images", ImageLayout::nchw), DataError);
  EXPECT_FALSE(std::filesystem::exists(dir / "out.h5"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out.h5.tmp"));
  expect_data_error([&] { write_hdf5_images(src, dir / "no/such/folder/out.h5", "images", ImageLayout::nchw); },
                    dir / "no/such/folder/out.h5.tmp", "cannot create file");
}

}  // namespace
}  // namespace hierad::data

// SVHN .mat files written at test time with libmatio's own writer, in SVHN's layout:
// X 32x32x3xN uint8, y Nx1 double with 10 standing for the digit 0.
#include "src/data/svhn.hpp"

#include "tests/data/data_test_util.hpp"

#include <gtest/gtest.h>
#include <matio.h>

namespace hierad::data {
namespace {

using test::expect_data_error;
using test::TempDir;

struct MatVar {
  std::string name;
  matio_classes cls;
  matio_types type;
  std::vector<std::size_t> dims;
  void* data;
};

void write_mat(const std::filesystem::path& path, const std::vector<MatVar>& vars, matio_compression compression) {
  mat_t* mat = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
  ASSERT_NE(mat, nullptr);
  for (const auto& v : vars) {
    std::vector<std::size_t> dims = v.dims;
    matvar_t* var = Mat_VarCreate(v.name.c_str(), v.cls, v.type, static_cast<int>(dims.size()), dims.data(), v.data,
                                  MAT_F_DONT_COPY_DATA);
    ASSERT_NE(var, nullptr);
    ASSERT_EQ(Mat_VarWrite(mat, var, compression), 0);
    Mat_VarFree(var);
  }
  Mat_Close(mat);
}

// X(row, col, c, i) = pattern_byte(i, row + 32*col + 1024*c), stored column-major as MATLAB does.
std::vector<std::uint8_t> svhn_x(std::size_t n) {
  std::vector<std::uint8_t> x(n * 3072);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < 3072; ++k) x[i * 3072 + k] = test::pattern_byte(static_cast<std::int64_t>(i), static_cast<std::int64_t>(k));
  return x;
}

class SvhnFormat : public ::testing::TestWithParam<matio_compression> {};

TEST_P(SvhnFormat, ReadsXAsImagesAndMapsLabelTenToZero) {
  TempDir dir;
  const std::size_t n = 12;
  auto x = svhn_x(n);
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<double>(i % 10 + 1);  // 1..10
  write_mat(dir / "train_32x32.mat",
            {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, n}, x.data()}, {"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {n, 1}, y.data()}},
            GetParam());

  SvhnSource src(svhn_split_file(dir.path(), "train"));
  ASSERT_EQ(src.size(), static_cast<std::int64_t>(n));
  EXPECT_EQ(src.shape(), (Shape{3, 32, 32}));
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(src.label(static_cast<std::int64_t>(i)), static_cast<int>(i % 10 + 1) % 10);
    const auto img = test::read_image(src, static_cast<std::int64_t>(i));
    for (int c = 0; c < 3; ++c)
      for (int row = 0; row < 32; ++row)
        for (int col = 0; col < 32; ++col)
          ASSERT_EQ(img[static_cast<std::size_t>(c * 1024 + row * 32 + col)],
                    test::pattern_byte(static_cast<std::int64_t>(i), row + 32 * col + 1024 * c));
  }
  EXPECT_EQ(src.label(9), 0);  // y = 10
}

INSTANTIATE_TEST_SUITE_P(Compression, SvhnFormat, ::testing::Values(MAT_COMPRESSION_NONE, MAT_COMPRESSION_ZLIB));

TEST(Svhn, BadInputNamesTheFile) {
  TempDir dir;
  const std::size_t n = 3;
  auto x = svhn_x(n);
  std::vector<double> y = {1, 2, 3};

  expect_data_error([&] { SvhnSource s(dir / "test_32x32.mat"); }, dir / "test_32x32.mat", "does not exist");

  test::write_bytes(dir / "junk.mat", std::vector<std::uint8_t>(500, 7));
  // Without a v5 header matio would try its Level 4 reader (fuzz finding 14): refused before.
  expect_data_error([&] { SvhnSource s(dir / "junk.mat"); }, dir / "junk.mat", "not a MATLAB 5 or 7.3 MAT-file");
  test::write_bytes(dir / "short.mat", std::vector<std::uint8_t>(100, 7));
  expect_data_error([&] { SvhnSource s(dir / "short.mat"); }, dir / "short.mat", "too short for a MAT-file header");

  write_mat(dir / "no_y.mat", {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, n}, x.data()}}, MAT_COMPRESSION_NONE);
  expect_data_error([&] { SvhnSource s(dir / "no_y.mat"); }, dir / "no_y.mat", "has no variable y");

  write_mat(dir / "no_x.mat", {{"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {n, 1}, y.data()}}, MAT_COMPRESSION_NONE);
  expect_data_error([&] { SvhnSource s(dir / "no_x.mat"); }, dir / "no_x.mat", "has no variable X");

  write_mat(dir / "flat.mat",
            {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 96, n}, x.data()}, {"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {n, 1}, y.data()}},
            MAT_COMPRESSION_NONE);
  expect_data_error([&] { SvhnSource s(dir / "flat.mat"); }, dir / "flat.mat", "variable X is 32x96x3");

  std::vector<double> short_y = {1, 2};
  write_mat(dir / "short_y.mat",
            {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, n}, x.data()}, {"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {2, 1}, short_y.data()}},
            MAT_COMPRESSION_NONE);
  expect_data_error([&] { SvhnSource s(dir / "short_y.mat"); }, dir / "short_y.mat", "variable y is 2x1");

  std::vector<double> bad_y = {1, 11, 3};
  write_mat(dir / "bad_y.mat",
            {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, n}, x.data()}, {"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {n, 1}, bad_y.data()}},
            MAT_COMPRESSION_NONE);
  expect_data_error([&] { SvhnSource s(dir / "bad_y.mat"); }, dir / "bad_y.mat", "y(2) = 11");

  expect_data_error([&] { svhn_split_file(dir.path(), "validation"); }, dir.path(), "unknown split");
}

}  // namespace
}  // namespace hierad::data

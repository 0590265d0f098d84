// The .npy header parser and the NumPy source on hand-made .npy bytes (numpy's own files are
// tested by numpy_sources.sh, which needs python3-numpy).
#include "src/data/npy_header.hpp"
#include "src/data/numpy_source.hpp"

#include "tests/data/data_test_util.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hierad::data {
namespace {

using test::expect_data_error;

// A version-1.0 .npy of `dict` (padded as numpy pads it) followed by `data`.
std::vector<std::uint8_t> npy_bytes(const std::string& dict, const std::vector<std::uint8_t>& data, int major = 1) {
  std::string header = dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::vector<std::uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<std::uint8_t>(major), 0};
  const std::size_t n = header.size();
  out.push_back(static_cast<std::uint8_t>(n & 0xff));
  out.push_back(static_cast<std::uint8_t>(n >> 8));
  if (major != 1) {
    out.push_back(0);
    out.push_back(0);
  }
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

TEST(NpyHeader, ReadsTheDictNumpyWrites) {
  const auto bytes = npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (5, 32, 32, 3), }", {}, 2);
  const NpyHeader h = parse_npy_header(bytes.data(), bytes.size(), "a.npy");
  EXPECT_EQ(h.descr, "|u1");
  EXPECT_FALSE(h.fortran_order);
  EXPECT_EQ(h.shape, (std::vector<std::int64_t>{5, 32, 32, 3}));
  EXPECT_EQ(h.data_offset % 64, 0);  // numpy pads the header to a multiple of 64
  EXPECT_EQ(h.data_offset, 128);
  EXPECT_EQ(h.elements(), 5 * 32 * 32 * 3);
  const auto one = npy_bytes("{\"shape\": (7,), \"fortran_order\": True, \"descr\": \"<i8\"}", {});
  const NpyHeader g = parse_npy_header(one.data(), one.size(), "b.npy");
  EXPECT_EQ(g.shape, (std::vector<std::int64_t>{7}));
  EXPECT_TRUE(g.fortran_order);
  const NpyType t = npy_type(g.descr, "b.npy");
  EXPECT_EQ(t.kind, 'i');
  EXPECT_EQ(t.item_size, 8);
  EXPECT_FALSE(t.big_endian);
  EXPECT_TRUE(npy_type(">u4", "c.npy").big_endian);
}

TEST(NpyHeader, BadHeadersNameTheFile) {
  const std::vector<std::uint8_t> junk = {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0};
  expect_data_error([&] { parse_npy_header(junk.data(), junk.size(), "x.npy"); }, "x.npy", "no \\x93NUMPY magic");
  const auto structured = npy_bytes("{'descr': [('a', '<u1')], 'fortran_order': False, 'shape': (1,), }", {});
  expect_data_error([&] { parse_npy_header(structured.data(), structured.size(), "s.npy"); }, "s.npy",
                    "structured dtype");
  const auto missing = npy_bytes("{'descr': '|u1', 'shape': (1,), }", {});
  expect_data_error([&] { parse_npy_header(missing.data(), missing.size(), "m.npy"); }, "m.npy", "needs 'descr'");
  const auto full = npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }", {});
  expect_data_error([&] { parse_npy_header(full.data(), 30, "t.npy"); }, "t.npy", "truncated .npy header");
  expect_data_error([] { npy_type("|O", "o.npy"); }, "o.npy", "dtype '|O'");
}

TEST(NumpySource, HwcIsTransposedToChwAndPlanesAreKept) {
  test::TempDir dir;
  std::vector<std::uint8_t> pixels(2 * 3072);
  for (std::size_t k = 0; k < pixels.size(); ++k) pixels[k] = test::pattern_byte(0, static_cast<std::int64_t>(k));
  test::write_bytes(dir / "hwc.npy", npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 32, 32, 3), }", pixels));
  test::write_bytes(dir / "planes.npy", npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3072), }", pixels));
  const NumpySource hwc(NumpyKind::npy, dir / "hwc.npy");
  const NumpySource planes(NumpyKind::npy, dir / "planes.npy");
  ASSERT_EQ(hwc.size(), 2);
  EXPECT_EQ(hwc.shape(), (Shape{3, 32, 32}));
  EXPECT_EQ(hwc.label(1), -1);
  const auto image = test::read_image(hwc, 1);
  for (std::size_t c = 0; c < 3; ++c)
    for (std::size_t p = 0; p < 1024; ++p) ASSERT_EQ(image[c * 1024 + p], pixels[3072 + p * 3 + c]);
  EXPECT_EQ(test::read_image(planes, 1), std::vector<std::uint8_t>(pixels.begin() + 3072, pixels.end()));
  expect_data_error([&] { test::read_image(hwc, 2); }, "npy:" + (dir / "hwc.npy").string(), "image 2 requested");
}

TEST(NumpySource, FoldersAreReadInNaturalOrderAsOneSet) {
  test::TempDir dir;
  for (int i : {10, 2, 1}) {
    const std::vector<std::uint8_t> grey(1024, static_cast<std::uint8_t>(i));
    test::write_bytes(dir / ("batch_" + std::to_string(i) + ".npy"),
                      npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 32, 32), }", grey));
  }
  test::write_text(dir / "notes.txt", "ignored");
  const NumpySource all(NumpyKind::npy, dir.path());
  ASSERT_EQ(all.size(), 3);
  EXPECT_EQ(all.shape(), (Shape{1, 32, 32}));
  EXPECT_EQ(test::read_image(all, 0).front(), 1);
  EXPECT_EQ(test::read_image(all, 1).front(), 2);
  EXPECT_EQ(test::read_image(all, 2).front(), 10);
  test::TempDir empty;
  expect_data_error([&] { NumpySource s(NumpyKind::npz, empty.path()); }, empty.path(), "holds no .npz file");
}

}  // namespace
}  // namespace hierad::data

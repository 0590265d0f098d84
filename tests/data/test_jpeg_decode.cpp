// JPEG decoding through libjpeg-turbo (src/data/jpeg_decode.hpp). Files are encoded here with
// libjpeg itself (grey, RGB, CMYK, progressive) and with stb_image_write (what users' tools and
// the fuzz seeds write), then damaged the ways hostile or broken files are.
#include "src/data/jpeg_decode.hpp"

#include "src/data/file_io.hpp"
#include "src/data/image_folder.hpp"

#include "tests/data/data_test_util.hpp"

#include <gtest/gtest.h>
#include <stb_image_write.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <jpeglib.h>

namespace hierad::data {
namespace {

using test::TempDir;

struct Encoding {
  J_COLOR_SPACE space = JCS_RGB;
  int components = 3;
  bool progressive = false;
  int quality = 95;
};

// pixels: interleaved (H, W, components). libjpeg's default error handler exits on failure, which
// is what a test helper wants.
std::vector<std::uint8_t> encode(int w, int h, const std::vector<std::uint8_t>& pixels, Encoding e) {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr err{};
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = static_cast<JDIMENSION>(w);
  cinfo.image_height = static_cast<JDIMENSION>(h);
  cinfo.input_components = e.components;
  cinfo.in_color_space = e.space;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, e.quality, TRUE);
  if (e.progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  const std::size_t stride = static_cast<std::size_t>(w * e.components);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<std::uint8_t*>(pixels.data()) + stride * cinfo.next_scanline;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::vector<std::uint8_t> bytes(buffer, buffer + size);
  std::free(buffer);
  return bytes;
}

std::vector<std::uint8_t> constant(int w, int h, std::vector<std::uint8_t> value) {
  std::vector<std::uint8_t> out;
  for (int p = 0; p < w * h; ++p) out.insert(out.end(), value.begin(), value.end());
  return out;
}

// Every pixel of every channel within `tolerance` levels of expected[channel].
void expect_constant(const DecodedImage& image, const std::vector<int>& expected, int tolerance) {
  ASSERT_EQ(image.channels, static_cast<int>(expected.size()));
  ASSERT_EQ(image.pixels.size(), static_cast<std::size_t>(image.width * image.height * image.channels));
  for (std::size_t i = 0; i < image.pixels.size(); ++i)
    ASSERT_LE(std::abs(image.pixels[i] - expected[i % expected.size()]), tolerance) << "byte " << i;
}

std::string decoded(const std::vector<std::uint8_t>& bytes, DecodedImage* image, bool header_only = false) {
  return decode_jpeg(bytes.data(), bytes.size(), image, header_only);
}

TEST(JpegDecode, RgbGreyAndProgressiveFilesDecodeToTheirColours) {
  DecodedImage image;
  ASSERT_EQ(decoded(encode(24, 16, constant(24, 16, {30, 60, 220}), {}), &image), "");
  EXPECT_EQ(image.width, 24);
  EXPECT_EQ(image.height, 16);
  expect_constant(image, {30, 60, 220}, 4);

  ASSERT_EQ(decoded(encode(24, 16, constant(24, 16, {90}), {JCS_GRAYSCALE, 1}), &image), "");
  expect_constant(image, {90}, 1);

  Encoding progressive;
  progressive.progressive = true;
  ASSERT_EQ(decoded(encode(40, 40, constant(40, 40, {200, 120, 10}), progressive), &image), "");
  expect_constant(image, {200, 120, 10}, 4);
}

TEST(JpegDecode, StbWrittenFilesDecodeAsBefore) {
  // What stb_image_write (and the fuzz seeds) write: baseline YCbCr, 2x2 chroma subsampling at
  // quality <= 90.
  TempDir dir;
  const std::vector<std::uint8_t> rgb = constant(40, 40, {30, 60, 220});
  ASSERT_NE(stbi_write_jpg((dir / "a.jpg").c_str(), 40, 40, 3, rgb.data(), 80), 0);
  DecodedImage image;
  ASSERT_EQ(decoded(read_whole_file(dir / "a.jpg"), &image), "");
  expect_constant(image, {30, 60, 220}, 4);
}

TEST(JpegDecode, AdobeCmykBecomesRgb) {
  // libjpeg writes an Adobe marker with CMYK, and Adobe CMYK is stored inverted (255 = no ink):
  // R = C * K / 255 on the stored values.
  DecodedImage image;
  ASSERT_EQ(decoded(encode(16, 16, constant(16, 16, {200, 100, 50, 255}), {JCS_CMYK, 4}), &image), "");
  expect_constant(image, {200, 100, 50}, 3);
  ASSERT_EQ(decoded(encode(16, 16, constant(16, 16, {200, 100, 50, 128}), {JCS_CMYK, 4}), &image), "");
  expect_constant(image, {100, 50, 25}, 3);
}

TEST(JpegDecode, HeaderOnlyReadsTheShapeWithoutPixels) {
  DecodedImage image;
  ASSERT_EQ(decoded(encode(24, 16, constant(24, 16, {90}), {JCS_GRAYSCALE, 1}), &image, true), "");
  EXPECT_EQ(image.width, 24);
  EXPECT_EQ(image.height, 16);
  EXPECT_EQ(image.channels, 1);
  EXPECT_TRUE(image.pixels.empty());
}

TEST(JpegDecode, ATruncatedFileIsRefused) {
  // libjpeg alone would pad the missing rows grey and only warn.
  std::vector<std::uint8_t> bytes = encode(64, 64, constant(64, 64, {30, 60, 220}), {});
  bytes.resize(bytes.size() * 2 / 3);
  DecodedImage image;
  EXPECT_NE(decoded(bytes, &image).find("truncated"), std::string::npos);
  EXPECT_TRUE(image.pixels.empty());
}

TEST(JpegDecode, NotAJpegAndGarbageAfterTheSignatureAreErrorsNotCrashes) {
  DecodedImage image;
  const std::vector<std::uint8_t> garbage = {0xFF, 0xD8, 0xFF, 0x00, 0x01, 0x02};
  EXPECT_EQ(decoded(garbage, &image).rfind("JPEG: ", 0), 0u);
  const std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G'};
  EXPECT_EQ(decoded(png, &image).rfind("JPEG: ", 0), 0u);
}

// The offset of the frame header's height field (SOF0..SOF2: FF C0/C1/C2, length, precision).
std::size_t sof_height_offset(const std::vector<std::uint8_t>& bytes) {
  for (std::size_t at = 2; at + 9 < bytes.size(); ++at)
    if (bytes[at] == 0xFF && bytes[at + 1] >= 0xC0 && bytes[at + 1] <= 0xC2) return at + 5;
  ADD_FAILURE() << "no SOF marker";
  return 0;
}

TEST(JpegDecode, MorePixelsThanTheBytesCanEncodeAreRefusedBeforeDecoding) {
  std::vector<std::uint8_t> bytes = encode(16, 16, constant(16, 16, {90}), {JCS_GRAYSCALE, 1});
  const std::size_t at = sof_height_offset(bytes);
  bytes[at] = 0xFF;  // height 65296
  bytes[at + 1] = 0x10;
  bytes[at + 2] = 0x00;  // width 241
  bytes[at + 3] = 0xF1;
  DecodedImage image;
  EXPECT_NE(decoded(bytes, &image).find("241x65296 pixels cannot be encoded in"), std::string::npos);
}

TEST(JpegDecode, AFileThatRepeatsItsScansEndlesslyIsStopped) {
  // A progressive file with its last scan (SOS to EOI) repeated: libjpeg warns about the bogus
  // progression and would keep decoding; the scan limit stops it.
  Encoding progressive;
  progressive.progressive = true;
  const std::vector<std::uint8_t> bytes = encode(16, 16, constant(16, 16, {90, 20, 200}), progressive);
  std::size_t last_sos = 0;
  for (std::size_t at = 0; at + 1 < bytes.size(); ++at)
    if (bytes[at] == 0xFF && bytes[at + 1] == 0xDA) last_sos = at;
  ASSERT_GT(last_sos, 0u);
  const std::vector<std::uint8_t> scan(bytes.begin() + static_cast<std::ptrdiff_t>(last_sos), bytes.end() - 2);
  std::vector<std::uint8_t> looped(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(last_sos));
  for (int k = 0; k < kMaxJpegScans + 10; ++k) looped.insert(looped.end(), scan.begin(), scan.end());
  looped.push_back(0xFF);
  looped.push_back(0xD9);
  DecodedImage image;
  EXPECT_NE(decoded(looped, &image).find("progressive scans"), std::string::npos);
  // The same file with a normal number of repeats still decodes (the limit is not the refusal).
  std::vector<std::uint8_t> twice(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(last_sos));
  for (int k = 0; k < 2; ++k) twice.insert(twice.end(), scan.begin(), scan.end());
  twice.push_back(0xFF);
  twice.push_back(0xD9);
  EXPECT_EQ(decoded(twice, &image), "");
}

TEST(JpegDecode, AFolderOfGreyJpegsIsGreyAndATruncatedOneNamesItsFile) {
  TempDir dir;
  test::write_bytes(dir / "a.jpg", encode(32, 32, constant(32, 32, {90}), {JCS_GRAYSCALE, 1}));
  ImageFolderOptions as_stored;
  as_stored.channels = 0;  // as the first file: the header-only read says grey
  const ImageFolderSource grey(dir.path(), as_stored);
  EXPECT_EQ(grey.shape().channels, 1);
  for (std::uint8_t v : test::read_image(grey, 0)) ASSERT_LE(std::abs(v - 90), 1);

  std::vector<std::uint8_t> cut = encode(64, 64, constant(64, 64, {30, 60, 220}), {});
  cut.resize(cut.size() / 2);
  test::write_bytes(dir / "b.jpg", cut);
  test::expect_data_error([&] { ImageFolderSource s(dir.path(), as_stored); }, dir / "b.jpg", "truncated");
}

}  // namespace
}  // namespace hierad::data

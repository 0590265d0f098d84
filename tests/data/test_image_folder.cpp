// A folder of PNG/JPEG files (written with stb_image_write at test time) plus one broken file.
#include "src/data/image_folder.hpp"

#include "src/data/channels.hpp"
#include "src/data/file_io.hpp"

#include "tests/data/data_test_util.hpp"

#include <gtest/gtest.h>
#include <stb_image_write.h>

#include <array>
#include <cstdlib>

namespace hierad::data {
namespace {

using test::expect_data_error;
using test::TempDir;

// An RGB image of w x h whose every pixel is (r, g, b), except for the given left/right margins.
std::vector<std::uint8_t> rgb_image(int w, int h, std::array<std::uint8_t, 3> fill, int margin = 0,
                                    std::array<std::uint8_t, 3> margin_fill = {0, 0, 0}) {
  std::vector<std::uint8_t> img(static_cast<std::size_t>(w * h * 3));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        img[static_cast<std::size_t>((y * w + x) * 3 + c)] =
            (x < margin || x >= w - margin) ? margin_fill[static_cast<std::size_t>(c)] : fill[static_cast<std::size_t>(c)];
  return img;
}

void write_png(const std::filesystem::path& p, int w, int h, int comp, const std::vector<std::uint8_t>& data) {
  std::filesystem::create_directories(p.parent_path());
  ASSERT_NE(stbi_write_png(p.c_str(), w, h, comp, data.data(), w * comp), 0) << p;
}

// Folder: a/exact.png (32x32 pattern), a/wide.png (64x48: green centre, red 8-px side margins),
// b/grey.png (16x16 grey level 90), c.JPG (40x40 constant), broken.png (not an image), notes.txt.
struct Fixture {
  TempDir dir;
  std::vector<std::uint8_t> exact;
  Fixture() {
    for (int k = 0; k < 32 * 32 * 3; ++k) exact.push_back(test::pattern_byte(0, k));
    write_png(dir / "a/exact.png", 32, 32, 3, exact);
    write_png(dir / "a/wide.png", 64, 48, 3, rgb_image(64, 48, {0, 200, 0}, 8, {255, 0, 0}));
    write_png(dir / "b/grey.png", 16, 16, 1, std::vector<std::uint8_t>(256, 90));
    const auto jpg = rgb_image(40, 40, {30, 60, 220});
    EXPECT_NE(stbi_write_jpg((dir / "c.JPG").c_str(), 40, 40, 3, jpg.data(), 95), 0);
    test::write_text(dir / "broken.png", "this is not a PNG file");
    test::write_text(dir / "notes.txt", "ignored: not an image extension");
  }
};

TEST(ImageFolder, DecodesResizesAndSkipsTheBrokenFileWhenAskedTo) {
  Fixture f;
  ImageFolderOptions o;
  o.on_bad_image = config::OnBadImage::skip;
  o.threads = 2;
  ImageFolderSource src(f.dir.path(), o);
  ASSERT_EQ(src.size(), 4);
  ASSERT_EQ(src.skipped().size(), 1u);
  EXPECT_EQ(src.skipped()[0].path, f.dir / "broken.png");
  EXPECT_NE(src.skipped()[0].reason.find("not a PNG or JPEG file"), std::string::npos);
  EXPECT_EQ(src.shape(), (Shape{3, 32, 32}));
  EXPECT_EQ(src.label(0), -1);
  // Sorted path order: a/exact.png, a/wide.png, b/grey.png, c.JPG.
  EXPECT_EQ(src.file(0), f.dir / "a/exact.png");
  EXPECT_EQ(src.file(1), f.dir / "a/wide.png");
  EXPECT_EQ(src.file(2), f.dir / "b/grey.png");
  EXPECT_EQ(src.file(3), f.dir / "c.JPG");

  // A 32x32 PNG is lossless and needs no resizing: interleaved RGB in, planes out.
  const auto exact = test::read_image(src, 0);
  for (int p = 0; p < 1024; ++p)
    for (int c = 0; c < 3; ++c)
      ASSERT_EQ(exact[static_cast<std::size_t>(c * 1024 + p)], f.exact[static_cast<std::size_t>(p * 3 + c)]);

  // 64x48: the centred 48x48 square drops the 8-px red margins, leaving pure green.
  const auto wide = test::read_image(src, 1);
  for (int p = 0; p < 1024; ++p) {
    ASSERT_EQ(wide[static_cast<std::size_t>(p)], 0) << p;
    ASSERT_EQ(wide[static_cast<std::size_t>(1024 + p)], 200) << p;
    ASSERT_EQ(wide[static_cast<std::size_t>(2048 + p)], 0) << p;
  }
  // A grey file becomes three equal planes; a constant image stays constant when enlarged.
  const auto grey = test::read_image(src, 2);
  for (auto v : grey) ASSERT_EQ(v, 90);
  // JPEG is lossy: within a few levels of the colour written.
  const auto jpg = test::read_image(src, 3);
  const int colour[3] = {30, 60, 220};
  for (int c = 0; c < 3; ++c)
    for (int p = 0; p < 1024; ++p) ASSERT_LE(std::abs(jpg[static_cast<std::size_t>(c * 1024 + p)] - colour[c]), 4);
}

TEST(ImageFolder, OneChannelOutputReadsGreyFilesAsStored) {
  Fixture f;
  ImageFolderOptions o;
  o.on_bad_image = config::OnBadImage::skip;
  o.channels = 1;
  ImageFolderSource src(f.dir.path(), o);
  EXPECT_EQ(src.shape(), (Shape{1, 32, 32}));
  EXPECT_EQ(test::read_image(src, 2).front(), 90);
  // Colour files with the authors' weights (channels.hpp), not stb's own: the 32x32 PNG needs no
  // resizing, so every pixel is grey_of_rgb of the pixel written.
  const auto exact = test::read_image(src, 0);
  for (std::size_t p = 0; p < 1024; ++p)
    ASSERT_EQ(exact[p], grey_of_rgb(f.exact[p * 3], f.exact[p * 3 + 1], f.exact[p * 3 + 2])) << p;
  for (auto v : test::read_image(src, 1)) ASSERT_EQ(v, grey_of_rgb(0, 200, 0));  // 117
}

TEST(ImageFolder, ChannelsZeroFollowsTheFirstFile) {
  TempDir dir;
  write_png(dir / "a.png", 8, 8, 1, std::vector<std::uint8_t>(64, 40));
  write_png(dir / "b.png", 8, 8, 3, rgb_image(8, 8, {255, 0, 0}));
  ImageFolderOptions o;
  o.channels = 0;
  ImageFolderSource grey(dir.path(), o);
  EXPECT_EQ(grey.shape(), (Shape{1, 32, 32}));
  EXPECT_EQ(test::read_image(grey, 0).front(), 40);
  EXPECT_EQ(test::read_image(grey, 1).front(), 76);  // 0.2989 * 255 = 76.2
  write_png(dir / "0.png", 8, 8, 3, rgb_image(8, 8, {1, 2, 3}));
  ImageFolderSource rgb(dir.path(), o);
  EXPECT_EQ(rgb.shape(), (Shape{3, 32, 32}));
  const auto copied = test::read_image(rgb, 1);  // a.png, grey 40 copied to R, G and B
  for (auto v : copied) ASSERT_EQ(v, 40);
}

TEST(ImageFolder, FailModeNamesTheUnreadableFile) {
  Fixture f;
  expect_data_error([&] { ImageFolderSource s(f.dir.path()); }, f.dir / "broken.png", "not a PNG or JPEG file");
}

TEST(ImageFolder, APngWithAnEmptyFirstDataChunkIsRefusedBeforeStbSeesIt) {
  // A valid PNG with a zero-length IDAT inserted after IHDR: stb would compute NULL + 0 on it
  // (tests/fuzz/regressions/image/png_empty_idat_null_plus_zero_stb_5130); the guard refuses it.
  TempDir dir;
  write_png(dir / "ok.png", 8, 8, 3, rgb_image(8, 8, {1, 2, 3}));
  auto bytes = read_whole_file(dir / "ok.png");
  const std::vector<std::uint8_t> empty_idat = {0, 0, 0, 0, 'I', 'D', 'A', 'T', 0x35, 0xAF, 0x06, 0x1E};
  bytes.insert(bytes.begin() + 8 + 25, empty_idat.begin(), empty_idat.end());  // after signature + IHDR
  test::write_bytes(dir / "ok.png", bytes);
  expect_data_error([&] { ImageFolderSource s(dir.path()); }, dir / "ok.png", "empty IDAT chunk before any image data");
}

TEST(ImageFolder, BadFoldersNameThePath) {
  TempDir dir;
  expect_data_error([&] { ImageFolderSource s(dir / "missing"); }, dir / "missing", "does not exist");
  test::write_text(dir / "readme.txt", "no images here");
  expect_data_error([&] { ImageFolderSource s(dir.path()); }, dir.path(), "holds no .png, .jpg or .jpeg file");
  test::write_text(dir / "x.jpg", "not a jpeg");
  ImageFolderOptions skip;
  skip.on_bad_image = config::OnBadImage::skip;
  expect_data_error([&] { ImageFolderSource s(dir.path(), skip); }, dir.path(), "none of its 1 image files");
}

}  // namespace
}  // namespace hierad::data

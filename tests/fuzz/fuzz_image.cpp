// Image files through stb_image, as a folder source decodes them: the input's first byte picks the
// file name's extension (.png, .jpg, .jpeg: stb itself goes by content), grey or RGB output and
// the output size; the rest is the file, alone in its folder.
#include <system_error>
#include <vector>

#include "src/data/image_folder.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hierad;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const std::uint8_t flags = in.take_u8();
  static const char* const kNames[] = {"image.png", "image.jpg", "image.jpeg", "image.png"};
  const auto folder = fuzz::scratch_dir() / "images";
  std::error_code ignored;
  std::filesystem::remove_all(folder, ignored);
  std::filesystem::create_directories(folder);
  fuzz::write_file(folder / kNames[flags & 3], in.rest());
  data::ImageFolderOptions options;
  options.channels = (flags & 4) ? 1 : 3;
  options.size = 1 + (flags >> 3) % 40;
  options.threads = 1;
  fuzz::accept_rejection([&] {
    const data::ImageFolderSource source(folder, options);
    std::vector<std::uint8_t> image(static_cast<std::size_t>(source.shape().bytes()));
    for (std::int64_t i = 0; i < source.size(); ++i) source.read(i, image.data());
  });
  return 0;
}

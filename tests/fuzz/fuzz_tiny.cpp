// Tiny Images with an exclusion list: the input's first part is the list (80mn_cifar_idxs.txt
// style), the rest tiny_images.bin. A flag byte pads the file to whole images, so most inputs get
// past the size check and reach the list against a real image count. Both I/O paths (mmap, pread)
// must yield, for every index, the file image file_index() names, and file_index() must skip
// exactly the excluded images.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "src/data/tiny_images.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hierad;

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "tiny: %s\n", what);
    std::abort();
  }
}

void read_all(const std::filesystem::path& bin, const std::filesystem::path& list, const std::string& bytes,
              data::TinyIo io) {
  const data::TinyImagesSource source(bin, list, io);
  const std::int64_t images = static_cast<std::int64_t>(bytes.size()) / data::TinyImagesSource::kImageBytes;
  check(source.size() == images - source.excluded_count(), "size() != file images - excluded");
  std::vector<std::uint8_t> all(static_cast<std::size_t>(source.size() * 3072));
  source.read_many(0, source.size(), all.data());
  std::int64_t previous = -1;
  std::vector<std::uint8_t> expected(3072);
  for (std::int64_t i = 0; i < source.size(); ++i) {
    const std::int64_t f = source.file_index(i);
    check(f > previous && f < images, "file_index() not increasing inside the file");
    previous = f;
    data::tiny_to_chw(reinterpret_cast<const std::uint8_t*>(bytes.data()) + f * 3072, expected.data());
    check(std::memcmp(expected.data(), all.data() + i * 3072, 3072) == 0, "image differs from its file image");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const bool pad = in.take_u8() & 1;
  const auto dir = fuzz::scratch_dir();
  fuzz::write_file(dir / "excluded.txt", in.take_part());
  std::string bytes(in.rest());
  if (pad) bytes.resize((bytes.size() + 3071) / 3072 * 3072);
  fuzz::write_file(dir / "tiny.bin", bytes);
  for (data::TinyIo io : {data::TinyIo::mmap, data::TinyIo::pread}) {
    fuzz::accept_rejection([&] { read_all(dir / "tiny.bin", dir / "excluded.txt", bytes, io); });
  }
  return 0;
}

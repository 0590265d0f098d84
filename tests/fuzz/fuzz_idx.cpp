// MNIST-style IDX files, raw or gzip: the input's first byte says whether the images and labels
// files are gzip-compressed here (so the fuzzer's mutations reach the IDX parser behind zlib too)
// and the output size; then the labels file (first part, empty: none) and the images file (rest).
#include <vector>

#include <zlib.h>

#include "src/data/idx.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hierad;

namespace {

std::string gzip(std::string_view bytes) {
  z_stream z{};
  deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // 15 + 16: gzip wrapper
  std::string out(deflateBound(&z, bytes.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const std::uint8_t flags = in.take_u8();
  const bool compress = flags & 1;
  const int out_size = 1 + (flags >> 1) % 40;  // the resize path for sizes above and below 28
  const std::string_view labels = in.take_part();
  const std::string_view images = in.rest();
  const auto dir = fuzz::scratch_dir();
  const auto images_path = dir / (compress ? "images.gz" : "images");
  const auto labels_path = dir / (compress ? "labels.gz" : "labels");
  fuzz::write_file(images_path, compress ? gzip(images) : std::string(images));
  if (!labels.empty()) fuzz::write_file(labels_path, compress ? gzip(labels) : std::string(labels));
  fuzz::accept_rejection([&] {
    const data::IdxSource source(images_path, labels.empty() ? std::filesystem::path() : labels_path, out_size);
    std::vector<std::uint8_t> image(static_cast<std::size_t>(source.shape().bytes()));
    for (std::int64_t i = 0; i < source.size(); ++i) {
      source.read(i, image.data());
      (void)source.label(i);
    }
  });
  return 0;
}

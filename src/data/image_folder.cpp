#include "src/data/image_folder.hpp"

#include "src/data/channels.hpp"
#include "src/data/data_error.hpp"
#include "src/data/file_io.hpp"
#include "src/data/image_guard.hpp"
#include "src/data/jpeg_decode.hpp"
#include "src/data/resize.hpp"

#include <stb_image.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace hierad::data {

namespace {

bool is_image_file(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

struct StbiFree {
  void operator()(stbi_uc* p) const { stbi_image_free(p); }
};

bool is_jpeg(const std::vector<std::uint8_t>& bytes) { return bytes.size() >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8; }

// The file as it stores it (grey, grey+alpha, RGB, RGBA; JPEG: grey or RGB), alpha dropped.
// Returns an empty string on success, else the reason.
std::string decode_stored(const std::vector<std::uint8_t>& bytes, DecodedImage* image) {
  if (std::string why = check_image_bytes(bytes.data(), bytes.size()); !why.empty()) return why;
  if (is_jpeg(bytes)) return decode_jpeg(bytes.data(), bytes.size(), image);
  int w = 0, h = 0, n = 0;
  std::unique_ptr<stbi_uc, StbiFree> img(stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &n, 0));
  if (!img) {
    const char* why = stbi_failure_reason();
    return std::string("cannot decode image: ") + (why ? why : "unknown stb_image error");
  }
  const int kept = n >= 3 ? 3 : 1;
  const std::size_t pixels = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
  image->width = w;
  image->height = h;
  image->channels = kept;
  image->pixels.resize(pixels * static_cast<std::size_t>(kept));
  const stbi_uc* in = img.get();
  for (std::size_t p = 0; p < pixels; ++p, in += n)
    for (int c = 0; c < kept; ++c) image->pixels[p * static_cast<std::size_t>(kept) + static_cast<std::size_t>(c)] = in[c];
  return {};
}

// Decodes one file into out (C, size, size); returns an empty string on success, else the reason.
std::string decode(const std::filesystem::path& path, const ImageFolderOptions& o, std::uint8_t* out) {
  std::vector<std::uint8_t> bytes;
  try {
    bytes = read_whole_file(path);
  } catch (const DataError& e) {
    return e.problem();
  }
  DecodedImage image;
  if (std::string why = decode_stored(bytes, &image); !why.empty()) return why;
  // Brought to o.channels with hierad's own conversion (channels.hpp), not a decoder's grey weights.
  const std::size_t pixels = static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height);
  std::vector<std::uint8_t> hwc(pixels * static_cast<std::size_t>(o.channels));
  const std::uint8_t* in = image.pixels.data();
  const bool colour = image.channels == 3;
  for (std::size_t p = 0; p < pixels; ++p, in += image.channels) {
    if (o.channels == 1) {
      hwc[p] = colour ? grey_of_rgb(in[0], in[1], in[2]) : in[0];
    } else {
      for (int c = 0; c < 3; ++c) hwc[p * 3 + static_cast<std::size_t>(c)] = colour ? in[c] : in[0];
    }
  }
  if (!square_resize_hwc_to_chw(hwc.data(), image.width, image.height, o.channels, out, o.size)) return "resizing failed";
  return {};
}

// 1 for a grey (or grey+alpha) file, else 3: the channels of a folder whose count is not given.
int stored_channels(const std::filesystem::path& path) {
  try {
    const std::vector<std::uint8_t> bytes = read_whole_file(path);
    if (!check_image_bytes(bytes.data(), bytes.size()).empty()) return 3;  // decode() reports it
    if (is_jpeg(bytes)) {
      DecodedImage header;
      return decode_jpeg(bytes.data(), bytes.size(), &header, /*header_only=*/true).empty() ? header.channels : 3;
    }
    int w = 0, h = 0, n = 0;
    if (stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &n) == 0) return 3;
    return n <= 2 ? 1 : 3;
  } catch (const DataError&) {
    return 3;  // decode() reports it
  }
}

}  // namespace

ImageFolderSource::ImageFolderSource(const std::filesystem::path& folder, ImageFolderOptions options)
    : folder_(folder), options_(options) {
  std::error_code ec;  // a path that cannot be examined counts as absent
  if (!std::filesystem::is_directory(folder, ec))
    throw DataError(folder, std::filesystem::exists(folder, ec) ? "is not a folder" : "does not exist");
  if (options_.channels != 0 && options_.channels != 1 && options_.channels != 3)
    throw DataError(folder, "channels must be 0 (as the first file), 1 or 3, got " + std::to_string(options_.channels));

  std::vector<std::filesystem::path> candidates;
  try {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(
             folder, std::filesystem::directory_options::follow_directory_symlink))
      if (entry.is_regular_file() && is_image_file(entry.path())) candidates.push_back(entry.path());
  } catch (const std::filesystem::filesystem_error& e) {
    throw DataError(e.path1().empty() ? folder : e.path1(), std::string("cannot list: ") + e.code().message());
  }
  std::sort(candidates.begin(), candidates.end());
  if (candidates.empty()) throw DataError(folder, "holds no .png, .jpg or .jpeg file");
  if (options_.channels == 0) options_.channels = stored_channels(candidates.front());

  // Decode everything in parallel into per-file slots, then compact in path order so that the
  // indices do not depend on thread scheduling.
  const std::size_t bytes = static_cast<std::size_t>(shape().bytes());
  std::vector<std::uint8_t> all(bytes * candidates.size());
  std::vector<std::string> errors(candidates.size());
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i = next++; i < candidates.size(); i = next++)
      errors[i] = decode(candidates[i], options_, all.data() + i * bytes);
  };
  int threads = options_.threads > 0 ? options_.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::clamp(threads, 1, static_cast<int>(std::min<std::size_t>(candidates.size(), 64)));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();

  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (errors[i].empty()) {
      if (files_.size() != i) std::memcpy(all.data() + files_.size() * bytes, all.data() + i * bytes, bytes);
      files_.push_back(candidates[i]);
    } else if (options_.on_bad_image == config::OnBadImage::fail) {
      throw DataError(candidates[i], errors[i] + " (set on_bad_image = \"skip\" to skip unreadable files)");
    } else {
      skipped_.push_back({candidates[i], errors[i]});
    }
  }
  if (files_.empty())
    throw DataError(folder, "none of its " + std::to_string(candidates.size()) + " image files could be decoded (first: " +
                                skipped_.front().path.string() + ": " + skipped_.front().reason + ")");
  all.resize(files_.size() * bytes);
  all.shrink_to_fit();
  pixels_ = std::move(all);
}

void ImageFolderSource::read(std::int64_t index, std::uint8_t* out) const {
  if (index < 0 || index >= size())
    throw DataError(folder_, "image " + std::to_string(index) + " requested from " + std::to_string(size()));
  const std::size_t bytes = static_cast<std::size_t>(shape().bytes());
  std::memcpy(out, pixels_.data() + static_cast<std::size_t>(index) * bytes, bytes);
}

}  // namespace hierad::data

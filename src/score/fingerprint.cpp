#include "src/score/fingerprint.hpp"

#include <cstdint>
#include <cstdio>
#include <vector>

namespace hierad::score {

std::string fingerprint(const data::Source& source) {
  const std::int64_t n = source.size();
  const data::Shape shape = source.shape();
  std::uint64_t hash = 1469598103934665603ULL;
  auto mix = [&hash](const std::uint8_t* bytes, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      hash ^= bytes[i];
      hash *= 1099511628211ULL;
    }
  };
  std::vector<std::uint8_t> image(static_cast<std::size_t>(shape.bytes()));
  const std::int64_t samples = std::min<std::int64_t>(n, 256);
  for (std::int64_t s = 0; s < samples; ++s) {
    const std::int64_t index = samples == 1 ? 0 : s * (n - 1) / (samples - 1);
    source.read(index, image.data());
    mix(reinterpret_cast<const std::uint8_t*>(&index), sizeof index);
    mix(image.data(), image.size());
  }
  char text[128];
  std::snprintf(text, sizeof text, "n=%lld;shape=%dx%dx%d;fnv1a64=%016llx", static_cast<long long>(n),
                static_cast<int>(shape.channels), static_cast<int>(shape.height), static_cast<int>(shape.width),
                static_cast<unsigned long long>(hash));
  return text;
}

}  // namespace hierad::score

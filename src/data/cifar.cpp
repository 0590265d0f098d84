#include "src/data/cifar.hpp"

#include "src/data/data_error.hpp"

#include <algorithm>
#include <string>

namespace hierad::data {

CifarSource::CifarSource(CifarKind kind, const std::vector<std::filesystem::path>& files)
    : kind_(kind), label_bytes_(kind == CifarKind::cifar10 ? 1 : 2) {
  if (files.empty()) throw DataError("cifar", "no files given");
  const std::int64_t record = record_bytes();
  const int fine_classes = kind == CifarKind::cifar10 ? 10 : 100;
  for (const auto& path : files) {
    ReadOnlyFile file(path);
    if (file.size() == 0 || file.size() % record != 0)
      throw DataError(path, "size " + std::to_string(file.size()) + " bytes is not a whole number of " +
                                std::to_string(record) + "-byte records");
    const std::int64_t records = file.size() / record;
    file_start_.push_back(size());
    // The labels: one sequential pass over the file in chunks of whole records.
    const std::int64_t chunk_records = 4096;
    std::vector<std::uint8_t> chunk(static_cast<std::size_t>(chunk_records * record));
    for (std::int64_t r0 = 0; r0 < records; r0 += chunk_records) {
      const std::int64_t n = std::min(chunk_records, records - r0);
      file.read_at(r0 * record, static_cast<std::size_t>(n * record), chunk.data());
      for (std::int64_t r = 0; r < n; ++r) {
        const std::uint8_t* rec = chunk.data() + r * record;
        if (kind == CifarKind::cifar100 && rec[0] >= 20)
          throw DataError(path, "record " + std::to_string(r0 + r) + ": coarse label " + std::to_string(rec[0]) +
                                    " is outside 0..19");
        const std::uint8_t fine = rec[label_bytes_ - 1];
        if (fine >= fine_classes)
          throw DataError(path, "record " + std::to_string(r0 + r) + ": label " + std::to_string(fine) +
                                    " is outside 0.." + std::to_string(fine_classes - 1) +
                                    " (is this the right CIFAR variant?)");
        labels_.push_back(fine);
      }
    }
    files_.push_back(std::move(file));
  }
}

void CifarSource::read(std::int64_t index, std::uint8_t* out) const {
  if (index < 0 || index >= size())
    throw DataError(name(), "image " + std::to_string(index) + " requested from " + std::to_string(size()));
  const auto f = static_cast<std::size_t>(
      std::upper_bound(file_start_.begin(), file_start_.end(), index) - file_start_.begin() - 1);
  const std::int64_t rec = index - file_start_[f];
  files_[f].read_at(rec * record_bytes() + label_bytes_, 3072, out);
}

std::string CifarSource::name() const {
  std::string n = kind_ == CifarKind::cifar10 ? "cifar10:" : "cifar100:";
  n += files_.front().path().string();
  if (files_.size() > 1) n += " (+" + std::to_string(files_.size() - 1) + " files)";
  return n;
}

std::vector<std::filesystem::path> cifar_split_files(CifarKind kind, const std::filesystem::path& folder,
                                                     const std::string& split) {
  if (split != "train" && split != "test")
    throw DataError(folder, "unknown split '" + split + "' (expected train or test)");
  std::vector<std::string> names;
  if (kind == CifarKind::cifar10) {
    if (split == "train")
      for (int i = 1; i <= 5; ++i) names.push_back("data_batch_" + std::to_string(i) + ".bin");
    else
      names.push_back("test_batch.bin");
  } else {
    names.push_back(split + ".bin");
  }
  // The archives unpack into cifar-10-batches-bin/ and cifar-100-binary/: accept their parent too.
  std::error_code ec;  // a path that cannot be examined counts as absent
  std::filesystem::path dir = folder;
  const char* sub = kind == CifarKind::cifar10 ? "cifar-10-batches-bin" : "cifar-100-binary";
  if (!std::filesystem::exists(dir / names.front(), ec) && std::filesystem::is_directory(dir / sub, ec)) dir /= sub;
  std::vector<std::filesystem::path> files;
  for (const auto& n : names) {
    if (!std::filesystem::exists(dir / n, ec))
      throw DataError(dir / n, "does not exist (expected the " + split + " split of " +
                                   (kind == CifarKind::cifar10 ? "CIFAR-10" : "CIFAR-100") + " in " +
                                   folder.string() + ")");
    files.push_back(dir / n);
  }
  return files;
}

}  // namespace hierad::data

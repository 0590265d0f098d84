#include "storage/checkpoint_dir.hpp"

#include <algorithm>
#include <cstdio>
#include <regex>

namespace hierad::storage {

namespace {

const std::regex& checkpoint_pattern() {
  static const std::regex re(R"(ckpt-([0-9]{8,18})\.h5)");
  return re;
}

const std::regex& temporary_pattern() {
  static const std::regex re(R"(ckpt-[0-9]{8,18}\.h5\.tmp-[0-9]+)");
  return re;
}

}  // namespace

std::string checkpoint_file_name(std::int64_t step) {
  if (step < 0) throw std::invalid_argument("checkpoint step must be >= 0, got " + std::to_string(step));
  char buf[40];
  std::snprintf(buf, sizeof buf, "ckpt-%08lld.h5", static_cast<long long>(step));
  return buf;
}

std::optional<std::int64_t> parse_checkpoint_file_name(const std::string& name) {
  std::smatch m;
  if (!std::regex_match(name, m, checkpoint_pattern())) return std::nullopt;
  return std::stoll(m[1].str());
}

CheckpointListing list_checkpoints(const std::filesystem::path& dir) {
  CheckpointListing out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    if (const auto step = parse_checkpoint_file_name(name)) out.checkpoints.push_back({*step, entry.path()});
    else if (std::regex_match(name, temporary_pattern())) out.temporaries.push_back(entry.path());
  }
  std::sort(out.checkpoints.begin(), out.checkpoints.end(),
            [](const CheckpointEntry& a, const CheckpointEntry& b) { return a.step < b.step; });
  std::sort(out.temporaries.begin(), out.temporaries.end());
  return out;
}

std::vector<std::filesystem::path> prune_checkpoints(const std::filesystem::path& dir, int keep_last) {
  if (keep_last < 1) throw std::invalid_argument("keep_last must be >= 1, got " + std::to_string(keep_last));
  const CheckpointListing listing = list_checkpoints(dir);
  std::vector<std::filesystem::path> removed;
  const std::size_t n = listing.checkpoints.size();
  for (std::size_t i = 0; i + static_cast<std::size_t>(keep_last) < n; ++i) {
    std::filesystem::remove(listing.checkpoints[i].path);
    removed.push_back(listing.checkpoints[i].path);
  }
  return removed;
}

std::vector<std::filesystem::path> remove_temporaries(const std::filesystem::path& dir) {
  const CheckpointListing listing = list_checkpoints(dir);
  for (const auto& p : listing.temporaries) std::filesystem::remove(p);
  return listing.temporaries;
}

LatestCheckpoint load_latest_valid(const std::filesystem::path& dir) {
  const CheckpointListing listing = list_checkpoints(dir);
  LatestCheckpoint out;
  for (const auto& p : listing.temporaries)
    out.skipped.push_back({p, "temporary file of a checkpoint write that never finished"});
  for (auto it = listing.checkpoints.rbegin(); it != listing.checkpoints.rend(); ++it) {
    try {
      Checkpoint c = read_checkpoint(it->path);
      const auto step = c.metadata.find("step");
      if (step != c.metadata.end() && std::holds_alternative<std::int64_t>(step->second) &&
          std::get<std::int64_t>(step->second) != it->step) {
        out.skipped.push_back({it->path, "metadata step " + std::to_string(std::get<std::int64_t>(step->second)) +
                                             " differs from the file name's step " + std::to_string(it->step)});
        continue;
      }
      out.checkpoint = std::move(c);
      return out;
    } catch (const CheckpointError& e) {
      out.skipped.push_back({it->path, e.problem()});
    }
  }
  return out;
}

CheckpointDir::CheckpointDir(std::filesystem::path dir, int keep_last) : dir_(std::move(dir)), keep_last_(keep_last) {
  if (keep_last_ < 1) throw std::invalid_argument("keep_last must be >= 1, got " + std::to_string(keep_last_));
}

std::uint32_t CheckpointDir::write(std::int64_t step, const std::vector<ArrayView>& arrays, const Metadata& metadata,
                                   const CheckpointWriteOptions& options) {
  std::filesystem::create_directories(dir_);
  const std::uint32_t checksum = write_checkpoint(path_for(step), arrays, metadata, options);
  prune_checkpoints(dir_, keep_last_);
  return checksum;
}

}  // namespace hierad::storage

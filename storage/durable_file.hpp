#pragma once
// The POSIX steps that make a finished file survive a crash or power loss: fsync the file's data,
// rename it over its final name (atomic within one file system), then fsync the directory so the
// rename itself is on disk. Failures throw std::system_error naming the path.

#include <filesystem>

namespace hierad::storage {

void fsync_file(const std::filesystem::path& path);
void fsync_directory(const std::filesystem::path& dir);
// rename(2) `from` onto `to` (same directory expected), then fsync that directory.
void rename_durably(const std::filesystem::path& from, const std::filesystem::path& to);
// "<final>.tmp-<pid>": the name a file is written under before rename_durably gives it its own.
std::filesystem::path temporary_sibling(const std::filesystem::path& final_path);

}  // namespace hierad::storage

#pragma once
// The POSIX steps that make a finished file survive a crash or power loss: fsync the file's data,
// rename it over its final name (atomic within one file system), then fsync the directory so the
// rename itself is on disk. Failures throw std::system_error naming the path.

#include <filesystem>
#include <string>

namespace hierad::storage {

void fsync_file(const std::filesystem::path& path);
void fsync_directory(const std::filesystem::path& dir);
// rename(2) `from` onto `to` (same directory expected), then fsync that directory.
void rename_durably(const std::filesystem::path& from, const std::filesystem::path& to);
// Creates `dir` (and its parents) if needed, then writes, syncs and removes a one-byte probe file
// in it, so that a read-only or full file system is an error at start, naming the folder and why,
// before hours of work that could not be saved. Throws std::system_error.
void require_writable_directory(const std::filesystem::path& dir);

// Writes `text` to temporary_sibling(path), then renames it onto `path` (no fsync: for reports and
// status files, which a rerun can remake). On any failure (a full disk) the temporary is
// removed, `path` keeps its previous content, and std::system_error names `path` and the reason.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

// "<final>.tmp-<pid>": the name a file is written under before rename_durably gives it its own.
std::filesystem::path temporary_sibling(const std::filesystem::path& final_path);

}  // namespace hierad::storage

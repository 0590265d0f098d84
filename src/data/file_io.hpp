// A read-only file descriptor with positioned, exact reads (pread), for readers that stream from
// disk without loading the file. pread keeps no file offset, so one handle serves many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hierad::data {

class ReadOnlyFile {
 public:
  // Throws DataError(path, "cannot open: <reason>").
  explicit ReadOnlyFile(std::filesystem::path path);
  ~ReadOnlyFile();
  ReadOnlyFile(ReadOnlyFile&& other) noexcept;
  ReadOnlyFile& operator=(ReadOnlyFile&& other) noexcept;
  ReadOnlyFile(const ReadOnlyFile&) = delete;
  ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;

  std::int64_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }
  // Reads exactly `bytes` bytes at `offset`; a short file or an I/O error throws DataError.
  void read_at(std::int64_t offset, std::size_t bytes, void* out) const;
  // posix_fadvise(WILLNEED): the kernel starts reading the range into the page cache (which a
  // FileMapping of the file reads from too). A hint only: errors are ignored.
  void will_need(std::int64_t offset, std::int64_t bytes) const;

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::int64_t size_ = 0;
};

// A read-only shared mapping of a whole file (mmap), for readers that copy straight out of the
// page cache instead of through a pread buffer.
//
// Caveat of every file mapping: if the file is truncated while mapped, or the file system reports
// an I/O error on a page, touching that page raises SIGBUS and ends the process instead of
// throwing; readers offer pread for files that may change or sit on a network file system.
class FileMapping {
 public:
  // Maps `file` entirely; throws DataError naming it if mmap fails.
  explicit FileMapping(const ReadOnlyFile& file);
  ~FileMapping();
  FileMapping(const FileMapping&) = delete;
  FileMapping& operator=(const FileMapping&) = delete;

  const std::uint8_t* data() const { return data_; }
  std::int64_t size() const { return size_; }
  // Drops this process's page-table entries for the mapping (MADV_DONTNEED; the page cache keeps
  // the data). Reading a whole large file through one mapping would otherwise leave 8 bytes of
  // page table per 4 KiB read, 0.2% of the file. Safe while other threads read: they re-fault.
  void drop_page_tables() const;

 private:
  std::uint8_t* data_ = nullptr;
  std::int64_t size_ = 0;
};

// The whole file in memory (small files: exclusion lists, test fixtures).
std::vector<std::uint8_t> read_whole_file(const std::filesystem::path& path);

// Throws DataError(path, "does not exist") unless `path` exists (a file or a folder).
void require_exists(const std::filesystem::path& path);

}  // namespace hierad::data

#include "src/data/file_io.hpp"

#include "src/data/data_error.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hierad::data {

ReadOnlyFile::ReadOnlyFile(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw DataError(path_, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int err = errno;
    ::close(fd_);
    throw DataError(path_, std::string("cannot stat: ") + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd_);
    throw DataError(path_, "is a folder, expected a file");
  }
  size_ = static_cast<std::int64_t>(st.st_size);
}

ReadOnlyFile::~ReadOnlyFile() {
  if (fd_ >= 0) ::close(fd_);
}

ReadOnlyFile::ReadOnlyFile(ReadOnlyFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}

ReadOnlyFile& ReadOnlyFile::operator=(ReadOnlyFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
  }
  return *this;
}

void ReadOnlyFile::read_at(std::int64_t offset, std::size_t bytes, void* out) const {
  auto* dst = static_cast<char*>(out);
  std::size_t done = 0;
  while (done < bytes) {
    const ssize_t got = ::pread(fd_, dst + done, bytes - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      throw DataError(path_, "read of " + std::to_string(bytes) + " bytes at byte " + std::to_string(offset) +
                                 " failed: " + std::strerror(errno));
    }
    if (got == 0)
      throw DataError(path_, "unexpected end of file at byte " + std::to_string(offset + done) + " (file has " +
                                 std::to_string(size_) + " bytes)");
    done += static_cast<std::size_t>(got);
  }
}

void ReadOnlyFile::will_need(std::int64_t offset, std::int64_t bytes) const {
  if (fd_ >= 0 && bytes > 0) ::posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(bytes), POSIX_FADV_WILLNEED);
}

FileMapping::FileMapping(const ReadOnlyFile& file) : size_(file.size()) {
  if (size_ == 0) return;  // mmap of nothing is an error; there is nothing to read anyway
  const int fd = ::open(file.path().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw DataError(file.path(), std::string("cannot open: ") + std::strerror(errno));
  void* p = ::mmap(nullptr, static_cast<std::size_t>(size_), PROT_READ, MAP_SHARED, fd, 0);
  const int err = errno;
  ::close(fd);  // the mapping keeps the file referenced
  if (p == MAP_FAILED) throw DataError(file.path(), std::string("cannot map: ") + std::strerror(err));
  data_ = static_cast<std::uint8_t*>(p);
}

FileMapping::~FileMapping() {
  if (data_) ::munmap(data_, static_cast<std::size_t>(size_));
}

void FileMapping::drop_page_tables() const {
  if (data_) ::madvise(data_, static_cast<std::size_t>(size_), MADV_DONTNEED);
}

std::vector<std::uint8_t> read_whole_file(const std::filesystem::path& path) {
  ReadOnlyFile file(path);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(file.size()));
  if (!bytes.empty()) file.read_at(0, bytes.size(), bytes.data());
  return bytes;
}

void require_exists(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw DataError(path, "does not exist");
}

}  // namespace hierad::data

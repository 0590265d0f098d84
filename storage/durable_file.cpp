#include "storage/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>

namespace hierad::storage {

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void fsync_path(const std::filesystem::path& path, int flags, const char* kind) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw_errno(std::string("open ") + kind + " " + path.string() + " for fsync");
  if (::fsync(fd) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    throw_errno(std::string("fsync ") + kind + " " + path.string());
  }
  ::close(fd);
}

}  // namespace

void fsync_file(const std::filesystem::path& path) { fsync_path(path, O_RDONLY, "file"); }

void fsync_directory(const std::filesystem::path& dir) {
  fsync_path(dir.empty() ? std::filesystem::path(".") : dir, O_RDONLY | O_DIRECTORY, "directory");
}

void rename_durably(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0)
    throw_errno("rename " + from.string() + " to " + to.string());
  fsync_directory(to.parent_path());
}

std::filesystem::path temporary_sibling(const std::filesystem::path& final_path) {
  return final_path.string() + ".tmp-" + std::to_string(::getpid());
}

}  // namespace hierad::storage

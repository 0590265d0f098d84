#include "src/data/hdf5_handles.hpp"

#include "src/data/data_error.hpp"

namespace hierad::data::detail {
namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what) {
  const std::string stack = storage::take_hdf5_error_stack();
  throw DataError(file, what + " (HDF5: " + (stack.empty() ? "no detail" : stack) + ")");
}

}  // namespace

hid_t h5_check(hid_t id, const std::filesystem::path& file, const std::string& what) {
  if (id < 0) fail(file, what);
  return id;
}

void h5_check_status(herr_t status, const std::filesystem::path& file, const std::string& what) {
  if (status < 0) fail(file, what);
}

}  // namespace hierad::data::detail

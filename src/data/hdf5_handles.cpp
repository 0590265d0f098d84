#include "src/data/hdf5_handles.hpp"

#include "src/data/data_error.hpp"

#include <vector>

namespace hierad::data::detail {

QuietH5Errors::QuietH5Errors() {
  H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietH5Errors::~QuietH5Errors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

namespace {

herr_t collect(unsigned, const H5E_error2_t* err, void* client) {
  auto* messages = static_cast<std::vector<std::string>*>(client);
  if (err && err->desc && *err->desc) messages->emplace_back(err->desc);
  return 0;
}

}  // namespace

std::string h5_error_stack() {
  std::vector<std::string> messages;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &messages);
  H5Eclear2(H5E_DEFAULT);
  std::string text;
  for (const auto& m : messages) text += (text.empty() ? "" : "; ") + m;
  return text.empty() ? "no detail from HDF5" : text;
}

hid_t h5_check(hid_t id, const std::filesystem::path& file, const std::string& what) {
  if (id < 0) throw DataError(file, what + " (HDF5: " + h5_error_stack() + ")");
  return id;
}

void h5_check_status(herr_t status, const std::filesystem::path& file, const std::string& what) {
  if (status < 0) throw DataError(file, what + " (HDF5: " + h5_error_stack() + ")");
}

}  // namespace hierad::data::detail

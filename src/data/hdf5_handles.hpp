// Internal to the data layer's HDF5 files: a move-only owner for HDF5 ids and checked calls whose
// failures become DataErrors carrying HDF5's own error stack. (storage/ has the project's general
// HDF5 layer; the data layer keeps this small copy so that it does not depend on storage/.)
#pragma once

#include <hdf5.h>

#include <filesystem>
#include <string>

namespace hierad::data::detail {

// Owns one HDF5 id of any kind (file, dataset, space, type, attribute, property list) and drops
// its reference on destruction. Destruction never throws.
class H5Id {
 public:
  H5Id() = default;
  explicit H5Id(hid_t id) : id_(id) {}
  ~H5Id() { reset(); }
  H5Id(H5Id&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
  H5Id& operator=(H5Id&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;

  hid_t get() const { return id_; }
  void reset() {
    if (id_ >= 0) H5Idec_ref(id_);
    id_ = H5I_INVALID_HID;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// While alive, HDF5 does not print its error stack to stderr (the message goes into the
// exception instead); the previous handler is restored afterwards.
class QuietH5Errors {
 public:
  QuietH5Errors();
  ~QuietH5Errors();
  QuietH5Errors(const QuietH5Errors&) = delete;
  QuietH5Errors& operator=(const QuietH5Errors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// The descriptions on HDF5's current error stack, innermost last, then clears the stack.
std::string h5_error_stack();

// Returns `id`, or throws DataError(file, what + ": " + HDF5's error stack) if it is invalid.
hid_t h5_check(hid_t id, const std::filesystem::path& file, const std::string& what);
// Throws the same way if `status` is negative.
void h5_check_status(herr_t status, const std::filesystem::path& file, const std::string& what);

}  // namespace hierad::data::detail

#pragma once
// One owning handle for every HDF5 identifier (file, group, dataset, dataspace, datatype, attribute,
// property list). Move-only; releasing goes through H5Idec_ref, which closes the object when the
// last reference goes, whatever its kind. The destructor never throws: a failed release is logged to
// stderr. Where a failed close must fail the operation (a file being written), call close_file().

#include <hdf5.h>

namespace hierad::storage {

class H5Id {
 public:
  H5Id() noexcept = default;
  // Takes ownership of a valid id; a negative (invalid) id gives an empty handle.
  explicit H5Id(hid_t id) noexcept : id_(id < 0 ? H5I_INVALID_HID : id) {}
  ~H5Id() { reset(); }

  H5Id(H5Id&& other) noexcept : id_(other.release()) {}
  H5Id& operator=(H5Id&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = other.release();
    }
    return *this;
  }
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;

  hid_t get() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  // Gives up ownership without closing.
  hid_t release() noexcept {
    hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }
  // Drops the reference now (logged, never thrown, on failure).
  void reset() noexcept;

 private:
  hid_t id_ = H5I_INVALID_HID;
};

}  // namespace hierad::storage

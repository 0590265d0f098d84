#pragma once
// HDF5 failures as exceptions. Every checked call names what it did and on which file/object; the
// exception carries HDF5's own error stack (walked with H5Ewalk2), and HDF5's automatic printing to
// stderr is switched off because that text now travels in the exception.

#include <hdf5.h>

#include <stdexcept>
#include <string>

#include "storage/h5_handle.hpp"

namespace hierad::storage {

class H5Error : public std::runtime_error {
 public:
  H5Error(const std::string& context, const std::string& stack);
  const std::string& context() const noexcept { return context_; }  // "create dataset 'x' in f.h5"
  const std::string& stack() const noexcept { return stack_; }      // HDF5's entries, innermost last

 private:
  std::string context_;
  std::string stack_;
};

// Turns off HDF5's automatic error printing (once per process; the HDF5 build is not thread-safe,
// so there is one global error stack). Every file open/create in storage/ calls it.
void silence_hdf5_errors();

// Collects and clears HDF5's current error stack: "H5Fopen(): unable to open file [File accessibility:
// Unable to open file] <- ...". Empty when the stack is empty.
std::string take_hdf5_error_stack();

// Throw H5Error(what, stack) when an HDF5 call failed.
[[noreturn]] void throw_h5_error(const std::string& what);
H5Id check_id(hid_t id, const std::string& what);     // an id < 0 fails; returns the owning handle
void check(herr_t status, const std::string& what);   // status < 0 fails
bool check_tri(htri_t value, const std::string& what);  // < 0 fails; otherwise true/false

}  // namespace hierad::storage

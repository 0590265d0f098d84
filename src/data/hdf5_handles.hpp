// The data layer's HDF5 calls: storage/'s owning handle (H5Id) and error-stack walk, with failures
// turned into DataErrors that name the data file, as the data layer's callers expect.
#pragma once

#include "storage/h5_error.hpp"
#include "storage/h5_handle.hpp"

#include <hdf5.h>

#include <filesystem>
#include <string>

namespace hierad::data::detail {

using storage::H5Id;

// Returns `id`, or throws DataError(file, what + HDF5's error stack) if it is invalid.
hid_t h5_check(hid_t id, const std::filesystem::path& file, const std::string& what);
// Throws the same way if `status` is negative.
void h5_check_status(herr_t status, const std::filesystem::path& file, const std::string& what);

}  // namespace hierad::data::detail

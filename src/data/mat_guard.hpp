// Checks a MATLAB v5 file's element headers before libmatio reads it. matio 1.5 allocates what a
// variable's header declares (its dimensions sub-element) before it looks at the file size, so a
// 500-byte file made it allocate 8 GB (found by tests/fuzz). Checked here, for every top-level
// element: it fits in the file, and a matrix's dimensions and name sub-elements fit in the matrix
// (for a compressed element: in what its compressed bytes can inflate to, at most 1100x).
// A file without a v5 or v7.3 header is refused (matio would read it as Level 4, allocating what its
// first bytes say); v7.3 files (HDF5 inside) are left to matio.
#pragma once

#include <string>

#include "src/data/file_io.hpp"

namespace hierad::data {

// Empty when matio may read the file, else what is wrong ("element at byte 128 declares ...").
std::string check_mat5_headers(const ReadOnlyFile& file);

}  // namespace hierad::data

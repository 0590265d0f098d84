// The header of a NumPy .npy array (numpy.lib.format, versions 1.0, 2.0 and 3.0):
//   "\x93NUMPY" major minor, header length (u16 LE in 1.0, u32 LE in 2.0/3.0), then a Python dict
//   literal such as {'descr': '|u1', 'fortran_order': False, 'shape': (300000, 32, 32, 3), }
//   padded with spaces and a newline; the array's bytes follow.
// Only what hierad needs is read: the dtype string, the order and the shape. Everything else
// (structured dtypes, object arrays, a header that is not such a dict) is an error naming the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hierad::data {

struct NpyHeader {
  std::string descr;                 // e.g. "|u1", "<i8"
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
  std::int64_t data_offset = 0;      // bytes from the start of the .npy to its array data

  std::int64_t elements() const;     // product of shape (1 for shape ())
};

// Parses the header at bytes[0 .. size); `file` names it in errors (DataError). `size` may be more
// than the header (the whole file): only the header's own bytes are read.
NpyHeader parse_npy_header(const std::uint8_t* bytes, std::size_t size, const std::filesystem::path& file);

// The item size and kind of a dtype string: {1, 'u'} for "|u1", {8, 'i'} for "<i8"; big-endian
// multi-byte types report their order in `big_endian`. Throws DataError for anything that is not
// a plain integer, unsigned, float or bool type.
struct NpyType {
  char kind = 'u';      // 'u' unsigned, 'i' signed, 'f' float, 'b' bool
  int item_size = 1;
  bool big_endian = false;
};
NpyType npy_type(const std::string& descr, const std::filesystem::path& file);

}  // namespace hierad::data

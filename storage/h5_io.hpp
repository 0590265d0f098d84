#pragma once
// The few typed HDF5 operations hierad needs: files, groups, N-d datasets of the four DTypes, scalar
// and string attributes. Every failure throws H5Error naming the operation, the object and the file.
// Not a converter framework: callers pass raw arrays (array.hpp).

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/array.hpp"
#include "storage/h5_error.hpp"

namespace hierad::storage {

// ---- files ---------------------------------------------------------------------------------------

// A file-access property list that writes the HDF5 1.8+ object formats (superblock v2, object headers
// v2): their metadata carry Jenkins checksums, so a damaged header fails to open instead of decoding
// garbage, and the files stay readable by HDF5 >= 1.8 (h5py, h5dump).
H5Id make_file_access();

// Creates `path`; fails if it exists unless `overwrite`. `fapl` defaults to make_file_access().
H5Id create_file(const std::filesystem::path& path, bool overwrite, hid_t fapl = H5I_INVALID_HID);
enum class FileMode { ReadOnly, ReadWrite };
H5Id open_file(const std::filesystem::path& path, FileMode mode, hid_t fapl = H5I_INVALID_HID);
// Closes a file explicitly and throws if HDF5 cannot flush or close it (H5Id's destructor only logs).
void close_file(H5Id& file);

std::string file_name_of(hid_t obj);    // the file holding obj, "" if unknown
std::string object_path_of(hid_t obj);  // "/arrays/w" ("" if unknown)
std::string where(hid_t loc, const std::string& name);  // "'name' in <file>" for messages

// ---- groups and names ----------------------------------------------------------------------------

// Throws std::invalid_argument unless `name` is a relative path of non-empty components other than
// "." and "..", separated by single '/'. Components become groups.
void validate_object_name(const std::string& name);
H5Id create_group(hid_t loc, const std::string& name);  // intermediate groups are created too
H5Id open_group(hid_t loc, const std::string& name);
bool link_exists(hid_t loc, const std::string& name);   // every component of a relative path
// Relative paths of all datasets below `group` (hard links only, recursive), sorted.
std::vector<std::string> list_datasets(hid_t group);
// Names of the direct child groups, sorted.
std::vector<std::string> list_groups(hid_t group);

// ---- datasets ------------------------------------------------------------------------------------

struct DatasetOptions {
  std::vector<std::int64_t> chunk;      // empty: contiguous layout
  std::vector<std::int64_t> max_shape;  // empty: fixed; -1 entries are unlimited (needs chunk)
  int deflate_level = 0;                // 1-9 enables shuffle + deflate (needs chunk)
};

// The file type written for each DType (little-endian IEEE / two's complement) and the memory type.
hid_t file_type_of(DType dtype);
hid_t memory_type_of(DType dtype);
DType dtype_of_dataset(hid_t dataset);  // throws for types outside the four

H5Id make_dataspace(const std::vector<std::int64_t>& shape,
                    const std::vector<std::int64_t>& max_shape = {});
std::vector<std::int64_t> dataspace_shape(hid_t space);

// Creates an empty dataset (intermediate groups too); data follow with H5Dwrite.
H5Id create_dataset(hid_t loc, const std::string& name, DType dtype, const std::vector<std::int64_t>& shape,
                    const DatasetOptions& options = {});
// Creates dataset `a.name` below `loc` and writes a's bytes (serial transfer).
void write_array(hid_t loc, const ArrayView& a, const DatasetOptions& options = {});
// Reads the dataset `name` below `loc` whole.
Array read_array(hid_t loc, const std::string& name);
// Empty if `dataset` may be read with H5Dread, else why not. HDF5 1.10.8 copies a whole chunk's
// bytes out of a buffer as large as the chunk is stored, or as the filters decode it: a chunk
// stored (unfiltered) or inflating (deflate, with or without shuffle) to fewer bytes than its shape
// overreads the heap (tests/fuzz finding 13). So every allocated chunk must hold exactly its size:
// unfiltered ones by their stored size, deflated ones by inflating them here (each chunk is then
// decoded twice; score files are small). Pipelines with other filters are left to HDF5. Data never
// written (an unallocated chunk or contiguous block) is refused too: HDF5 would fill it from the
// fill value, which a damaged file also made it overread. Chunk grids of more than 2^22 chunks are
// refused as implausible.
std::string damaged_chunks(hid_t dataset);

// ---- attributes (scalars and strings) ------------------------------------------------------------
// Writing replaces an existing attribute of the same name. Strings are stored fixed-length UTF-8,
// null-padded (h5py returns them as bytes: .decode()); reading also accepts variable-length strings.

void write_attr_int(hid_t obj, const std::string& name, std::int64_t value);
void write_attr_double(hid_t obj, const std::string& name, double value);
void write_attr_string(hid_t obj, const std::string& name, const std::string& value);
bool has_attr(hid_t obj, const std::string& name);
std::int64_t read_attr_int(hid_t obj, const std::string& name);
double read_attr_double(hid_t obj, const std::string& name);
std::string read_attr_string(hid_t obj, const std::string& name);
enum class AttrKind { Int, Double, String, Other };
AttrKind attr_kind(hid_t obj, const std::string& name);
std::vector<std::string> list_attrs(hid_t obj);  // in name order

// "1.10.8": the HDF5 library this process runs with (recorded in every file hierad writes).
std::string hdf5_library_version();

}  // namespace hierad::storage

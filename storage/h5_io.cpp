#include "storage/h5_io.hpp"

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

namespace hierad::storage {

// ---- files ---------------------------------------------------------------------------------------

H5Id make_file_access() {
  H5Id fapl = check_id(H5Pcreate(H5P_FILE_ACCESS), "create file-access property list");
  check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST),
        "set HDF5 format bounds (1.8 .. latest)");
  return fapl;
}

H5Id create_file(const std::filesystem::path& path, bool overwrite, hid_t fapl) {
  silence_hdf5_errors();
  H5Id own_fapl;
  if (fapl < 0) {
    own_fapl = make_file_access();
    fapl = own_fapl.get();
  }
  const unsigned flags = overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL;
  return check_id(H5Fcreate(path.c_str(), flags, H5P_DEFAULT, fapl),
                  "create HDF5 file " + path.string());
}

H5Id open_file(const std::filesystem::path& path, FileMode mode, hid_t fapl) {
  silence_hdf5_errors();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw H5Error("open HDF5 file " + path.string(), "no such regular file");
  H5Id own_fapl;
  if (fapl < 0) {
    own_fapl = make_file_access();
    fapl = own_fapl.get();
  }
  const unsigned flags = mode == FileMode::ReadOnly ? H5F_ACC_RDONLY : H5F_ACC_RDWR;
  return check_id(H5Fopen(path.c_str(), flags, fapl), "open HDF5 file " + path.string());
}

void close_file(H5Id& file) {
  if (!file) return;
  const std::string name = file_name_of(file.get());
  check(H5Fclose(file.release()), "close HDF5 file " + name);
}

std::string file_name_of(hid_t obj) {
  const ssize_t n = H5Fget_name(obj, nullptr, 0);
  if (n <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return "";
  }
  std::string name(static_cast<std::size_t>(n) + 1, '\0');
  H5Fget_name(obj, name.data(), name.size());
  name.resize(static_cast<std::size_t>(n));
  return name;
}

std::string object_path_of(hid_t obj) {
  const ssize_t n = H5Iget_name(obj, nullptr, 0);
  if (n <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return "";
  }
  std::string name(static_cast<std::size_t>(n) + 1, '\0');
  H5Iget_name(obj, name.data(), name.size());
  name.resize(static_cast<std::size_t>(n));
  return name;
}

std::string where(hid_t loc, const std::string& name) {
  std::string path = object_path_of(loc);
  if (!name.empty()) path = (path.empty() || path == "/" ? "" : path) + "/" + name;
  if (path.empty()) path = "/";
  return "'" + path + "' in " + file_name_of(loc);
}

// ---- groups and names ----------------------------------------------------------------------------

void validate_object_name(const std::string& name) {
  auto bad = [&](const char* why) {
    throw std::invalid_argument("invalid HDF5 object name '" + name + "': " + why);
  };
  if (name.empty()) bad("empty");
  if (name.front() == '/') bad("must be relative (no leading '/')");
  std::size_t start = 0;
  while (true) {
    const std::size_t end = name.find('/', start);
    const std::string part = name.substr(start, end == std::string::npos ? end : end - start);
    if (part.empty()) bad("empty path component");
    if (part == "." || part == "..") bad("'.' and '..' are not allowed");
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (name.find('\0') != std::string::npos) bad("contains a NUL character");
}

namespace {

H5Id make_link_create_props() {
  H5Id lcpl = check_id(H5Pcreate(H5P_LINK_CREATE), "create link-creation property list");
  check(H5Pset_create_intermediate_group(lcpl.get(), 1), "enable intermediate group creation");
  check(H5Pset_char_encoding(lcpl.get(), H5T_CSET_UTF8), "set UTF-8 link names");
  return lcpl;
}

std::string link_name_by_index(hid_t group, hsize_t i) {
  const ssize_t n = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
  if (n < 0) throw_h5_error("read link name #" + std::to_string(i) + " of " + where(group, ""));
  std::string name(static_cast<std::size_t>(n) + 1, '\0');
  H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
  name.resize(static_cast<std::size_t>(n));
  return name;
}

// Visits the hard links of `group` and reports each child's name and HDF5 object type.
template <class F> void for_each_child(hid_t group, F&& f) {
  H5G_info_t info;
  check(H5Gget_info(group, &info), "read group info of " + where(group, ""));
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const std::string name = link_name_by_index(group, i);
    H5L_info_t link;
    check(H5Lget_info(group, name.c_str(), &link, H5P_DEFAULT), "read link " + where(group, name));
    if (link.type != H5L_TYPE_HARD) continue;  // hierad writes hard links only
    H5Id obj = check_id(H5Oopen(group, name.c_str(), H5P_DEFAULT), "open object " + where(group, name));
    f(name, H5Iget_type(obj.get()), obj.get());
  }
}

void collect_datasets(hid_t group, const std::string& prefix, std::vector<std::string>& out) {
  for_each_child(group, [&](const std::string& name, H5I_type_t type, hid_t obj) {
    if (type == H5I_DATASET) out.push_back(prefix + name);
    else if (type == H5I_GROUP) collect_datasets(obj, prefix + name + "/", out);
  });
}

}  // namespace

H5Id create_group(hid_t loc, const std::string& name) {
  validate_object_name(name);
  H5Id lcpl = make_link_create_props();
  return check_id(H5Gcreate2(loc, name.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                  "create group " + where(loc, name));
}

H5Id open_group(hid_t loc, const std::string& name) {
  return check_id(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), "open group " + where(loc, name));
}

bool link_exists(hid_t loc, const std::string& name) {
  // H5Lexists fails (rather than answering false) when an intermediate component is missing.
  std::size_t end = 0;
  do {
    end = name.find('/', end + 1);
    const std::string prefix = name.substr(0, end);
    if (!check_tri(H5Lexists(loc, prefix.c_str(), H5P_DEFAULT), "look up " + where(loc, prefix)))
      return false;
  } while (end != std::string::npos);
  return true;
}

std::vector<std::string> list_datasets(hid_t group) {
  std::vector<std::string> out;
  collect_datasets(group, "", out);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> list_groups(hid_t group) {
  std::vector<std::string> out;
  for_each_child(group, [&](const std::string& name, H5I_type_t type, hid_t) {
    if (type == H5I_GROUP) out.push_back(name);
  });
  std::sort(out.begin(), out.end());
  return out;
}

// ---- datasets ------------------------------------------------------------------------------------

hid_t file_type_of(DType dtype) {
  switch (dtype) {
    case DType::Float32: return H5T_IEEE_F32LE;
    case DType::Float64: return H5T_IEEE_F64LE;
    case DType::Int64: return H5T_STD_I64LE;
    case DType::UInt8: return H5T_STD_U8LE;
  }
  throw std::invalid_argument("unknown storage dtype");
}

hid_t memory_type_of(DType dtype) {
  switch (dtype) {
    case DType::Float32: return H5T_NATIVE_FLOAT;
    case DType::Float64: return H5T_NATIVE_DOUBLE;
    case DType::Int64: return H5T_NATIVE_INT64;
    case DType::UInt8: return H5T_NATIVE_UINT8;
  }
  throw std::invalid_argument("unknown storage dtype");
}

DType dtype_of_dataset(hid_t dataset) {
  H5Id type = check_id(H5Dget_type(dataset), "read datatype of " + where(dataset, ""));
  const H5T_class_t cls = H5Tget_class(type.get());
  const std::size_t size = H5Tget_size(type.get());
  if (cls == H5T_FLOAT && size == 4) return DType::Float32;
  if (cls == H5T_FLOAT && size == 8) return DType::Float64;
  if (cls == H5T_INTEGER && size == 8 && H5Tget_sign(type.get()) == H5T_SGN_2) return DType::Int64;
  if (cls == H5T_INTEGER && size == 1 && H5Tget_sign(type.get()) == H5T_SGN_NONE) return DType::UInt8;
  throw H5Error("read dataset " + where(dataset, ""),
                "unsupported datatype (class " + std::to_string(static_cast<int>(cls)) + ", " +
                    std::to_string(size) + " bytes); hierad stores float32/float64/int64/uint8");
}

H5Id make_dataspace(const std::vector<std::int64_t>& shape, const std::vector<std::int64_t>& max_shape) {
  if (shape.empty()) return check_id(H5Screate(H5S_SCALAR), "create scalar dataspace");
  if (!max_shape.empty() && max_shape.size() != shape.size())
    throw std::invalid_argument("max_shape rank differs from shape rank");
  std::vector<hsize_t> dims, maxdims;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0) throw std::invalid_argument("negative dimension in dataset shape");
    dims.push_back(static_cast<hsize_t>(shape[i]));
    if (!max_shape.empty())
      maxdims.push_back(max_shape[i] < 0 ? H5S_UNLIMITED : static_cast<hsize_t>(max_shape[i]));
  }
  return check_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(),
                                   maxdims.empty() ? nullptr : maxdims.data()),
                  "create dataspace");
}

std::vector<std::int64_t> dataspace_shape(hid_t space) {
  const H5S_class_t cls = H5Sget_simple_extent_type(space);
  if (cls == H5S_SCALAR) return {};
  if (cls != H5S_SIMPLE) throw H5Error("read dataspace", "null or unknown dataspace");
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) throw_h5_error("read dataspace rank");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), "read dataspace dimensions");
  return std::vector<std::int64_t>(dims.begin(), dims.end());
}

H5Id create_dataset(hid_t loc, const std::string& name, DType dtype, const std::vector<std::int64_t>& shape,
                    const DatasetOptions& options) {
  validate_object_name(name);
  const std::string what = where(loc, name);
  H5Id space = make_dataspace(shape, options.max_shape);
  H5Id dcpl = check_id(H5Pcreate(H5P_DATASET_CREATE), "create dataset-creation property list");
  if (!options.chunk.empty()) {
    const std::vector<hsize_t> chunk(options.chunk.begin(), options.chunk.end());
    check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), "set chunk shape of " + what);
    if (options.deflate_level > 0) {
      check(H5Pset_shuffle(dcpl.get()), "enable shuffle filter on " + what);
      check(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(options.deflate_level)),
            "enable deflate filter on " + what);
    }
  }
  H5Id lcpl = make_link_create_props();
  return check_id(H5Dcreate2(loc, name.c_str(), file_type_of(dtype), space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT),
                  "create dataset " + what);
}

void write_array(hid_t loc, const ArrayView& a, const DatasetOptions& options) {
  if (a.data == nullptr && a.byte_size() > 0)
    throw std::invalid_argument("write dataset " + where(loc, a.name) + ": null data for a non-empty array");
  H5Id dset = create_dataset(loc, a.name, a.dtype, a.shape, options);
  if (a.byte_size() > 0)
    check(H5Dwrite(dset.get(), memory_type_of(a.dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT, a.data),
          "write dataset " + where(loc, a.name));
}

namespace {

// Which filters a chunked dataset's pipeline holds: deflate's index in it (-1: none), and whether
// every filter is one whose decoded size this check can know (shuffle, deflate, fletcher32).
struct Pipeline {
  int deflate = -1;
  bool known = true;
};

Pipeline pipeline_of(hid_t dcpl) {
  Pipeline p;
  const int n = H5Pget_nfilters(dcpl);
  for (int i = 0; i < n; ++i) {
    unsigned flags = 0, config = 0;
    std::size_t elements = 0;
    const H5Z_filter_t id = H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &elements, nullptr, 0, nullptr, &config);
    if (id == H5Z_FILTER_DEFLATE) p.deflate = i;
    else if (id != H5Z_FILTER_SHUFFLE) p.known = false;
  }
  return p;
}

// The size a stored (deflated) chunk inflates to, or -1 if it does not inflate.
std::int64_t inflated_size(const std::vector<std::uint8_t>& packed, hsize_t expected) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(expected) + 1);
  uLongf size = static_cast<uLongf>(out.size());
  const int status = uncompress(out.data(), &size, packed.data(), static_cast<uLong>(packed.size()));
  return status == Z_OK ? static_cast<std::int64_t>(size) : -1;
}

}  // namespace

std::string damaged_chunks(hid_t dataset) {
  H5Id dcpl(H5Dget_create_plist(dataset));
  if (!dcpl.valid()) return "cannot read its creation properties";
  const H5D_layout_t layout = H5Pget_layout(dcpl.get());
  if (layout == H5D_CONTIGUOUS) {
    // Never written with a non-empty extent: HDF5 would fill the read from the fill value, which a
    // damaged file makes it overread (tests/fuzz finding 13, fourth input).
    H5Id space(H5Dget_space(dataset));
    if (space.valid() && H5Sget_simple_extent_npoints(space.get()) > 0 && H5Dget_offset(dataset) == HADDR_UNDEF &&
        H5Pget_external_count(dcpl.get()) == 0)
      return "data that was never written (HDF5 would make it up from the fill value)";
    return {};
  }
  if (layout != H5D_CHUNKED) return {};
  const Pipeline pipeline = pipeline_of(dcpl.get());
  if (!pipeline.known) return {};  // other filters (szip, lzf...): their decoded size is theirs to check
  const int rank = H5Pget_chunk(dcpl.get(), 0, nullptr);
  if (rank <= 0 || rank > 32) return "chunked without a valid chunk shape";
  std::vector<hsize_t> chunk(static_cast<std::size_t>(rank));
  H5Pget_chunk(dcpl.get(), rank, chunk.data());
  H5Id type(H5Dget_type(dataset));
  H5Id space(H5Dget_space(dataset));
  if (!type.valid() || !space.valid() || H5Sget_simple_extent_ndims(space.get()) != rank) return "chunk rank mismatch";
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  hsize_t chunk_bytes = H5Tget_size(type.get()), grid = 1;
  std::vector<hsize_t> per_dim(static_cast<std::size_t>(rank));
  for (std::size_t d = 0; d < dims.size(); ++d) {
    if (chunk[d] == 0) return "a chunk dimension of 0";
    per_dim[d] = (dims[d] + chunk[d] - 1) / chunk[d];
    if (per_dim[d] > 0 && grid > (hsize_t{1} << 22) / per_dim[d]) return "more than 2^22 chunks";
    grid *= per_dim[d];
    if (chunk_bytes > (hsize_t{1} << 40) / chunk[d]) return "chunks of more than 1 TB";
    chunk_bytes *= chunk[d];
  }
  std::vector<hsize_t> at(static_cast<std::size_t>(rank), 0), offset(static_cast<std::size_t>(rank));
  for (hsize_t n = 0; n < grid; ++n) {
    for (std::size_t d = 0; d < at.size(); ++d) offset[d] = at[d] * chunk[d];
    unsigned mask = 0;
    haddr_t address = HADDR_UNDEF;
    hsize_t size = 0;
    if (H5Dget_chunk_info_by_coord(dataset, offset.data(), &mask, &address, &size) < 0) return "unreadable chunk index";
    if (address == HADDR_UNDEF) return "a chunk that was never written (HDF5 would make it up from the fill value)";
    const bool deflated = pipeline.deflate >= 0 && (mask & (1u << pipeline.deflate)) == 0;
    if (address != HADDR_UNDEF && !deflated && size != chunk_bytes) {
      return "a chunk stored in " + std::to_string(size) + " bytes, its shape needs " + std::to_string(chunk_bytes) +
             " (damaged file)";
    }
    if (address != HADDR_UNDEF && deflated) {
      // HDF5 1.10.8 copies a whole chunk out of what the filters return: a chunk that inflates to
      // fewer bytes overreads the heap too (tests/fuzz finding 13, second input).
      if (size > (hsize_t{1} << 31)) return "a compressed chunk of more than 2 GB";
      std::vector<std::uint8_t> packed(static_cast<std::size_t>(size));
      std::uint32_t read_mask = 0;
      if (H5Dread_chunk(dataset, H5P_DEFAULT, offset.data(), &read_mask, packed.data()) < 0) return "unreadable chunk";
      const std::int64_t inflated = inflated_size(packed, chunk_bytes);
      if (inflated != static_cast<std::int64_t>(chunk_bytes)) {
        return "a compressed chunk that inflates to " + (inflated < 0 ? std::string("nothing valid") : std::to_string(inflated) + " bytes") +
               ", its shape needs " + std::to_string(chunk_bytes) + " (damaged file)";
      }
    }
    for (std::size_t d = at.size(); d-- > 0;) {  // next chunk coordinate, row-major
      if (++at[d] < per_dim[d]) break;
      at[d] = 0;
    }
  }
  return {};
}

Array read_array(hid_t loc, const std::string& name) {
  const std::string what = where(loc, name);
  H5Id dset = check_id(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), "open dataset " + what);
  Array out;
  out.name = name;
  out.dtype = dtype_of_dataset(dset.get());
  H5Id space = check_id(H5Dget_space(dset.get()), "read dataspace of " + what);
  out.shape = dataspace_shape(space.get());
  if (std::string why = damaged_chunks(dset.get()); !why.empty()) throw H5Error("read dataset " + what + ": " + why, "");
  out.bytes.resize(static_cast<std::size_t>(out.numel()) * dtype_size(out.dtype));
  if (!out.bytes.empty())
    check(H5Dread(dset.get(), memory_type_of(out.dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.bytes.data()),
          "read dataset " + what);
  return out;
}

// ---- attributes ----------------------------------------------------------------------------------

namespace {

void write_scalar_attr(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type,
                       const void* value) {
  const std::string what = "attribute " + name + " of " + where(obj, "");
  if (has_attr(obj, name)) check(H5Adelete(obj, name.c_str()), "replace " + what);
  H5Id space = check_id(H5Screate(H5S_SCALAR), "create scalar dataspace");
  H5Id attr = check_id(H5Acreate2(obj, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                       "create " + what);
  check(H5Awrite(attr.get(), mem_type, value), "write " + what);
}

H5Id open_attr(hid_t obj, const std::string& name) {
  return check_id(H5Aopen(obj, name.c_str(), H5P_DEFAULT),
                  "open attribute " + name + " of " + where(obj, ""));
}

H5T_class_t attr_class(hid_t attr) {
  H5Id type = check_id(H5Aget_type(attr), "read attribute type");
  return H5Tget_class(type.get());
}

[[noreturn]] void wrong_kind(hid_t obj, const std::string& name, const char* wanted) {
  throw H5Error("read attribute " + name + " of " + where(obj, ""), std::string("not ") + wanted);
}

herr_t collect_attr_name(hid_t, const char* name, const H5A_info_t*, void* client) {
  try {
    static_cast<std::vector<std::string>*>(client)->emplace_back(name);
  } catch (...) {
    return -1;
  }
  return 0;
}

}  // namespace

void write_attr_int(hid_t obj, const std::string& name, std::int64_t value) {
  write_scalar_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void write_attr_double(hid_t obj, const std::string& name, double value) {
  write_scalar_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void write_attr_string(hid_t obj, const std::string& name, const std::string& value) {
  if (value.find('\0') != std::string::npos)
    throw std::invalid_argument("string attribute " + name + " contains a NUL character");
  H5Id type = check_id(H5Tcopy(H5T_C_S1), "copy string type");
  // HDF5 has no zero-length fixed strings: "" is stored as one NUL byte.
  check(H5Tset_size(type.get(), std::max<std::size_t>(value.size(), 1)), "size string type");
  check(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), "set string padding");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set string charset");
  const char nul = '\0';
  write_scalar_attr(obj, name, type.get(), type.get(), value.empty() ? &nul : value.data());
}

bool has_attr(hid_t obj, const std::string& name) {
  return check_tri(H5Aexists(obj, name.c_str()), "look up attribute " + name + " of " + where(obj, ""));
}

std::int64_t read_attr_int(hid_t obj, const std::string& name) {
  H5Id attr = open_attr(obj, name);
  if (attr_class(attr.get()) != H5T_INTEGER) wrong_kind(obj, name, "an integer");
  std::int64_t value = 0;
  check(H5Aread(attr.get(), H5T_NATIVE_INT64, &value), "read attribute " + name + " of " + where(obj, ""));
  return value;
}

double read_attr_double(hid_t obj, const std::string& name) {
  H5Id attr = open_attr(obj, name);
  if (attr_class(attr.get()) != H5T_FLOAT) wrong_kind(obj, name, "a float");
  double value = 0;
  check(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value), "read attribute " + name + " of " + where(obj, ""));
  return value;
}

std::string read_attr_string(hid_t obj, const std::string& name) {
  const std::string what = "read attribute " + name + " of " + where(obj, "");
  H5Id attr = open_attr(obj, name);
  H5Id type = check_id(H5Aget_type(attr.get()), what);
  if (H5Tget_class(type.get()) != H5T_STRING) wrong_kind(obj, name, "a string");
  H5Id space = check_id(H5Aget_space(attr.get()), what);
  if (H5Sget_simple_extent_npoints(space.get()) != 1) wrong_kind(obj, name, "a single string");
  if (check_tri(H5Tis_variable_str(type.get()), what)) {
    H5Id mem = check_id(H5Tcopy(H5T_C_S1), what);
    check(H5Tset_size(mem.get(), H5T_VARIABLE), what);
    check(H5Tset_cset(mem.get(), H5Tget_cset(type.get())), what);
    char* text = nullptr;
    check(H5Aread(attr.get(), mem.get(), &text), what);
    std::string out = text ? text : "";
    H5free_memory(text);
    return out;
  }
  std::string buf(H5Tget_size(type.get()), '\0');
  check(H5Aread(attr.get(), type.get(), buf.data()), what);
  return buf.substr(0, buf.find('\0'));
}

AttrKind attr_kind(hid_t obj, const std::string& name) {
  H5Id attr = open_attr(obj, name);
  switch (attr_class(attr.get())) {
    case H5T_INTEGER: return AttrKind::Int;
    case H5T_FLOAT: return AttrKind::Double;
    case H5T_STRING: return AttrKind::String;
    default: return AttrKind::Other;
  }
}

std::vector<std::string> list_attrs(hid_t obj) {
  std::vector<std::string> names;
  hsize_t idx = 0;
  check(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr_name, &names),
        "list attributes of " + where(obj, ""));
  return names;
}

std::string hdf5_library_version() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

}  // namespace hierad::storage

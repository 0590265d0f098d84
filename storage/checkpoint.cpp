#include "storage/checkpoint.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "storage/checksum.hpp"
#include "storage/durable_file.hpp"
#include "storage/h5_io.hpp"

namespace hierad::storage {

namespace {

constexpr const char* kFormat = "hierad-checkpoint";
constexpr std::int64_t kFormatVersion = 1;
constexpr const char* kArraysGroup = "arrays";
constexpr const char* kMetadataGroup = "metadata";

struct ManifestEntry {
  std::string name;
  DType dtype;
  std::vector<std::int64_t> shape;
  std::uint32_t crc;
};

// Entries must be sorted by name; Metadata (a std::map) already is by key.
std::uint32_t manifest_checksum(const std::vector<ManifestEntry>& entries, const Metadata& metadata) {
  Crc32 crc;
  crc.add_string(kFormat);
  crc.add_i64(kFormatVersion);
  crc.add_i64(static_cast<std::int64_t>(entries.size()));
  for (const ManifestEntry& e : entries) {
    crc.add_string(e.name);
    crc.add_u8(static_cast<std::uint8_t>(e.dtype));
    crc.add_i64(static_cast<std::int64_t>(e.shape.size()));
    for (std::int64_t d : e.shape) crc.add_i64(d);
    crc.add_u32(e.crc);
  }
  crc.add_i64(static_cast<std::int64_t>(metadata.size()));
  for (const auto& [key, value] : metadata) {
    crc.add_string(key);
    crc.add_u8(static_cast<std::uint8_t>(value.index()));
    if (auto* i = std::get_if<std::int64_t>(&value)) crc.add_i64(*i);
    else if (auto* d = std::get_if<double>(&value)) crc.add_f64(*d);
    else crc.add_string(std::get<std::string>(value));
  }
  return crc.value();
}

std::vector<ManifestEntry> manifest_of(const std::vector<ArrayView>& arrays) {
  std::vector<ManifestEntry> entries;
  entries.reserve(arrays.size());
  for (const ArrayView& a : arrays)
    entries.push_back({a.name, a.dtype, a.shape, crc32_of(a.data, a.byte_size())});
  std::sort(entries.begin(), entries.end(),
            [](const ManifestEntry& x, const ManifestEntry& y) { return x.name < y.name; });
  return entries;
}

void validate_inputs(const std::vector<ArrayView>& arrays, const Metadata& metadata) {
  std::set<std::string> names;
  for (const ArrayView& a : arrays) {
    validate_object_name(a.name);
    if (!names.insert(a.name).second) throw std::invalid_argument("duplicate array name '" + a.name + "'");
    if (a.data == nullptr && a.byte_size() > 0)
      throw std::invalid_argument("array '" + a.name + "' has no data");
  }
  for (const auto& [key, value] : metadata)
    if (key.empty() || key.find('\0') != std::string::npos)
      throw std::invalid_argument("invalid metadata key '" + key + "'");
}

std::string uint32_hex(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

void write_file(const std::filesystem::path& path, const std::vector<ArrayView>& arrays,
                const std::vector<ManifestEntry>& manifest, const Metadata& metadata,
                std::uint32_t checksum) {
  H5Id file = create_file(path, /*overwrite=*/false);
  {
    write_attr_string(file.get(), "format", kFormat);
    write_attr_int(file.get(), "format_version", kFormatVersion);
    write_attr_int(file.get(), "array_count", static_cast<std::int64_t>(arrays.size()));
    write_attr_int(file.get(), "checksum_crc32", checksum);
    write_attr_string(file.get(), "hdf5_version", hdf5_library_version());

    H5Id group = create_group(file.get(), kArraysGroup);
    for (const ArrayView& a : arrays) {
      write_array(group.get(), a);
      const auto entry = std::lower_bound(manifest.begin(), manifest.end(), a.name,
                                          [](const ManifestEntry& e, const std::string& n) { return e.name < n; });
      H5Id dset = check_id(H5Dopen2(group.get(), a.name.c_str(), H5P_DEFAULT), "reopen " + where(group.get(), a.name));
      write_attr_int(dset.get(), "crc32", entry->crc);
    }
    H5Id meta = create_group(file.get(), kMetadataGroup);
    for (const auto& [key, value] : metadata) {
      if (auto* i = std::get_if<std::int64_t>(&value)) write_attr_int(meta.get(), key, *i);
      else if (auto* d = std::get_if<double>(&value)) write_attr_double(meta.get(), key, *d);
      else write_attr_string(meta.get(), key, std::get<std::string>(value));
    }
  }  // every object is closed before the file
  check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush " + path.string());
  close_file(file);
  fsync_file(path);  // after the close: closing writes the final superblock and end-of-file address
}

Checkpoint read_file(const std::filesystem::path& path) {
  H5Id file = open_file(path, FileMode::ReadOnly);
  if (!has_attr(file.get(), "format") || read_attr_string(file.get(), "format") != kFormat)
    throw CheckpointError(path, "not a hierad checkpoint (no format=\"hierad-checkpoint\" attribute)");
  const std::int64_t version = read_attr_int(file.get(), "format_version");
  if (version != kFormatVersion)
    throw CheckpointError(path, "unsupported checkpoint format version " + std::to_string(version));

  Checkpoint out;
  out.path = path;
  std::vector<ManifestEntry> manifest;
  H5Id group = open_group(file.get(), kArraysGroup);
  for (const std::string& name : list_datasets(group.get())) {
    Array a = read_array(group.get(), name);
    H5Id dset = check_id(H5Dopen2(group.get(), name.c_str(), H5P_DEFAULT), "open " + where(group.get(), name));
    const auto stored = static_cast<std::uint32_t>(read_attr_int(dset.get(), "crc32"));
    const std::uint32_t actual = crc32_of(a.bytes.data(), a.bytes.size());
    if (stored != actual)
      throw CheckpointError(path, "array '" + name + "' is corrupt: CRC-32 " + uint32_hex(actual) +
                                      " differs from the stored " + uint32_hex(stored));
    manifest.push_back({a.name, a.dtype, a.shape, actual});
    out.arrays.push_back(std::move(a));
  }
  const std::int64_t expected_count = read_attr_int(file.get(), "array_count");
  if (expected_count != static_cast<std::int64_t>(out.arrays.size()))
    throw CheckpointError(path, "holds " + std::to_string(out.arrays.size()) + " arrays, the header says " +
                                    std::to_string(expected_count));

  H5Id meta = open_group(file.get(), kMetadataGroup);
  for (const std::string& key : list_attrs(meta.get())) {
    switch (attr_kind(meta.get(), key)) {
      case AttrKind::Int: out.metadata[key] = read_attr_int(meta.get(), key); break;
      case AttrKind::Double: out.metadata[key] = read_attr_double(meta.get(), key); break;
      case AttrKind::String: out.metadata[key] = read_attr_string(meta.get(), key); break;
      case AttrKind::Other: throw CheckpointError(path, "metadata '" + key + "' has an unsupported type");
    }
  }

  const auto stored = static_cast<std::uint32_t>(read_attr_int(file.get(), "checksum_crc32"));
  out.checksum = manifest_checksum(manifest, out.metadata);
  if (stored != out.checksum)
    throw CheckpointError(path, "manifest checksum " + uint32_hex(out.checksum) + " differs from the stored " +
                                    uint32_hex(stored) + " (array names, shapes or metadata altered)");
  return out;
}

}  // namespace

CheckpointError::CheckpointError(const std::filesystem::path& path, const std::string& problem)
    : std::runtime_error("checkpoint " + path.string() + ": " + problem), path_(path), problem_(problem) {}

const Array* Checkpoint::find(const std::string& name) const {
  const auto it = std::lower_bound(arrays.begin(), arrays.end(), name,
                                   [](const Array& a, const std::string& n) { return a.name < n; });
  return it != arrays.end() && it->name == name ? &*it : nullptr;
}

const Array& Checkpoint::at(const std::string& name) const {
  if (const Array* a = find(name)) return *a;
  throw CheckpointError(path, "has no array '" + name + "'");
}

namespace {
template <class T> const T& meta_get(const Checkpoint& c, const std::string& key, const char* kind) {
  const auto it = c.metadata.find(key);
  if (it == c.metadata.end()) throw CheckpointError(c.path, "has no metadata '" + key + "'");
  if (const T* v = std::get_if<T>(&it->second)) return *v;
  throw CheckpointError(c.path, "metadata '" + key + "' is not " + kind);
}
}  // namespace

std::int64_t Checkpoint::meta_int(const std::string& key) const {
  return meta_get<std::int64_t>(*this, key, "an integer");
}
double Checkpoint::meta_double(const std::string& key) const { return meta_get<double>(*this, key, "a float"); }
const std::string& Checkpoint::meta_string(const std::string& key) const {
  return meta_get<std::string>(*this, key, "a string");
}

std::uint32_t checkpoint_checksum(const std::vector<ArrayView>& arrays, const Metadata& metadata) {
  return manifest_checksum(manifest_of(arrays), metadata);
}

std::uint32_t write_checkpoint(const std::filesystem::path& path, const std::vector<ArrayView>& arrays,
                               const Metadata& metadata, const CheckpointWriteOptions& options) {
  const std::filesystem::path tmp = temporary_sibling(path);
  try {
    validate_inputs(arrays, metadata);
    const std::vector<ManifestEntry> manifest = manifest_of(arrays);
    const std::uint32_t checksum = manifest_checksum(manifest, metadata);
    std::filesystem::remove(tmp);  // a leftover of this very process (same pid) from a failed write
    write_file(tmp, arrays, manifest, metadata, checksum);
    if (options.verify) {
      const Checkpoint back = read_file(tmp);
      if (back.checksum != checksum)
        throw CheckpointError(tmp, "read-back checksum " + uint32_hex(back.checksum) + " differs from " +
                                       uint32_hex(checksum));
    }
    rename_durably(tmp, path);
    return checksum;
  } catch (const std::exception& e) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    if (const auto* ce = dynamic_cast<const CheckpointError*>(&e); ce && ce->path() == path) throw;
    throw CheckpointError(path, std::string("cannot write: ") + e.what());
  }
}

Checkpoint read_checkpoint(const std::filesystem::path& path) {
  try {
    return read_file(path);
  } catch (const CheckpointError&) {
    throw;
  } catch (const std::exception& e) {
    throw CheckpointError(path, std::string("unreadable (truncated or corrupt?): ") + e.what());
  }
}

}  // namespace hierad::storage

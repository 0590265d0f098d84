#include "src/data/hdf5_images.hpp"

#include "src/data/data_error.hpp"
#include "src/data/hdf5_handles.hpp"
#include "src/data/resize.hpp"
#include "storage/h5_io.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace hierad::data {

using detail::h5_check;
using detail::h5_check_status;
using detail::H5Id;

const char* layout_name(ImageLayout layout) { return layout == ImageLayout::nchw ? "NCHW" : "NHWC"; }

namespace {

constexpr hsize_t kMaxSide = 1 << 16;         // pixels per image side a dataset may have
constexpr std::int64_t kMaxExpansion = 1100;  // image bytes per stored byte (deflate: <= ~1032)

// The "layout" attribute, if there is one (fixed-length or variable-length string).
std::optional<std::string> read_layout_attribute(hid_t dset, const std::filesystem::path& file) {
  if (H5Aexists(dset, "layout") <= 0) return std::nullopt;
  H5Id attr(h5_check(H5Aopen(dset, "layout", H5P_DEFAULT), file, "cannot open attribute 'layout'"));
  H5Id type(h5_check(H5Aget_type(attr.get()), file, "cannot read the type of attribute 'layout'"));
  if (H5Tget_class(type.get()) != H5T_STRING) throw DataError(file, "attribute 'layout' is not a string");
  std::string value;
  if (H5Tis_variable_str(type.get()) > 0) {
    H5Id mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));  // h5py writes UTF-8: ASCII would not convert
    char* text = nullptr;
    h5_check_status(H5Aread(attr.get(), mem.get(), &text), file, "cannot read attribute 'layout'");
    if (text) value = text;
    H5free_memory(text);
  } else {
    const std::size_t n = H5Tget_size(type.get());
    // One byte more than stored: a null-terminated memory type of size n keeps only n-1 characters.
    std::vector<char> buf(n + 1, '\0');
    H5Id mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem.get(), n + 1);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    h5_check_status(H5Aread(attr.get(), mem.get(), buf.data()), file, "cannot read attribute 'layout'");
    value = buf.data();
  }
  return value;
}

}  // namespace

Hdf5ImageSource::Hdf5ImageSource(const std::filesystem::path& file, const std::string& dataset, int size)
    : path_(file), dataset_(dataset), size_(size) {
  require_exists(file);
  storage::silence_hdf5_errors();  // the error stack travels in the DataError instead
  if (H5Fis_hdf5(file.c_str()) <= 0) throw DataError(file, "is not an HDF5 file");
  H5Id f(h5_check(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), file, "cannot open as HDF5"));
  if (H5Lexists(f.get(), dataset.c_str(), H5P_DEFAULT) <= 0)
    throw DataError(file, "has no dataset '" + dataset + "'");
  H5Id d(h5_check(H5Dopen2(f.get(), dataset.c_str(), H5P_DEFAULT), file, "cannot open dataset '" + dataset + "'"));

  H5Id type(h5_check(H5Dget_type(d.get()), file, "cannot read the type of '" + dataset + "'"));
  if (H5Tget_class(type.get()) != H5T_INTEGER || H5Tget_size(type.get()) != 1 || H5Tget_sign(type.get()) != H5T_SGN_NONE)
    throw DataError(file, "dataset '" + dataset + "' is not unsigned 8-bit integers");
  H5Id space(h5_check(H5Dget_space(d.get()), file, "cannot read the shape of '" + dataset + "'"));
  if (H5Sget_simple_extent_ndims(space.get()) != 4)
    throw DataError(file, "dataset '" + dataset + "' has rank " +
                              std::to_string(H5Sget_simple_extent_ndims(space.get())) + ", expected 4 (N,C,H,W or N,H,W,C)");
  std::array<hsize_t, 4> dims{};
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  const std::string dims_text = std::to_string(dims[0]) + "x" + std::to_string(dims[1]) + "x" +
                                std::to_string(dims[2]) + "x" + std::to_string(dims[3]);

  const auto is_channels = [](hsize_t c) { return c == 1 || c == 3; };
  const auto attr = read_layout_attribute(d.get(), file);
  if (attr) {
    if (*attr == "NCHW") layout_ = ImageLayout::nchw;
    else if (*attr == "NHWC") layout_ = ImageLayout::nhwc;
    else throw DataError(file, "dataset '" + dataset + "' has layout attribute '" + *attr + "', expected NCHW or NHWC");
  } else if (is_channels(dims[1]) && !is_channels(dims[3])) {
    layout_ = ImageLayout::nchw;
  } else if (is_channels(dims[3]) && !is_channels(dims[1])) {
    layout_ = ImageLayout::nhwc;
  } else {
    throw DataError(file, "dataset '" + dataset + "' is " + dims_text +
                              ": cannot tell NCHW from NHWC; add a string attribute layout = \"NCHW\" or \"NHWC\"");
  }
  // Sizes are checked before they are narrowed to int and multiplied: a hostile header could make
  // them negative or wrap the total (the IDX reader had that bug, found by tests/fuzz).
  const hsize_t height = layout_ == ImageLayout::nchw ? dims[2] : dims[1];
  const hsize_t width = layout_ == ImageLayout::nchw ? dims[3] : dims[2];
  if (height > kMaxSide || width > kMaxSide || dims[0] > static_cast<hsize_t>(INT64_MAX) / (3 * kMaxSide * kMaxSide))
    throw DataError(file, "dataset '" + dataset + "' is " + dims_text + ": implausibly large (images at most " +
                              std::to_string(kMaxSide) + " pixels a side)");
  count_ = static_cast<std::int64_t>(dims[0]);
  if (layout_ == ImageLayout::nchw)
    stored_ = {static_cast<int>(dims[1]), static_cast<int>(dims[2]), static_cast<int>(dims[3])};
  else
    stored_ = {static_cast<int>(dims[3]), static_cast<int>(dims[1]), static_cast<int>(dims[2])};
  if (!is_channels(static_cast<hsize_t>(stored_.channels)) || stored_.height == 0 || stored_.width == 0)
    throw DataError(file, "dataset '" + dataset + "' is " + dims_text + " in layout " + layout_name(layout_) +
                              ": expected 1 or 3 channels and non-empty images");

  // Contiguous and unfiltered: read the bytes directly. HADDR_UNDEF means nothing was written.
  H5Id dcpl(h5_check(H5Dget_create_plist(d.get()), file, "cannot read the storage of '" + dataset + "'"));
  const haddr_t offset = H5Dget_offset(d.get());
  const std::int64_t total = count_ * stored_.bytes();
  if (H5Pget_layout(dcpl.get()) == H5D_CONTIGUOUS && H5Pget_external_count(dcpl.get()) == 0 &&
      offset != HADDR_UNDEF && static_cast<std::int64_t>(H5Dget_storage_size(d.get())) == total) {
    data_offset_ = static_cast<std::int64_t>(offset);
    direct_.emplace(file);
    if (data_offset_ + total > direct_->size())
      throw DataError(file, "dataset '" + dataset + "' extends past the end of the file (truncated copy?)");
  } else if (count_ > 0) {
    // Read into memory: what the file's chunks can hold bounds what is allocated. Deflate expands
    // at most ~1032x; more images than that are chunks never written (HDF5 would invent fill
    // values) or a forged header asking for terabytes.
    // The index's own claim, at most the file's size (chunk sizes in a damaged index are forged:
    // a small file once claimed enough storage for a 16 GB read, tests/fuzz finding 17).
    std::error_code size_error;
    const auto file_bytes = static_cast<std::int64_t>(std::filesystem::file_size(file, size_error));
    const auto stored = std::min(static_cast<std::int64_t>(H5Dget_storage_size(d.get())),
                                 size_error ? std::int64_t{0} : file_bytes);
    if (total / kMaxExpansion > stored + (1 << 20))
      throw DataError(file, "dataset '" + dataset + "' is " + dims_text + " (" + std::to_string(total) +
                                " bytes) but its storage holds only " + std::to_string(stored) +
                                " bytes (unwritten chunks or a damaged header)");
    if (std::string why = storage::damaged_chunks(d.get()); !why.empty())
      throw DataError(file, "dataset '" + dataset + "': " + why);
    memory_.resize(static_cast<std::size_t>(total));
    h5_check_status(H5Dread(d.get(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, memory_.data()), file,
                    "cannot read dataset '" + dataset + "'");
  }

  const std::string labels_name = dataset + "_labels";
  if (H5Lexists(f.get(), labels_name.c_str(), H5P_DEFAULT) > 0) {
    H5Id l(h5_check(H5Dopen2(f.get(), labels_name.c_str(), H5P_DEFAULT), file, "cannot open '" + labels_name + "'"));
    H5Id ls(h5_check(H5Dget_space(l.get()), file, "cannot read the shape of '" + labels_name + "'"));
    const hssize_t n = H5Sget_simple_extent_npoints(ls.get());
    if (H5Sget_simple_extent_ndims(ls.get()) != 1 || n != count_)
      throw DataError(file, "'" + labels_name + "' has " + std::to_string(n) + " entries for " +
                                std::to_string(count_) + " images");
    // An integer type, as the writer stores: HDF5 sizes its conversion buffer from the stored
    // type, and a forged type of gigabytes per element made it allocate 4 GB (fuzz finding,
    // tests/fuzz/regressions/hdf5_images/labels_type_of_gigabytes).
    H5Id lt(h5_check(H5Dget_type(l.get()), file, "cannot read the type of '" + labels_name + "'"));
    if (H5Tget_class(lt.get()) != H5T_INTEGER || H5Tget_size(lt.get()) > 8)
      throw DataError(file, "'" + labels_name + "' is not an integer dataset");
    if (std::string why = storage::damaged_chunks(l.get()); !why.empty())
      throw DataError(file, "'" + labels_name + "': " + why);
    labels_.resize(static_cast<std::size_t>(count_));
    h5_check_status(H5Dread(l.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels_.data()), file,
                    "cannot read '" + labels_name + "'");
  }
}

void Hdf5ImageSource::convert(const std::uint8_t* raw, std::int64_t n, std::uint8_t* out) const {
  const std::int64_t in_bytes = stored_.bytes();
  const std::int64_t out_bytes = shape().bytes();
  const int c = stored_.channels, h = stored_.height, w = stored_.width;
  const bool same_size = h == size_ && w == size_;
  std::vector<std::uint8_t> hwc;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint8_t* src = raw + i * in_bytes;
    std::uint8_t* dst = out + i * out_bytes;
    if (same_size && layout_ == ImageLayout::nchw) {
      if (src != dst) std::memmove(dst, src, static_cast<std::size_t>(in_bytes));
      continue;
    }
    // Interleaved (H, W, C) copy, for the transpose or for stb's resizer.
    hwc.resize(static_cast<std::size_t>(in_bytes));
    if (layout_ == ImageLayout::nhwc) {
      std::memcpy(hwc.data(), src, static_cast<std::size_t>(in_bytes));
    } else {
      for (int ch = 0; ch < c; ++ch)
        for (std::int64_t p = 0; p < std::int64_t{h} * w; ++p) hwc[p * c + ch] = src[ch * std::int64_t{h} * w + p];
    }
    if (same_size) {
      for (std::int64_t p = 0; p < std::int64_t{h} * w; ++p)
        for (int ch = 0; ch < c; ++ch) dst[ch * std::int64_t{h} * w + p] = hwc[p * c + ch];
    } else if (!square_resize_hwc_to_chw(hwc.data(), w, h, c, dst, size_)) {
      throw DataError(path_, "resizing image " + std::to_string(i) + " failed");
    }
  }
}

void Hdf5ImageSource::read(std::int64_t index, std::uint8_t* out) const { read_many(index, 1, out); }

void Hdf5ImageSource::read_many(std::int64_t first, std::int64_t count, std::uint8_t* out) const {
  if (first < 0 || count < 0 || first + count > count_)
    throw DataError(path_, "images " + std::to_string(first) + ".." + std::to_string(first + count) +
                               " requested from a dataset of " + std::to_string(count_));
  const std::int64_t in_bytes = stored_.bytes();
  const bool in_place = in_bytes == shape().bytes() && layout_ == ImageLayout::nchw;
  if (!direct_) {
    convert(memory_.data() + first * in_bytes, count, out);
    return;
  }
  if (in_place) {
    direct_->read_at(data_offset_ + first * in_bytes, static_cast<std::size_t>(count * in_bytes), out);
    return;
  }
  std::vector<std::uint8_t> raw(static_cast<std::size_t>(count * in_bytes));
  direct_->read_at(data_offset_ + first * in_bytes, raw.size(), raw.data());
  convert(raw.data(), count, out);
}

}  // namespace hierad::data

// write_hdf5_images: the one call behind `hierad convert` (format in hdf5_images.hpp).
#include "src/data/data_error.hpp"
#include "src/data/hdf5_handles.hpp"
#include "src/data/hdf5_images.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <system_error>
#include <vector>

namespace hierad::data {

using detail::h5_check;
using detail::h5_check_status;
using detail::H5Id;

namespace {

void write_string_attribute(hid_t obj, const char* name, const std::string& value, const std::filesystem::path& file) {
  H5Id type(h5_check(H5Tcopy(H5T_C_S1), file, "cannot make a string type"));
  H5Tset_size(type.get(), std::max<std::size_t>(value.size(), 1));
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  H5Id space(h5_check(H5Screate(H5S_SCALAR), file, "cannot make a scalar dataspace"));
  H5Id attr(h5_check(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), file,
                     std::string("cannot create attribute '") + name + "'"));
  const std::string padded = value.empty() ? std::string(1, '\0') : value;
  h5_check_status(H5Awrite(attr.get(), type.get(), padded.data()), file,
                  std::string("cannot write attribute '") + name + "'");
}

void write_all(const Source& source, const std::filesystem::path& tmp, const std::string& dataset, ImageLayout layout,
               const ConvertProgress& progress) {
  const Shape s = source.shape();
  const std::int64_t n = source.size();
  H5Id file(h5_check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), tmp, "cannot create file"));
  H5Id lcpl(h5_check(H5Pcreate(H5P_LINK_CREATE), tmp, "cannot make a link property list"));
  H5Pset_create_intermediate_group(lcpl.get(), 1);

  const std::array<hsize_t, 4> dims =
      layout == ImageLayout::nchw
          ? std::array<hsize_t, 4>{hsize_t(n), hsize_t(s.channels), hsize_t(s.height), hsize_t(s.width)}
          : std::array<hsize_t, 4>{hsize_t(n), hsize_t(s.height), hsize_t(s.width), hsize_t(s.channels)};
  H5Id space(h5_check(H5Screate_simple(4, dims.data(), nullptr), tmp, "cannot make the image dataspace"));
  H5Id dcpl(h5_check(H5Pcreate(H5P_DATASET_CREATE), tmp, "cannot make a dataset property list"));
  H5Pset_layout(dcpl.get(), H5D_CONTIGUOUS);
  H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY);  // the reader needs the data's offset, even for N = 0
  H5Id dset(h5_check(H5Dcreate2(file.get(), dataset.c_str(), H5T_STD_U8LE, space.get(), lcpl.get(), dcpl.get(),
                                H5P_DEFAULT),
                     tmp, "cannot create dataset '" + dataset + "'"));
  write_string_attribute(dset.get(), "layout", layout_name(layout), tmp);
  write_string_attribute(dset.get(), "source", source.name(), tmp);

  // Chunks of images: read (C,H,W) from the source, rearrange if NHWC, write one hyperslab.
  const std::int64_t bytes = s.bytes();
  const std::int64_t chunk = std::max<std::int64_t>(1, (64 << 20) / std::max<std::int64_t>(bytes, 1));
  std::vector<std::uint8_t> chw, hwc;
  std::vector<std::int64_t> labels(static_cast<std::size_t>(n), -1);
  bool any_label = false;
  for (std::int64_t first = 0; first < n; first += chunk) {
    const std::int64_t count = std::min(chunk, n - first);
    chw.resize(static_cast<std::size_t>(count * bytes));
    source.read_many(first, count, chw.data());
    const std::uint8_t* data = chw.data();
    if (layout == ImageLayout::nhwc) {
      hwc.resize(chw.size());
      const std::int64_t plane = s.pixels();
      for (std::int64_t i = 0; i < count; ++i)
        for (int c = 0; c < s.channels; ++c)
          for (std::int64_t p = 0; p < plane; ++p)
            hwc[i * bytes + p * s.channels + c] = chw[i * bytes + c * plane + p];
      data = hwc.data();
    }
    std::array<hsize_t, 4> start{hsize_t(first), 0, 0, 0};
    std::array<hsize_t, 4> extent = dims;
    extent[0] = hsize_t(count);
    H5Id mem(h5_check(H5Screate_simple(4, extent.data(), nullptr), tmp, "cannot make a memory dataspace"));
    H5Id fs(h5_check(H5Dget_space(dset.get()), tmp, "cannot get the file dataspace"));
    h5_check_status(H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr), tmp,
                    "cannot select images " + std::to_string(first) + ".." + std::to_string(first + count));
    h5_check_status(H5Dwrite(dset.get(), H5T_NATIVE_UINT8, mem.get(), fs.get(), H5P_DEFAULT, data), tmp,
                    "cannot write images " + std::to_string(first) + ".." + std::to_string(first + count));
    for (std::int64_t i = first; i < first + count; ++i) {
      labels[static_cast<std::size_t>(i)] = source.label(i);
      any_label = any_label || labels[static_cast<std::size_t>(i)] >= 0;
    }
    if (progress) progress(first + count, n);
  }

  if (any_label) {
    const hsize_t ln = hsize_t(n);
    H5Id ls(h5_check(H5Screate_simple(1, &ln, nullptr), tmp, "cannot make the label dataspace"));
    const std::string name = dataset + "_labels";
    H5Id l(h5_check(H5Dcreate2(file.get(), name.c_str(), H5T_STD_I64LE, ls.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                    tmp, "cannot create dataset '" + name + "'"));
    h5_check_status(H5Dwrite(l.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels.data()), tmp,
                    "cannot write '" + name + "'");
  }
  h5_check_status(H5Fflush(file.get(), H5F_SCOPE_LOCAL), tmp, "cannot flush");
}

}  // namespace

void write_hdf5_images(const Source& source, const std::filesystem::path& file, const std::string& dataset,
                       ImageLayout layout, const ConvertProgress& progress) {
  if (dataset.empty()) throw DataError(file, "the dataset name is empty");
  const std::filesystem::path tmp = file.string() + ".tmp";
  storage::silence_hdf5_errors();  // the error stack travels in the DataError instead
  try {
    write_all(source, tmp, dataset, layout, progress);  // every handle is closed when this returns
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) throw DataError(file, "cannot rename " + tmp.string() + " to it: " + ec.message());
}

}  // namespace hierad::data

#include "src/data/numpy_source.hpp"

#include "src/data/data_error.hpp"
#include "src/data/npy_header.hpp"
#include "src/data/zip_directory.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>

namespace hierad::data {
namespace {

enum class Layout { hwc, chw };  // chw also covers [N, 32, 32] grey and [N, 3072] planes

struct ImageArray {
  Shape shape;
  Layout layout = Layout::chw;
  std::int64_t count = 0;
};

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

// What an image array's header says about its images; `where` names the file (and member).
ImageArray image_array(const NpyHeader& header, const std::filesystem::path& where) {
  const NpyType type = npy_type(header.descr, where);
  if (type.kind != 'u' || type.item_size != 1) {
    throw DataError(where, "dtype '" + header.descr + "': images must be uint8 ('|u1'); convert with .astype(np.uint8)");
  }
  if (header.fortran_order) {
    throw DataError(where, "array in Fortran order: save it with np.ascontiguousarray(x) (C order)");
  }
  const auto& s = header.shape;
  const auto bad_shape = [&] {
    return DataError(where, "shape " + shape_text(s) + ": expected [N, 32, 32, C], [N, C, 32, 32], [N, 32, 32] or "
                            "[N, 3072] / [N, 1024] uint8 images (C = 1 or 3)");
  };
  ImageArray a;
  if (s.empty()) throw bad_shape();
  a.count = s[0];
  const auto is_c = [](std::int64_t c) { return c == 1 || c == 3; };
  if (s.size() == 4 && s[1] == 32 && s[2] == 32 && is_c(s[3])) {
    a.shape = {static_cast<int>(s[3]), 32, 32};
    a.layout = s[3] == 1 ? Layout::chw : Layout::hwc;
  } else if (s.size() == 4 && is_c(s[1]) && s[2] == 32 && s[3] == 32) {
    a.shape = {static_cast<int>(s[1]), 32, 32};
  } else if (s.size() == 3 && s[1] == 32 && s[2] == 32) {
    a.shape = {1, 32, 32};
  } else if (s.size() == 2 && (s[1] == 3072 || s[1] == 1024)) {
    a.shape = {s[1] == 3072 ? 3 : 1, 32, 32};
  } else {
    throw bad_shape();
  }
  return a;
}

// Natural order: digit runs compare as numbers, so batch_2 comes before batch_10.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      const std::string x = a.substr(i, ie - i), y = b.substr(j, je - j);
      const std::size_t xs = x.find_first_not_of('0'), ys = y.find_first_not_of('0');
      const std::string xn = xs == std::string::npos ? "" : x.substr(xs), yn = ys == std::string::npos ? "" : y.substr(ys);
      if (xn.size() != yn.size()) return xn.size() < yn.size();
      if (xn != yn) return xn < yn;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::int64_t read_integer(const std::uint8_t* p, const NpyType& type) {
  std::uint64_t v = 0;
  for (int k = 0; k < type.item_size; ++k) {
    const int byte = type.big_endian ? k : type.item_size - 1 - k;
    v = (v << 8) | p[byte];
  }
  if (type.kind == 'i' && type.item_size < 8) {
    const std::uint64_t sign = std::uint64_t{1} << (8 * type.item_size - 1);
    if (v & sign) v |= ~((sign << 1) - 1);  // sign-extend
  }
  return static_cast<std::int64_t>(v);
}

}  // namespace

// One file of the set: where its pixels are (a mapping of the file, or inflated bytes) and its labels.
struct NumpySource::Part {
  std::filesystem::path where;                 // file, or file[member]
  std::unique_ptr<ReadOnlyFile> file;
  std::unique_ptr<FileMapping> mapping;
  std::vector<std::uint8_t> inflated;
  const std::uint8_t* pixels = nullptr;
  ImageArray array;
  std::vector<int> labels;                     // empty: none
};

namespace {

// The images of a .npy whose bytes begin at `npy` (`available` bytes from there in the file).
ImageArray checked_array(const std::uint8_t* npy, std::int64_t available, const std::filesystem::path& where,
                         std::int64_t& data_offset) {
  const NpyHeader header = parse_npy_header(npy, static_cast<std::size_t>(available), where);
  const ImageArray array = image_array(header, where);
  const std::int64_t image_bytes = array.shape.bytes();
  const std::int64_t have = available - header.data_offset;
  if (array.count > have / image_bytes) {
    throw DataError(where, "truncated: shape " + shape_text(header.shape) + " needs " +
                               (array.count > std::numeric_limits<std::int64_t>::max() / image_bytes
                                    ? std::string("more")
                                    : std::to_string(array.count * image_bytes)) +
                               " bytes of pixels, the file holds " + std::to_string(have));
  }
  data_offset = header.data_offset;
  return array;
}

std::vector<int> labels_of(const std::vector<std::uint8_t>& npy, const std::filesystem::path& where, std::int64_t count) {
  const NpyHeader header = parse_npy_header(npy.data(), npy.size(), where);
  const NpyType type = npy_type(header.descr, where);
  if (type.kind != 'i' && type.kind != 'u') throw DataError(where, "labels of dtype '" + header.descr + "': expected integers");
  if (header.fortran_order && header.shape.size() > 1) throw DataError(where, "labels in Fortran order");
  if (header.elements() != count) {
    throw DataError(where, "labels of shape " + shape_text(header.shape) + " for " + std::to_string(count) + " images");
  }
  const std::int64_t need = count * type.item_size;
  if (static_cast<std::int64_t>(npy.size()) - header.data_offset < need) throw DataError(where, "truncated labels");
  std::vector<int> labels(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t v = read_integer(npy.data() + header.data_offset + i * type.item_size, type);
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max() ||
        (type.kind == 'u' && type.item_size == 8 && v < 0)) {
      throw DataError(where, "label " + std::to_string(i) + " is out of range");
    }
    labels[static_cast<std::size_t>(i)] = static_cast<int>(v);
  }
  return labels;
}

}  // namespace

NumpySource::~NumpySource() = default;

std::vector<std::filesystem::path> numpy_folder_files(NumpyKind kind, const std::filesystem::path& folder) {
  const std::string extension = kind == NumpyKind::npy ? ".npy" : ".npz";
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) files.push_back(entry.path());
  }
  if (ec) throw DataError(folder, "cannot list: " + ec.message());
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return natural_less(a.string(), b.string()); });
  if (files.empty()) throw DataError(folder, "holds no " + extension + " file");
  return files;
}

NumpySource::NumpySource(NumpyKind kind, const std::filesystem::path& path, const std::string& member) {
  std::error_code ec;
  const bool folder = std::filesystem::is_directory(path, ec);
  const std::vector<std::filesystem::path> files =
      folder ? numpy_folder_files(kind, path) : std::vector<std::filesystem::path>{path};
  name_ = (kind == NumpyKind::npy ? "npy:" : "npz:") + path.string();
  for (const auto& file_path : files) {
    auto part = std::make_unique<Part>();
    part->file = std::make_unique<ReadOnlyFile>(file_path);
    const ReadOnlyFile& file = *part->file;
    std::int64_t offset = 0;
    if (kind == NumpyKind::npy) {
      part->where = file_path;
      if (file.size() == 0) throw DataError(file_path, "is empty");
      part->mapping = std::make_unique<FileMapping>(file);
      part->array = checked_array(part->mapping->data(), file.size(), part->where, offset);
      part->pixels = part->mapping->data() + offset;
    } else {
      const std::vector<ZipMember> members = zip_members(file);
      const auto find = [&](const std::string& name) -> const ZipMember* {
        for (const ZipMember& m : members) {
          if (m.name == name + ".npy") return &m;
        }
        return nullptr;
      };
      const ZipMember* images = find(member);
      if (images == nullptr && member == "images") images = find("data");
      if (images == nullptr && member == "images") images = find("arr_0");
      if (images == nullptr) {
        std::string names;
        for (const ZipMember& m : members) names += (names.empty() ? "" : ", ") + m.name;
        throw DataError(file_path, "has no member " + member + ".npy" + (member == "images" ? " (nor data.npy, arr_0.npy)" : "") +
                                       "; it holds: " + (names.empty() ? "nothing" : names) + " (set `dataset`)");
      }
      part->where = file_path.string() + "[" + images->name + "]";
      if (images->method == 0) {
        if (images->size != images->compressed_size) throw DataError(part->where, "stored with two different sizes");
        if (images->size == 0) throw DataError(part->where, "is empty");
        part->mapping = std::make_unique<FileMapping>(file);
        const std::uint8_t* npy = part->mapping->data() + images->data_offset;
        part->array = checked_array(npy, images->size, part->where, offset);
        part->pixels = npy + offset;
      } else {
        part->inflated = read_zip_member(file, *images);
        part->array = checked_array(part->inflated.data(), static_cast<std::int64_t>(part->inflated.size()), part->where, offset);
        part->pixels = part->inflated.data() + offset;
      }
      if (const ZipMember* labels = find("labels")) {
        part->labels = labels_of(read_zip_member(file, *labels), file_path.string() + "[" + labels->name + "]",
                                 part->array.count);
      }
    }
    if (!parts_.empty() && part->array.shape != shape_) {
      throw DataError(part->where, "images of " + std::to_string(part->array.shape.channels) + " channels after files of " +
                                       std::to_string(shape_.channels));
    }
    shape_ = part->array.shape;
    starts_.push_back(size_);
    size_ += part->array.count;
    parts_.push_back(std::move(part));
  }
}

const NumpySource::Part& NumpySource::part_of(std::int64_t& index) const {
  if (index < 0 || index >= size_) {
    throw DataError(name_, "image " + std::to_string(index) + " requested from " + std::to_string(size_));
  }
  const std::size_t p = static_cast<std::size_t>(std::upper_bound(starts_.begin(), starts_.end(), index) - starts_.begin()) - 1;
  index -= starts_[p];
  return *parts_[p];
}

void NumpySource::read(std::int64_t index, std::uint8_t* out) const {
  const Part& part = part_of(index);
  const std::int64_t bytes = shape_.bytes();
  const std::uint8_t* image = part.pixels + index * bytes;
  if (part.array.layout == Layout::chw) {
    std::memcpy(out, image, static_cast<std::size_t>(bytes));
    return;
  }
  const std::int64_t pixels = shape_.pixels();
  for (std::int64_t p = 0; p < pixels; ++p) {
    for (int c = 0; c < 3; ++c) out[c * pixels + p] = image[p * 3 + c];
  }
}

int NumpySource::label(std::int64_t index) const {
  const Part& part = part_of(index);
  return part.labels.empty() ? -1 : part.labels[static_cast<std::size_t>(index)];
}

}  // namespace hierad::data

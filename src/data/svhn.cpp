#include "src/data/svhn.hpp"

#include "src/data/data_error.hpp"
#include "src/data/file_io.hpp"
#include "src/data/mat_guard.hpp"
#include "src/data/tiny_images.hpp"

#include <matio.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

namespace hierad::data {

namespace {

// matio reports problems through a process-wide log function whose default aborts the process
// on errors. Ours keeps the last message per thread so it can go into the DataError instead.
thread_local std::string last_matio_message;

void matio_log(int level, char* message) {
  if (level & (MATIO_LOG_LEVEL_ERROR | MATIO_LOG_LEVEL_CRITICAL | MATIO_LOG_LEVEL_WARNING))
    last_matio_message = message ? message : "";
}

void install_matio_logger() {
  static std::once_flag once;
  std::call_once(once, [] { Mat_LogInitFunc("hierad", matio_log); });
}

struct MatCloser {
  void operator()(mat_t* m) const { Mat_Close(m); }
};
struct VarFreer {
  void operator()(matvar_t* v) const { Mat_VarFree(v); }
};

std::string dims_text(const matvar_t* v) {
  std::string s;
  for (int i = 0; i < v->rank; ++i) s += (i ? "x" : "") + std::to_string(v->dims[i]);
  return s;
}

// y as doubles, whatever numeric class it was saved in (SVHN's own files use double).
double numeric_at(const matvar_t* v, std::size_t i) {
  switch (v->class_type) {
    case MAT_C_DOUBLE: return static_cast<const double*>(v->data)[i];
    case MAT_C_SINGLE: return static_cast<const float*>(v->data)[i];
    case MAT_C_UINT8: return static_cast<const std::uint8_t*>(v->data)[i];
    case MAT_C_INT8: return static_cast<const std::int8_t*>(v->data)[i];
    case MAT_C_UINT16: return static_cast<const std::uint16_t*>(v->data)[i];
    case MAT_C_INT16: return static_cast<const std::int16_t*>(v->data)[i];
    case MAT_C_UINT32: return static_cast<const std::uint32_t*>(v->data)[i];
    case MAT_C_INT32: return static_cast<const std::int32_t*>(v->data)[i];
    case MAT_C_UINT64: return static_cast<double>(static_cast<const std::uint64_t*>(v->data)[i]);
    case MAT_C_INT64: return static_cast<double>(static_cast<const std::int64_t*>(v->data)[i]);
    default: return std::nan("");
  }
}

}  // namespace

SvhnSource::SvhnSource(const std::filesystem::path& file) : path_(file) {
  require_exists(file);
  if (std::string why = check_mat5_headers(ReadOnlyFile(file)); !why.empty()) throw DataError(file, why);
  install_matio_logger();
  last_matio_message.clear();
  std::unique_ptr<mat_t, MatCloser> mat(Mat_Open(file.c_str(), MAT_ACC_RDONLY));
  if (!mat)
    throw DataError(file, "not a readable MATLAB file" +
                              (last_matio_message.empty() ? std::string() : " (" + last_matio_message + ")"));

  // Header first: matio allocates the data a variable declares, so an SVHN file's X and y must be
  // no larger than the file could hold (compressed: 1100x) before their data is read (fuzz
  // finding: a 6 GB allocation from a small file, tests/fuzz/regressions/svhn).
  const std::uint64_t file_bytes = static_cast<std::uint64_t>(std::filesystem::file_size(file));
  for (const char* name : {"X", "y"}) {
    std::unique_ptr<matvar_t, VarFreer> info(Mat_VarReadInfo(mat.get(), name));
    if (!info) continue;  // reported below, with what was expected
    std::uint64_t bytes = info->rank > 0 ? 8 : 0;  // the widest element type
    for (int i = 0; i < info->rank; ++i) bytes = info->dims[i] > (UINT64_MAX >> 8) / std::max<std::uint64_t>(bytes, 1) ? UINT64_MAX >> 8 : bytes * info->dims[i];
    if (bytes / 1100 > file_bytes)
      throw DataError(file, std::string("variable ") + name + " is " + dims_text(info.get()) + ", more than the " +
                                std::to_string(file_bytes) + "-byte file can hold (truncated or damaged)");
  }
  std::unique_ptr<matvar_t, VarFreer> x(Mat_VarRead(mat.get(), "X"));
  if (!x) throw DataError(file, "has no variable X (expected SVHN's 32x32x3xN uint8 images)");
  if (x->class_type != MAT_C_UINT8 || x->isComplex || x->rank != 4 || x->dims[0] != 32 || x->dims[1] != 32 ||
      x->dims[2] != 3 || x->data == nullptr)
    throw DataError(file, "variable X is " + dims_text(x.get()) +
                              (x->class_type == MAT_C_UINT8 ? " uint8" : " not uint8") +
                              ", expected 32x32x3xN uint8");
  const std::size_t n = x->dims[3];

  std::unique_ptr<matvar_t, VarFreer> y(Mat_VarRead(mat.get(), "y"));
  if (!y) throw DataError(file, "has no variable y (expected SVHN's Nx1 labels)");
  std::size_t y_count = 1;
  for (int i = 0; i < y->rank; ++i) y_count *= y->dims[i];
  if (y->rank != 2 || y->isComplex || y->data == nullptr || y_count != n || (y->dims[0] != n && y->dims[1] != n))
    throw DataError(file, "variable y is " + dims_text(y.get()) + ", expected " + std::to_string(n) +
                              "x1 labels to match X's " + std::to_string(n) + " images");

  labels_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double v = numeric_at(y.get(), i);
    if (!(v >= 1 && v <= 10) || v != std::floor(v))
      throw DataError(file, "y(" + std::to_string(i + 1) + ") = " + std::to_string(v) +
                                " is not a label 1..10 (10 stands for the digit 0)");
    labels_[i] = static_cast<std::uint8_t>(static_cast<int>(v) % 10);
  }
  const auto* data = static_cast<const std::uint8_t*>(x->data);
  pixels_.assign(data, data + n * 3072);
}

void SvhnSource::read(std::int64_t index, std::uint8_t* out) const {
  if (index < 0 || index >= size())
    throw DataError(path_, "image " + std::to_string(index) + " requested from " + std::to_string(size()));
  // MATLAB's X(row, col, c, i) sits at row + 32*col + 1024*c + 3072*i: the same plane-wise
  // column-major layout as Tiny Images.
  tiny_to_chw(pixels_.data() + index * 3072, out);
}

std::filesystem::path svhn_split_file(const std::filesystem::path& folder, const std::string& split) {
  if (split != "train" && split != "test" && split != "extra")
    throw DataError(folder, "unknown split '" + split + "' (expected train, test or extra)");
  return folder / (split + "_32x32.mat");
}

}  // namespace hierad::data

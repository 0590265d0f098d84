#include "storage/metrics_log.hpp"

#include "storage/h5_io.hpp"

#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

#include "storage/h5_io.hpp"

namespace hierad::storage {

namespace {

constexpr hsize_t kChunkRows = 256;

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return "[" + out + "]";
}

// One float64 field per column, packed: the same layout in memory and in the file.
H5Id make_row_type(const std::vector<std::string>& columns) {
  H5Id type = check_id(H5Tcreate(H5T_COMPOUND, 8 * columns.size()), "create metrics row type");
  for (std::size_t i = 0; i < columns.size(); ++i)
    check(H5Tinsert(type.get(), columns[i].c_str(), 8 * i, H5T_IEEE_F64LE), "add column " + columns[i]);
  return type;
}

// The column names of a metrics table, after checking every field is a float64.
std::vector<std::string> table_columns(hid_t dataset, const std::string& what) {
  H5Id type = check_id(H5Dget_type(dataset), "read row type of " + what);
  if (H5Tget_class(type.get()) != H5T_COMPOUND) throw std::runtime_error(what + " is not a metrics table");
  const int n = H5Tget_nmembers(type.get());
  std::vector<std::string> columns;
  for (int i = 0; i < n; ++i) {
    char* name = H5Tget_member_name(type.get(), static_cast<unsigned>(i));
    columns.emplace_back(name ? name : "");
    H5free_memory(name);
    H5Id member = check_id(H5Tget_member_type(type.get(), static_cast<unsigned>(i)), "read column type of " + what);
    if (H5Tget_class(member.get()) != H5T_FLOAT || H5Tget_size(member.get()) != 8)
      throw std::runtime_error(what + ": column " + columns.back() + " is not float64");
  }
  return columns;
}

std::int64_t extent_rows(hid_t dataset, const std::string& what) {
  H5Id space = check_id(H5Dget_space(dataset), "read extent of " + what);
  const auto shape = dataspace_shape(space.get());
  if (shape.size() != 1) throw std::runtime_error(what + " is not one-dimensional");
  return shape[0];
}

std::vector<double> read_rows(hid_t dataset, const std::vector<std::string>& columns, std::int64_t rows,
                              const std::string& what) {
  std::vector<double> values(static_cast<std::size_t>(rows) * columns.size());
  if (!values.empty()) {
    if (std::string why = damaged_chunks(dataset); !why.empty()) throw std::runtime_error("read rows of " + what + ": " + why);
    H5Id mem = make_row_type(columns);
    check(H5Dread(dataset, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "read rows of " + what);
  }
  return values;
}

// Rows before the trailing run of all-NaN (never written) rows.
std::int64_t valid_rows(const std::vector<double>& values, std::size_t columns) {
  if (columns == 0) return 0;
  std::size_t rows = values.size() / columns;
  while (rows > 0) {
    bool all_nan = true;
    for (std::size_t c = 0; c < columns; ++c) all_nan = all_nan && std::isnan(values[(rows - 1) * columns + c]);
    if (!all_nan) break;
    --rows;
  }
  return static_cast<std::int64_t>(rows);
}

}  // namespace

MetricsLog::MetricsLog(const std::filesystem::path& path, const std::string& table, std::vector<std::string> columns)
    : path_(path), table_(table), columns_(std::move(columns)) {
  validate_object_name(table_);
  if (columns_.empty()) throw std::invalid_argument("metrics table '" + table_ + "' needs at least one column");
  std::set<std::string> unique(columns_.begin(), columns_.end());
  if (unique.size() != columns_.size() || unique.count(""))
    throw std::invalid_argument("metrics table '" + table_ + "': column names must be unique and non-empty");

  H5Id file = std::filesystem::exists(path_) ? open_file(path_, FileMode::ReadWrite)
                                             : create_file(path_, /*overwrite=*/false);
  const std::string what = "metrics table " + where(file.get(), table_);
  if (link_exists(file.get(), table_)) {
    H5Id dset = check_id(H5Dopen2(file.get(), table_.c_str(), H5P_DEFAULT), "open " + what);
    const auto existing = table_columns(dset.get(), what);
    if (existing != columns_)
      throw std::runtime_error(what + " has columns " + joined(existing) + ", not " + joined(columns_));
    // Drop NaN fill rows at the end (an extend whose row never landed), so appends follow the
    // last real row.
    const std::int64_t extent = extent_rows(dset.get(), what);
    const std::vector<double> values = read_rows(dset.get(), columns_, extent, what);
    rows_ = valid_rows(values, columns_.size());
    const hsize_t keep = static_cast<hsize_t>(rows_);
    if (rows_ != extent) check(H5Dset_extent(dset.get(), &keep), "drop unwritten rows of " + what);
  } else {
    H5Id type = make_row_type(columns_);
    const hsize_t dims = 0, maxdims = H5S_UNLIMITED;
    H5Id space = check_id(H5Screate_simple(1, &dims, &maxdims), "create dataspace for " + what);
    H5Id dcpl = check_id(H5Pcreate(H5P_DATASET_CREATE), "create properties for " + what);
    check(H5Pset_chunk(dcpl.get(), 1, &kChunkRows), "chunk " + what);
    const std::vector<double> nan_row(columns_.size(), std::numeric_limits<double>::quiet_NaN());
    check(H5Pset_fill_value(dcpl.get(), type.get(), nan_row.data()), "set NaN fill value of " + what);
    H5Id dset = check_id(H5Dcreate2(file.get(), table_.c_str(), type.get(), space.get(), H5P_DEFAULT, dcpl.get(),
                                    H5P_DEFAULT),
                         "create " + what);
  }
  close_file(file);
}

void MetricsLog::append(const std::vector<double>& row) {
  if (row.size() != columns_.size())
    throw std::invalid_argument("metrics table '" + table_ + "' in " + path_.string() + ": row has " +
                                std::to_string(row.size()) + " values for " + std::to_string(columns_.size()) +
                                " columns");
  H5Id file = open_file(path_, FileMode::ReadWrite);
  const std::string what = "metrics table " + where(file.get(), table_);
  {
    H5Id dset = check_id(H5Dopen2(file.get(), table_.c_str(), H5P_DEFAULT), "open " + what);
    const hsize_t new_rows = static_cast<hsize_t>(rows_) + 1, start = static_cast<hsize_t>(rows_), one = 1;
    check(H5Dset_extent(dset.get(), &new_rows), "extend " + what);
    H5Id file_space = check_id(H5Dget_space(dset.get()), "read extent of " + what);
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &one, nullptr), "select new row of " + what);
    H5Id mem_space = check_id(H5Screate_simple(1, &one, nullptr), "create row dataspace");
    H5Id type = make_row_type(columns_);
    check(H5Dwrite(dset.get(), type.get(), mem_space.get(), file_space.get(), H5P_DEFAULT, row.data()),
          "append a row to " + what);
  }
  close_file(file);
  ++rows_;
}

std::int64_t MetricsLog::truncate_after(double step, const std::string& step_column) {
  std::size_t col = 0;
  while (col < columns_.size() && columns_[col] != step_column) ++col;
  if (col == columns_.size())
    throw std::invalid_argument("metrics table '" + table_ + "' in " + path_.string() + " has no column " + step_column);
  H5Id file = open_file(path_, FileMode::ReadWrite);
  const std::string what = "metrics table " + where(file.get(), table_);
  std::int64_t keep = rows_;
  {
    H5Id dset = check_id(H5Dopen2(file.get(), table_.c_str(), H5P_DEFAULT), "open " + what);
    const std::vector<double> values = read_rows(dset.get(), columns_, rows_, what);
    // Rows are in step order, so everything from the first row past `step` on is dropped.
    for (std::int64_t r = 0; r < rows_; ++r)
      if (values[static_cast<std::size_t>(r) * columns_.size() + col] > step) {
        keep = r;
        break;
      }
    const hsize_t new_rows = static_cast<hsize_t>(keep);
    if (keep != rows_) check(H5Dset_extent(dset.get(), &new_rows), "shrink " + what);
  }
  close_file(file);
  const std::int64_t dropped = rows_ - keep;
  rows_ = keep;
  return dropped;
}

std::vector<double> MetricsTable::column(const std::string& name) const {
  for (std::size_t c = 0; c < columns.size(); ++c)
    if (columns[c] == name) {
      std::vector<double> out(static_cast<std::size_t>(rows()));
      for (std::size_t r = 0; r < out.size(); ++r) out[r] = values[r * columns.size() + c];
      return out;
    }
  throw std::out_of_range("metrics table has no column '" + name + "' (columns " + joined(columns) + ")");
}

MetricsTable read_metrics(const std::filesystem::path& path, const std::string& table) {
  H5Id file = open_file(path, FileMode::ReadOnly);
  const std::string what = "metrics table " + where(file.get(), table);
  H5Id dset = check_id(H5Dopen2(file.get(), table.c_str(), H5P_DEFAULT), "open " + what);
  MetricsTable out;
  out.columns = table_columns(dset.get(), what);
  const std::int64_t rows = extent_rows(dset.get(), what);
  out.values = read_rows(dset.get(), out.columns, rows, what);
  // Rows never written hold the NaN fill value (an extend whose write did not land).
  out.values.resize(static_cast<std::size_t>(valid_rows(out.values, out.columns.size())) * out.columns.size());
  return out;
}

}  // namespace hierad::storage

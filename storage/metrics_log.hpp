#pragma once
// The training metrics log: tables of float64 columns in the run's HDF5 metrics file, one row per
// logged step, appended to an extendible dataset and flushed at every append.
//
// Layout: /<table> is a 1-D dataset of a compound type whose fields are the columns, all float64
// (integers such as step are exact up to 2^53), chunked and unlimited. h5py: f["train"][:] is a
// structured array, f["train"]["bpd"] one column; pandas.DataFrame(f["train"][:]) a table.
// Unwritten rows read as NaN (the fill value); the reader drops trailing all-NaN rows.
//
// Crash behaviour: each append opens the file, writes the row and closes it again (about a
// millisecond; rows come every N steps), so between appends the file is complete and closed: a
// killed process loses at most the row being appended, and other processes (h5py, a live plot) can
// read the log while training runs. HDF5 1.8 format: no superblock status flags to clear after a crash.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>


namespace hierad::storage {

class MetricsLog {
 public:
  // Opens table `table` of `path` for appending, creating the file and/or table as needed. An
  // existing table must have exactly these columns (else std::runtime_error naming the file).
  MetricsLog(const std::filesystem::path& path, const std::string& table, std::vector<std::string> columns);

  const std::vector<std::string>& columns() const { return columns_; }
  std::int64_t rows() const { return rows_; }

  // One value per column, in column order; written and flushed before returning.
  void append(const std::vector<double>& row);
  // For a resumed run: drops the rows whose `step_column` exceeds `step`; returns how many.
  std::int64_t truncate_after(double step, const std::string& step_column = "step");
 private:
  std::filesystem::path path_;
  std::string table_;
  std::vector<std::string> columns_;
  std::int64_t rows_ = 0;
};

struct MetricsTable {
  std::vector<std::string> columns;
  std::vector<double> values;  // row-major [rows, columns]

  std::int64_t rows() const { return columns.empty() ? 0 : static_cast<std::int64_t>(values.size() / columns.size()); }
  std::vector<double> column(const std::string& name) const;  // throws for an unknown column
};

MetricsTable read_metrics(const std::filesystem::path& path, const std::string& table);

}  // namespace hierad::storage

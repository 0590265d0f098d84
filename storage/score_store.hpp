#pragma once
// The per-example likelihood store of one scoring run: one HDF5 file, written by every rank of a
// communicator with parallel HDF5 (MPI-IO, collective writes), or by one process.
//
// Layout (format "hierad-scores", version 1; full description in storage/README.md):
//   /                      attrs format, format_version, n_scales (L), versions, hdf5_version,
//                          writer_ranks, checkpoint_run_id, checkpoint_step, checkpoint_checksum,
//                          checkpoint_path
//   /<set>/                one group per scored dataset; attrs name, path, count (N), fingerprint
//   /<set>/index   int64   [N]     example index in the source dataset
//   /<set>/log_p   float64 [N]     log p(x) in nats (discrete-data likelihood, method.md §3)
//   /<set>/bpd     float64 [N]     bits per dimension
//   /<set>/F, A, G, lp  float64 [N, L]  per-scale terms, column k = scale k (method.md §2)
// Rows are the caller's row numbers (add_rows offsets); analysis pairs files by `index`, not by row.
// float64 because log p ~ -1e4 nats is a sum of thousands of terms and ratios subtract two such
// numbers: float32 would keep ~3 decimals of a ratio; the cost is 8*(4L+3) bytes per example.
// Chunks of `chunk_rows` rows, shuffle + deflate when compress: A_k is the same for every example
// and index is a ramp, so those shrink to almost nothing; the F/G/lp mantissas barely compress.
// Parallel HDF5 >= 1.10.2 writes filtered datasets, collectively only; all writes here are.
//
// Note [collective calls]: with create_parallel every call except add_rows is collective: all ranks
// call it in the same order with the same arguments. add_rows is local and only buffers; end_set
// writes the set in one collective write per dataset, whatever number of batches each rank added
// (ranks without rows take part with an empty selection). Errors found in add_rows are reported at
// end_set on every rank alike, so a bad batch on one rank does not deadlock the others.
// The file is written as "<path>.tmp" and renamed onto <path> by close(): a scoring run that dies
// leaves no file under the final name. A run that stops early (a pre-emption signal) calls
// close_unfinished() instead: the sets it finished go to "<path>.partial" (partial_score_path), which
// the next run may copy instead of scoring them again; close() removes that file.

#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "storage/h5_handle.hpp"

namespace hierad::storage {

struct CheckpointRef {
  std::string run_id;
  std::int64_t step = -1;
  std::uint32_t checksum = 0;  // Checkpoint::checksum of the scored model
  std::string path;
};

struct ScoreFileInfo {
  CheckpointRef checkpoint;
  std::string versions;       // "hierad 0.1.0; libtorch 2.13.0; ..." as the caller knows them
  std::int64_t n_scales = 0;  // L
};

struct ScoreSetInfo {
  std::string name;         // group name: one path component
  std::string path;         // where the data came from
  std::int64_t count = 0;   // N, rows in the set
  std::string fingerprint;  // the data layer's fingerprint of the examples
};

// n rows; the per-scale arrays are row-major [n, L] with L = ScoreFileInfo::n_scales.
struct ScoreRowsView {
  std::int64_t n = 0;
  const std::int64_t* index = nullptr;
  const double* log_p = nullptr;
  const double* bpd = nullptr;
  const double* F = nullptr;
  const double* A = nullptr;
  const double* G = nullptr;
  const double* lp = nullptr;
};

struct ScoreWriterOptions {
  bool compress = true;
  int deflate_level = 4;
  std::int64_t chunk_rows = 16384;
};

class ScoreWriter {
 public:
  static ScoreWriter create_serial(const std::filesystem::path& path, const ScoreFileInfo& info,
                                   const ScoreWriterOptions& options = {});
  // Collective over `comm` (which must outlive the writer).
  static ScoreWriter create_parallel(const std::filesystem::path& path, MPI_Comm comm, const ScoreFileInfo& info,
                                     const ScoreWriterOptions& options = {});

  ScoreWriter(ScoreWriter&&) noexcept = default;
  ScoreWriter& operator=(ScoreWriter&&) noexcept = default;
  // Without close() (an error unwinding): closes the file and removes the temporary (rank 0), so a
  // failed write (a full disk) leaves no partial file; the final name is never created.
  ~ScoreWriter();

  void begin_set(const ScoreSetInfo& set);                   // collective
  void add_rows(std::int64_t offset, const ScoreRowsView& rows);  // local; copies rows [offset, offset+n)
  // Collective. Checks that the rows of all ranks cover [0, count) exactly once, then writes.
  void end_set();
  void close();  // collective; renames the finished file onto its final name
  // Collective. Drops the set begun and not ended (if any), then renames the file, holding the
  // finished sets only, onto partial_score_path(path) instead of the final name.
  void close_unfinished();

  // After end_set in parallel mode: whether HDF5 performed the last write collectively.
  bool last_write_was_collective() const;

 private:
  ScoreWriter() = default;
  void create(const std::filesystem::path& path, MPI_Comm comm, const ScoreFileInfo& info,
              const ScoreWriterOptions& options);
  bool parallel() const { return comm_ != MPI_COMM_NULL; }
  std::string context() const;
  void clear_set();
  void close_onto(const std::filesystem::path& target);
  void write_dataset(const char* name, int rank, const void* data, const std::vector<std::int64_t>& starts,
                     const std::vector<std::int64_t>& counts);

  std::filesystem::path path_;
  std::filesystem::path tmp_path_;
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  ScoreFileInfo info_;
  ScoreWriterOptions options_;
  H5Id file_;
  H5Id dxpl_;

  // The set being written.
  std::optional<ScoreSetInfo> set_;
  H5Id group_;
  std::vector<std::int64_t> offsets_, lengths_;  // one entry per add_rows call with n > 0
  std::vector<std::int64_t> index_;
  std::vector<double> log_p_, bpd_, F_, A_, G_, lp_;
  std::string deferred_error_;
};

// "<path>.partial": the finished sets of a scoring run that stopped before its end.
std::filesystem::path partial_score_path(const std::filesystem::path& path);

// [begin, end) of a contiguous, balanced split of `count` rows over `size` ranks.
std::pair<std::int64_t, std::int64_t> block_of(std::int64_t count, int rank, int size);

}  // namespace hierad::storage

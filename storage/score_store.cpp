#include "storage/score_store.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "storage/durable_file.hpp"
#include "storage/h5_io.hpp"

namespace hierad::storage {

namespace {

constexpr const char* kFormat = "hierad-scores";
constexpr std::int64_t kFormatVersion = 1;
constexpr const char* kRowDatasets[] = {"index", "log_p", "bpd"};   // [N]
constexpr const char* kScaleDatasets[] = {"F", "A", "G", "lp"};     // [N, L]

void check_mpi(int rc, const std::string& what) {
  if (rc != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw std::runtime_error(what + ": MPI error: " + std::string(text, static_cast<std::size_t>(len)));
  }
}

template <class T> void append(std::vector<T>& to, const T* from, std::int64_t n) {
  to.insert(to.end(), from, from + n);
}

// Reorders `v` (rows of `width` values, runs given by lengths in add order) into `order`.
template <class T>
std::vector<T> gather_runs(const std::vector<T>& v, std::int64_t width, const std::vector<std::int64_t>& starts,
                           const std::vector<std::int64_t>& lengths, const std::vector<std::size_t>& order) {
  std::vector<T> out;
  out.reserve(v.size());
  for (std::size_t i : order)
    out.insert(out.end(), v.begin() + starts[i] * width, v.begin() + (starts[i] + lengths[i]) * width);
  return out;
}

}  // namespace

std::pair<std::int64_t, std::int64_t> block_of(std::int64_t count, int rank, int size) {
  const std::int64_t base = count / size, extra = count % size;
  const std::int64_t begin = rank * base + std::min<std::int64_t>(rank, extra);
  return {begin, begin + base + (rank < extra ? 1 : 0)};
}

ScoreWriter ScoreWriter::create_serial(const std::filesystem::path& path, const ScoreFileInfo& info,
                                       const ScoreWriterOptions& options) {
  ScoreWriter w;
  w.create(path, MPI_COMM_NULL, info, options);
  return w;
}

ScoreWriter ScoreWriter::create_parallel(const std::filesystem::path& path, MPI_Comm comm, const ScoreFileInfo& info,
                                         const ScoreWriterOptions& options) {
  if (comm == MPI_COMM_NULL) throw std::invalid_argument("score file " + path.string() + ": null communicator");
  ScoreWriter w;
  w.create(path, comm, info, options);
  return w;
}

ScoreWriter::~ScoreWriter() {
  if (!file_) return;  // closed, or moved from
  dxpl_.reset();
  file_.reset();
  std::error_code ignored;
  if (rank_ == 0) std::filesystem::remove(tmp_path_, ignored);
}

std::string ScoreWriter::context() const {
  return "score file " + path_.string() + (set_ ? " set '" + set_->name + "'" : std::string());
}

void ScoreWriter::create(const std::filesystem::path& path, MPI_Comm comm, const ScoreFileInfo& info,
                         const ScoreWriterOptions& options) {
  path_ = path;
  tmp_path_ = path.string() + ".tmp";  // no pid: every rank must name the same file
  comm_ = comm;
  info_ = info;
  options_ = options;
  if (info.n_scales < 1) throw std::invalid_argument(context() + ": n_scales must be >= 1");
  if (options.chunk_rows < 1) throw std::invalid_argument(context() + ": chunk_rows must be >= 1");
  H5Id fapl = make_file_access();
  dxpl_ = check_id(H5Pcreate(H5P_DATASET_XFER), "create transfer property list");
  if (parallel()) {
    check_mpi(MPI_Comm_rank(comm, &rank_), context());
    check_mpi(MPI_Comm_size(comm, &size_), context());
    check(H5Pset_fapl_mpio(fapl.get(), comm, MPI_INFO_NULL), "select the MPI-IO driver for " + tmp_path_.string());
    // Filtered (compressed) datasets can only be written collectively in parallel HDF5.
    check(H5Pset_dxpl_mpio(dxpl_.get(), H5FD_MPIO_COLLECTIVE), "request collective transfers");
  }
  file_ = create_file(tmp_path_, /*overwrite=*/true, fapl.get());
  const hid_t root = file_.get();
  write_attr_string(root, "format", kFormat);
  write_attr_int(root, "format_version", kFormatVersion);
  write_attr_int(root, "n_scales", info.n_scales);
  write_attr_string(root, "versions", info.versions);
  write_attr_string(root, "hdf5_version", hdf5_library_version());
  write_attr_int(root, "writer_ranks", size_);
  write_attr_string(root, "checkpoint_run_id", info.checkpoint.run_id);
  write_attr_int(root, "checkpoint_step", info.checkpoint.step);
  write_attr_int(root, "checkpoint_checksum", info.checkpoint.checksum);
  write_attr_string(root, "checkpoint_path", info.checkpoint.path);
}

void ScoreWriter::begin_set(const ScoreSetInfo& set) {
  if (!file_) throw std::logic_error(context() + ": begin_set after close");
  if (set_) throw std::logic_error(context() + ": begin_set before end_set of the previous set");
  if (set.name.find('/') != std::string::npos) throw std::invalid_argument(context() + ": set name '" + set.name + "' contains '/'");
  validate_object_name(set.name);
  if (set.count < 0) throw std::invalid_argument(context() + ": negative count for set '" + set.name + "'");
  set_ = set;
  group_ = create_group(file_.get(), set.name);
  write_attr_string(group_.get(), "name", set.name);
  write_attr_string(group_.get(), "path", set.path);
  write_attr_int(group_.get(), "count", set.count);
  write_attr_string(group_.get(), "fingerprint", set.fingerprint);

  const std::int64_t n = set.count, L = info_.n_scales;
  DatasetOptions rows, scales;
  if (n > 0) {  // a chunk may not be empty; an empty set stays contiguous
    const std::int64_t chunk = std::min(n, options_.chunk_rows);
    rows.chunk = {chunk};
    scales.chunk = {chunk, L};
    rows.deflate_level = scales.deflate_level = options_.compress ? options_.deflate_level : 0;
  }
  for (const char* name : kRowDatasets)
    create_dataset(group_.get(), name, std::string(name) == "index" ? DType::Int64 : DType::Float64, {n}, rows);
  for (const char* name : kScaleDatasets) create_dataset(group_.get(), name, DType::Float64, {n, L}, scales);
}

void ScoreWriter::add_rows(std::int64_t offset, const ScoreRowsView& rows) {
  std::string error;
  if (!set_) error = "add_rows outside begin_set/end_set";
  else if (rows.n < 0) error = "negative row count";
  else if (offset < 0 || offset + rows.n > set_->count)
    error = "rows [" + std::to_string(offset) + ", " + std::to_string(offset + rows.n) + ") outside [0, " +
            std::to_string(set_->count) + ")";
  else if (rows.n > 0 && (!rows.index || !rows.log_p || !rows.bpd || !rows.F || !rows.A || !rows.G || !rows.lp))
    error = "a null array in the rows";
  if (!error.empty()) {
    if (!parallel()) throw std::invalid_argument(context() + ": " + error);
    if (deferred_error_.empty()) deferred_error_ = error;  // reported by end_set on all ranks
    return;
  }
  if (rows.n == 0) return;
  const std::int64_t n = rows.n, nl = rows.n * info_.n_scales;
  offsets_.push_back(offset);
  lengths_.push_back(n);
  append(index_, rows.index, n);
  append(log_p_, rows.log_p, n);
  append(bpd_, rows.bpd, n);
  append(F_, rows.F, nl);
  append(A_, rows.A, nl);
  append(G_, rows.G, nl);
  append(lp_, rows.lp, nl);
}

void ScoreWriter::end_set() {
  if (!set_) throw std::logic_error(context() + ": end_set without begin_set");
  const std::string ctx = context();
  const std::int64_t L = info_.n_scales;

  // 1. Errors deferred by add_rows, agreed on by every rank before anything collective is written.
  int local_error = deferred_error_.empty() ? 0 : 1, any_error = local_error;
  if (parallel()) check_mpi(MPI_Allreduce(&local_error, &any_error, 1, MPI_INT, MPI_MAX, comm_), ctx);
  if (any_error) {
    const std::string why = local_error ? deferred_error_ : "another rank passed invalid rows";
    throw std::invalid_argument(ctx + ": " + why);
  }

  // 2. Every rank's row ranges, to prove they tile [0, count) exactly once.
  std::vector<std::int64_t> mine;
  for (std::size_t i = 0; i < offsets_.size(); ++i) {
    mine.push_back(offsets_[i]);
    mine.push_back(lengths_[i]);
  }
  std::vector<std::int64_t> all = mine;
  if (parallel()) {
    int my_count = static_cast<int>(mine.size());
    std::vector<int> counts(static_cast<std::size_t>(size_)), displs(static_cast<std::size_t>(size_));
    check_mpi(MPI_Allgather(&my_count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_), ctx);
    std::exclusive_scan(counts.begin(), counts.end(), displs.begin(), 0);
    all.resize(static_cast<std::size_t>(displs.back() + counts.back()));
    check_mpi(MPI_Allgatherv(mine.data(), my_count, MPI_INT64_T, all.data(), counts.data(), displs.data(),
                             MPI_INT64_T, comm_),
              ctx);
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
  for (std::size_t i = 0; i < all.size(); i += 2) ranges.emplace_back(all[i], all[i] + all[i + 1]);
  std::sort(ranges.begin(), ranges.end());
  std::int64_t covered = 0;
  for (const auto& [begin, end] : ranges) {
    if (begin < covered)
      throw std::invalid_argument(ctx + ": rows [" + std::to_string(begin) + ", " + std::to_string(std::min(end, covered)) +
                                  ") were added more than once");
    if (begin > covered)
      throw std::invalid_argument(ctx + ": rows [" + std::to_string(covered) + ", " + std::to_string(begin) +
                                  ") were never added");
    covered = end;
  }
  if (covered != set_->count)
    throw std::invalid_argument(ctx + ": rows [" + std::to_string(covered) + ", " + std::to_string(set_->count) +
                                ") were never added");

  // 3. This rank's rows in file order (HDF5 walks a union selection in file order), adjacent runs merged.
  std::vector<std::size_t> order(offsets_.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return offsets_[a] < offsets_[b]; });
  std::vector<std::int64_t> run_starts(offsets_.size());  // where each add_rows run begins in the buffers
  std::exclusive_scan(lengths_.begin(), lengths_.end(), run_starts.begin(), std::int64_t{0});
  std::vector<std::int64_t> starts, counts;
  for (std::size_t i : order) {
    if (!starts.empty() && starts.back() + counts.back() == offsets_[i]) counts.back() += lengths_[i];
    else {
      starts.push_back(offsets_[i]);
      counts.push_back(lengths_[i]);
    }
  }
  // An empty set's datasets have no storage to write to (HDF5 fails on an address of HADDR_UNDEF);
  // every rank knows the count, so all skip alike.
  if (set_->count > 0) {
    write_dataset("index", 1, gather_runs(index_, 1, run_starts, lengths_, order).data(), starts, counts);
    write_dataset("log_p", 1, gather_runs(log_p_, 1, run_starts, lengths_, order).data(), starts, counts);
    write_dataset("bpd", 1, gather_runs(bpd_, 1, run_starts, lengths_, order).data(), starts, counts);
    write_dataset("F", 2, gather_runs(F_, L, run_starts, lengths_, order).data(), starts, counts);
    write_dataset("A", 2, gather_runs(A_, L, run_starts, lengths_, order).data(), starts, counts);
    write_dataset("G", 2, gather_runs(G_, L, run_starts, lengths_, order).data(), starts, counts);
    write_dataset("lp", 2, gather_runs(lp_, L, run_starts, lengths_, order).data(), starts, counts);
  }

  clear_set();
}

void ScoreWriter::clear_set() {
  group_.reset();
  set_.reset();
  offsets_.clear();
  lengths_.clear();
  index_.clear();
  for (auto* v : {&log_p_, &bpd_, &F_, &A_, &G_, &lp_}) v->clear();
  deferred_error_.clear();
}

void ScoreWriter::write_dataset(const char* name, int rank, const void* data, const std::vector<std::int64_t>& starts,
                                const std::vector<std::int64_t>& counts) {
  const std::string what = where(group_.get(), name);
  H5Id dset = check_id(H5Dopen2(group_.get(), name, H5P_DEFAULT), "open dataset " + what);
  H5Id file_space = check_id(H5Dget_space(dset.get()), "read dataspace of " + what);
  check(H5Sselect_none(file_space.get()), "clear selection of " + what);
  hsize_t total = 0;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const hsize_t start[2] = {static_cast<hsize_t>(starts[i]), 0};
    const hsize_t count[2] = {static_cast<hsize_t>(counts[i]), static_cast<hsize_t>(info_.n_scales)};
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_OR, start, nullptr, count, nullptr),
          "select rows of " + what);
    total += count[0];
  }
  const hsize_t mem_dims[2] = {total, static_cast<hsize_t>(info_.n_scales)};
  H5Id mem_space = check_id(H5Screate_simple(rank, mem_dims, nullptr), "create memory dataspace for " + what);
  if (total == 0) check(H5Sselect_none(mem_space.get()), "clear memory selection for " + what);
  static const double dummy = 0;  // HDF5 rejects a null buffer even for an empty selection
  const hid_t mem_type = std::string(name) == "index" ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
  check(H5Dwrite(dset.get(), mem_type, mem_space.get(), file_space.get(), dxpl_.get(), total ? data : &dummy),
        "write rows of " + what);
}

bool ScoreWriter::last_write_was_collective() const {
  if (!parallel()) return false;
  H5D_mpio_actual_io_mode_t mode;
  check(H5Pget_mpio_actual_io_mode(dxpl_.get(), &mode), "query the MPI-IO mode of the last write");
  return mode != H5D_MPIO_NO_COLLECTIVE;
}

void ScoreWriter::close() {
  if (!file_) return;
  if (set_) throw std::logic_error(context() + ": close before end_set");
  close_onto(path_);
  const std::filesystem::path partial = partial_score_path(path_);
  if (rank_ == 0 && std::filesystem::exists(partial)) {
    std::filesystem::remove(partial);  // superseded by the complete file
    fsync_directory(partial.parent_path().empty() ? "." : partial.parent_path());
  }
}

void ScoreWriter::close_unfinished() {
  if (!file_) return;
  if (set_) {
    const std::string name = set_->name;
    group_.reset();
    check(H5Ldelete(file_.get(), name.c_str(), H5P_DEFAULT),
          "remove the unfinished set '" + name + "' from " + tmp_path_.string());
    clear_set();
  }
  close_onto(partial_score_path(path_));
}

void ScoreWriter::close_onto(const std::filesystem::path& target) {
  check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "flush " + tmp_path_.string());
  close_file(file_);
  dxpl_.reset();
  if (parallel()) check_mpi(MPI_Barrier(comm_), context());  // every rank's data is in the file
  if (rank_ == 0) {
    fsync_file(tmp_path_);
    rename_durably(tmp_path_, target);
  }
  if (parallel()) check_mpi(MPI_Barrier(comm_), context());  // the final name exists for everyone
}

std::filesystem::path partial_score_path(const std::filesystem::path& path) { return path.string() + ".partial"; }

}  // namespace hierad::storage

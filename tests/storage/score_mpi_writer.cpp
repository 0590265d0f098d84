// Writes the synthetic score file with however many ranks it runs on: `score_mpi_writer out.h5`.
// Ranks split the rows two ways (a contiguous block added in uneven batches in reverse order, and
// round-robin batches that give each rank scattered row ranges), with chunks of 64 rows that straddle
// rank boundaries, compressed: the hardest case for collective filtered writes.
// Exit status 1 if anything fails or if HDF5 did not perform a write collectively.

#include <mpi.h>

#include <cstdio>
#include <exception>
#include <filesystem>

#include "storage/score_store.hpp"
#include "synthetic_scores.hpp"

using namespace hierad::storage;

namespace {

void add_block_in_reverse_batches(ScoreWriter& w, const test::SyntheticSet& s, int rank, int size) {
  const auto [begin, end] = block_of(s.count, rank, size);
  std::vector<std::pair<std::int64_t, std::int64_t>> batches;
  for (std::int64_t b = begin, len = 1; b < end; b += len, len = len % 37 + 5)
    batches.emplace_back(b, std::min(end, b + len));
  for (auto it = batches.rbegin(); it != batches.rend(); ++it) {
    const test::SyntheticRows rows = test::synthetic_rows(s, it->first, it->second);
    w.add_rows(it->first, rows.view());
  }
}

void add_round_robin_batches(ScoreWriter& w, const test::SyntheticSet& s, int rank, int size) {
  constexpr std::int64_t kBatch = 50;
  for (std::int64_t b = 0, i = 0; b < s.count; b += kBatch, ++i)
    if (i % size == rank) {
      const test::SyntheticRows rows = test::synthetic_rows(s, b, std::min(s.count, b + kBatch));
      w.add_rows(b, rows.view());
    }
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (argc != 2) {
    if (rank == 0) std::fprintf(stderr, "usage: %s OUTPUT.h5\n", argv[0]);
    MPI_Finalize();
    return 2;
  }
  const std::filesystem::path out = argv[1];
  int status = 0;
  try {
    if (rank == 0) std::filesystem::remove(out);  // no stale result can pass for this run's
    MPI_Barrier(MPI_COMM_WORLD);
    ScoreWriterOptions options;
    options.chunk_rows = 64;
    ScoreWriter w = ScoreWriter::create_parallel(out, MPI_COMM_WORLD, test::synthetic_file_info(), options);
    const auto sets = test::synthetic_sets();
    for (std::size_t i = 0; i < sets.size(); ++i) {
      w.begin_set(test::synthetic_set_info(sets[i]));
      if (i % 2 == 0) add_block_in_reverse_batches(w, sets[i], rank, size);
      else add_round_robin_batches(w, sets[i], rank, size);
      w.end_set();
      if (sets[i].count > 0 && !w.last_write_was_collective()) {
        std::fprintf(stderr, "[rank %d] set %s: HDF5 did not write collectively\n", rank, sets[i].name.c_str());
        status = 1;
      }
    }
    w.close();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "[rank %d] %s\n", rank, e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return status;
}

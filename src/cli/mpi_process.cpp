#include "src/cli/mpi_process.hpp"

#include <mpi.h>

namespace hierad::cli {

MpiProcess::MpiProcess(int* argc, char*** argv) {
  int provided = 0;
  // FUNNELED: only the main thread calls MPI (loader threads never do).
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiProcess::~MpiProcess() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void MpiProcess::abort_others(int code) const {
  if (size_ > 1) MPI_Abort(MPI_COMM_WORLD, code);
}

}  // namespace hierad::cli

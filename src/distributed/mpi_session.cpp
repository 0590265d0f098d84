#include "src/distributed/mpi_session.hpp"

#include "src/distributed/communicator.hpp"
#include "src/distributed/mpi_util.hpp"

#include <mpi.h>

#include <cstdio>

namespace hierad::distributed {

namespace {

int to_mpi(ThreadLevel level) {
  switch (level) {
    case ThreadLevel::kSingle: return MPI_THREAD_SINGLE;
    case ThreadLevel::kFunneled: return MPI_THREAD_FUNNELED;
    case ThreadLevel::kSerialized: return MPI_THREAD_SERIALIZED;
    case ThreadLevel::kMultiple: return MPI_THREAD_MULTIPLE;
  }
  return MPI_THREAD_SINGLE;
}

ThreadLevel from_mpi(int level) {
  if (level >= MPI_THREAD_MULTIPLE) return ThreadLevel::kMultiple;
  if (level >= MPI_THREAD_SERIALIZED) return ThreadLevel::kSerialized;
  if (level >= MPI_THREAD_FUNNELED) return ThreadLevel::kFunneled;
  return ThreadLevel::kSingle;
}

}  // namespace

const char* to_string(ThreadLevel level) {
  switch (level) {
    case ThreadLevel::kSingle: return "MPI_THREAD_SINGLE";
    case ThreadLevel::kFunneled: return "MPI_THREAD_FUNNELED";
    case ThreadLevel::kSerialized: return "MPI_THREAD_SERIALIZED";
    case ThreadLevel::kMultiple: return "MPI_THREAD_MULTIPLE";
  }
  return "?";
}

MpiSession::MpiSession(int* argc, char*** argv, ThreadLevel required) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  int provided = MPI_THREAD_SINGLE;
  if (initialized) {
    MPI_Query_thread(&provided);
  } else {
    HIERAD_MPI_CHECK(MPI_Init_thread(argc, argv, to_mpi(required), &provided));
    owns_ = true;
  }
  provided_ = from_mpi(provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  detail::remember_world_rank(rank_);
  if (static_cast<int>(provided_) < static_cast<int>(required)) {
    const std::string message = detail::rank_label() + " MPI provides " + to_string(provided_) +
                                " but hierad needs " + to_string(required);
    if (owns_) MPI_Finalize();
    owns_ = false;
    throw DistError(message);
  }
}

MpiSession::~MpiSession() {
  if (!owns_) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && MPI_Finalize() != MPI_SUCCESS) {
    // Destructors never throw; the exit path is the only place left to say it.
    std::fprintf(stderr, "hierad: MPI_Finalize failed\n");
  }
}

}  // namespace hierad::distributed

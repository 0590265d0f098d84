// MPI's lifetime as one RAII object that main() creates first and destroys last.
#pragma once

namespace hierad::distributed {

// Thread support levels, in MPI's order (MPI_THREAD_SINGLE < FUNNELED < SERIALIZED < MULTIPLE).
enum class ThreadLevel { kSingle, kFunneled, kSerialized, kMultiple };

// Initialises MPI with MPI_Init_thread unless it is already initialised (then it neither
// initialises nor finalises: whoever initialised it owns it). Finalises in the destructor if it
// initialised. hierad needs kFunneled: every MPI call comes from the thread that called backward()
// (autograd runs CPU hooks on the calling thread) or from main. Throws DistError if the library
// provides less than `required`.
class MpiSession {
 public:
  explicit MpiSession(int* argc = nullptr, char*** argv = nullptr,
                      ThreadLevel required = ThreadLevel::kFunneled);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  bool owns_mpi() const { return owns_; }
  ThreadLevel provided() const { return provided_; }
  int world_rank() const { return rank_; }
  int world_size() const { return size_; }

 private:
  bool owns_ = false;
  ThreadLevel provided_ = ThreadLevel::kSingle;
  int rank_ = 0;
  int size_ = 1;
};

const char* to_string(ThreadLevel level);

}  // namespace hierad::distributed

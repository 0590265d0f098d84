// MPI for the lifetime of the hierad process: initialised once in main, finalised on exit.
//
// Every subcommand runs the same way on one rank (no mpirun: OpenMPI's singleton mode) and on many.
#pragma once

namespace hierad::cli {

class MpiProcess {
 public:
  MpiProcess(int* argc, char*** argv);
  ~MpiProcess();
  MpiProcess(const MpiProcess&) = delete;
  MpiProcess& operator=(const MpiProcess&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }

  // After an error on this rank: the other ranks may be blocked in a collective waiting for it, so
  // with more than one rank the whole job is aborted (with `code`) instead of hanging.
  void abort_others(int code) const;

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace hierad::cli

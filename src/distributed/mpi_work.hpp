// The Work of an MPI collective, shared by the MPI backend and the NCCL backend's host-side calls.
#pragma once

#include "src/distributed/communicator.hpp"
#include "src/distributed/watchdog.hpp"

#include <ATen/ATen.h>
#include <mpi.h>

#include <exception>

namespace hierad::distributed::detail {

// The tensor is stashed because MPI writes into its memory until the request completes (a blocking
// call passes MPI_REQUEST_NULL: already complete). divisor > 1: the result is divided by it once
// the sum has arrived (MPI has no average op; dividing after completion keeps "touch only after
// wait"). wait() blocks under the watchdog (Note [Collective watchdog]).
class MpiWork final : public Work {
 public:
  MpiWork(MPI_Request request, at::Tensor tensor, int divisor, const char* what, Watchdog& watchdog);
  // An unfinished request is kept alive until the process ends, with its buffer: blocking here
  // could hang an error path (the other ranks may never arrive).
  ~MpiWork() override;

  bool is_completed() override;
  void wait() override;
  void synchronize() override { wait(); }

 private:
  void finish();
  void fail(int rc, const char* call);

  MPI_Request request_;
  at::Tensor tensor_;
  int divisor_;
  const char* what_;
  Watchdog& watchdog_;
  bool done_ = false;
  std::exception_ptr error_;
};

}  // namespace hierad::distributed::detail

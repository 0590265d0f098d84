// The seam between training and the cluster: one small collective interface, shaped like PyTorch's
// c10d Backend/Work but cut down to what one process with one device needs.
//
// GLOBAL INVARIANT: all collectives must be called in the same order on every rank, with tensors of
// the same shape and dtype. Every deadlock or silent mix-up of values in this layer comes from
// breaking it (one rank skipping an allreduce, two ranks reducing buckets in different orders).
// Code that decides locally whether to communicate (skip a step, skip a bucket) must first agree
// with the other ranks through a collective.
//
// A communicator is used from one thread at a time (the MPI backend asks only for
// MPI_THREAD_FUNNELED; see MpiSession). Each one owns a watchdog (Note [Collective watchdog] in
// watchdog.hpp) that ends the process when a collective waits longer than its timeout.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace hierad::distributed {

// Reduction applied elementwise across ranks. kAvg divides the sum by size(); it is rejected for
// integer tensors, where it would silently truncate.
enum class ReduceOp { kSum, kAvg, kMax };

// Which implementation a Communicator is.
enum class Backend { kAuto, kMpi, kNccl };

// Thrown by every failure inside this layer: a failed MPI/NCCL/CUDA call ("file:line: [rank r]
// MPI_Iallreduce failed: <library message>") or a misuse (wrong device, unsupported dtype).
class DistError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Handle of one issued collective (c10d's Work, cut down).
//
// Completion contract:
//  - is_completed() polls and never blocks. For nonblocking MPI it also drives the library's
//    progress engine, which is why GradSync calls it while backward runs.
//  - wait() returns once the result may be used by the caller and rethrows the backend's error (the
//    same error on every later call). For MPI this blocks the host until the data is in the tensor.
//    For NCCL it is an asynchronous operation as well: it makes the caller's *current CUDA stream*
//    wait for the collective and returns immediately, so work queued afterwards on that stream sees
//    the result; the host does not block.
//  - synchronize() is the opt-in host block: it returns when the collective has finished on the
//    device (for MPI it equals wait()).
//  - Until wait() returns, the tensor passed to the collective must be neither read nor written.
//    The Work keeps a reference to it (so the storage outlives the collective even if the caller
//    drops its handle); destroying an unfinished Work does not cancel the collective.
class Work {
 public:
  virtual ~Work() = default;
  virtual bool is_completed() = 0;
  virtual void wait() = 0;
  virtual void synchronize() = 0;
};

// Sums the lengths of intervals on the caller's compute timeline: for the CPU the host clock, for
// CUDA a pair of events on the current stream, so that "the step waited for communication" is
// measured where the waiting happens (with NCCL the host does not wait at all). start()/stop() only
// mark; take_seconds() returns the total of the intervals marked since its last call and may block
// until the last one has ended on the device, so call it at logging time.
class IntervalTimer {
 public:
  virtual ~IntervalTimer() = default;
  virtual void start() = 0;
  virtual void stop() = 0;
  virtual double take_seconds() = 0;
};

// The collectives hierad uses. Tensors are reduced/broadcast in place; they must be contiguous, on
// the communicator's device, and of a dtype the backend maps (float32, float64, int32, int64,
// uint8; NCCL adds float16 and bfloat16). Violations throw DistError before anything is sent, so a
// rank that throws has not entered the collective.
class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual Backend backend() const = 0;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Rank among the processes on this node (selects the GPU).
  virtual int local_rank() const = 0;

  virtual std::unique_ptr<Work> allreduce(at::Tensor& tensor, ReduceOp op) = 0;
  virtual std::unique_ptr<Work> broadcast(at::Tensor& tensor, int root) = 0;
  // Blocks the host until every rank has called barrier(); for NCCL also until this rank's
  // issued collectives have finished.
  virtual void barrier() = 0;
  // Small host values, gathered in rank order (element r comes from rank r). Blocking.
  virtual std::vector<double> allgather(double value) = 0;
  virtual std::vector<std::int64_t> allgather(std::int64_t value) = 0;

  // A small contiguous CPU tensor reduced in place over MPI, whatever the backend, without touching
  // the device: host decisions (the stop agreement) must not wait for the GPU's queue. Always
  // nonblocking; wait() completes it. It obeys the ordering invariant like every collective.
  virtual std::unique_ptr<Work> allreduce_host(at::Tensor& tensor, ReduceOp op) = 0;

  // A timer of this communicator's kind (see IntervalTimer).
  virtual std::unique_ptr<IntervalTimer> interval_timer() = 0;

  // The error path: makes collectives in flight fail instead of waiting for peers that may never
  // come (ncclCommAbort; nothing for MPI, where MPI_Abort ends the job). Never blocks. Afterwards
  // only destruction is allowed. Destructors call it themselves while an exception unwinds.
  virtual void abort() noexcept = 0;
};

const char* to_string(Backend backend);
const char* to_string(ReduceOp op);

}  // namespace hierad::distributed

// Data-parallel gradient averaging in buckets, overlapped with backward (c10d's Reducer, cut down).
//
// Use per optimisation step:
//
//   FlatParameters flat(model->parameters(), bucket_options);   // once, after model->to(device)
//   GradSync sync(flat, comm);
//   for (micro-batches but the last) { NoSyncGuard no_sync(sync); loss(mb).backward(); }
//   loss(last).backward();   // hooks launch each bucket's allreduce as soon as it is complete
//   sync.finish();           // the rest; afterwards param.grad() holds the averaged gradients
//   optimizer.step(); flat.zero_grad();
//
// Note [GradSync buckets]
// The gradients live in FlatParameters' buffers (Note [Flat parameters]), grouped into buckets in
// reversed parameter order, because autograd produces the last layers' gradients first. A
// post-hook on each parameter's gradient accumulator runs once the gradient of this backward has
// been added to param.grad() (which is a view into its bucket): it only counts. When a bucket's
// last gradient has arrived the bucket is ready, and ready buckets are launched strictly in bucket
// order (a ready bucket waits for every earlier one), so all ranks issue the same allreduces in the
// same order whatever the order in which their gradients arrive. A launch is two operations on the
// bucket slice: multiply by 1/world (skipped on one rank), then the sum-allreduce in place.
// finish() marks the parameters that got no gradient in this step as ready (their slices hold
// whatever was accumulated, zeros after FlatParameters::zero_grad()), launches the rest, and waits
// (for NCCL: the compute stream waits, the host does not). So a parameter unused on every rank
// ends the step with a zero gradient, as with any other.
//
// Accumulation: while sync is off (set_sync(false) / NoSyncGuard) the hooks do nothing and
// gradients simply accumulate in the buffers; on the first synchronised backward afterwards the
// buckets hold the accumulated sum. No communication happens in between.
//
// The hooks run on the thread that executes the parameter's accumulation: for CPU tensors the thread
// that called backward(), for CUDA tensors autograd's device thread. The MPI backend therefore
// needs MPI_THREAD_FUNNELED only on the CPU; the NCCL backend makes no MPI call in allreduce.
#pragma once

#include "src/distributed/communicator.hpp"
#include "src/distributed/flat_parameters.hpp"

#include <ATen/ATen.h>

#include <cstddef>
#include <memory>
#include <vector>

namespace hierad::distributed {

class GradSync {
 public:
  // Synchronises the gradients of `flat`'s parameters in its buckets. Installs one hook per
  // parameter (none when the buckets were made with BucketOptions::flat: then everything goes out
  // in finish()). `flat` and the communicator must outlive this object.
  GradSync(FlatParameters& flat, Communicator& comm);
  // Removes every hook it installed. Never blocks: collectives still in flight keep their buckets
  // alive (see Work).
  ~GradSync();
  GradSync(const GradSync&) = delete;
  GradSync& operator=(const GradSync&) = delete;

  // Turns communication on or off for the following backward passes. Only between steps: throws
  // std::logic_error when called after a synchronised backward and before finish().
  void set_sync(bool enabled);
  bool sync_enabled() const { return sync_; }

  // Completes the step after a synchronised backward (see the note). Every rank must call it once
  // per synchronised backward. Throws std::logic_error when sync is off. On an error the step's
  // state is reset and the error rethrown. The time the caller's compute timeline waited inside
  // (the communication backward did not hide) is added to exposed_timer().
  void finish();

  const std::vector<BucketLayout>& buckets() const { return flat_.buckets(); }
  IntervalTimer& exposed_timer() { return *exposed_; }

  struct StepStats {
    int buckets = 0;               // allreduces issued in the step
    int launched_in_backward = 0;  // of which from hooks, i.e. overlapping backward
  };
  // Figures of the last finished step.
  const StepStats& last_step() const { return last_step_; }

 private:
  class Hook;
  struct HookHandle;

  void on_gradient_ready(std::size_t param);
  void mark_ready(std::size_t param, bool in_backward);
  void launch_ready_buckets(bool in_backward);
  void poll_in_flight();
  void reset_step();

  FlatParameters& flat_;
  Communicator& comm_;
  std::vector<HookHandle> hooks_;
  std::unique_ptr<IntervalTimer> exposed_;

  // Per-step state.
  bool sync_ = true;
  std::vector<bool> ready_;               // parameter's gradient is in
  std::vector<std::size_t> pending_;      // per bucket: parameters not yet ready
  std::size_t next_launch_ = 0;           // buckets [0, next_launch_) have been issued
  std::size_t ready_count_ = 0;
  std::vector<std::unique_ptr<Work>> works_;
  StepStats step_;
  StepStats last_step_;
};

// Communication off for the lifetime of the guard (micro-batches whose gradients only
// accumulate), restored to the previous setting afterwards.
class NoSyncGuard {
 public:
  explicit NoSyncGuard(GradSync& sync) : sync_(sync), previous_(sync.sync_enabled()) {
    sync_.set_sync(false);
  }
  ~NoSyncGuard() { sync_.set_sync(previous_); }
  NoSyncGuard(const NoSyncGuard&) = delete;
  NoSyncGuard& operator=(const NoSyncGuard&) = delete;

 private:
  GradSync& sync_;
  bool previous_;
};

}  // namespace hierad::distributed

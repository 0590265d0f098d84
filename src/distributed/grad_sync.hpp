// Data-parallel gradient averaging in buckets, overlapped with backward (c10d's Reducer, cut down).
//
// Use per optimisation step:
//
//   for (micro-batches but the last) { NoSyncGuard no_sync(sync); loss(mb).backward(); }
//   loss(last).backward();   // hooks copy gradients into buckets and launch allreduces as they fill
//   sync.finish();           // waits, writes the averaged gradients back into param.grad()
//   optimizer.step();
//
// Note [GradSync buckets]
// Parameters are grouped into flat bucket tensors (bucket_assignment.hpp), in reversed parameter
// order, because autograd produces the last layers' gradients first. A post-hook on each parameter's
// gradient accumulator runs once the gradient of this backward has been added to param.grad(); it
// copies that gradient, multiplied by 1/world ("while being copied": one pass, no separate division
// afterwards), into the parameter's slice of its bucket. When a bucket's last gradient has arrived
// the bucket is ready, and ready buckets are launched strictly in bucket order (a ready bucket waits
// for every earlier one), so all ranks issue the same allreduces in the same order whatever the
// order in which their gradients arrive. finish() fills the slots of parameters that got no
// gradient in this step (their param.grad(), accumulated earlier, or zeros), launches whatever is
// left, waits for every bucket, and copies each slice back into param.grad() (creating it when the
// parameter had none: other ranks may have contributed). So a parameter unused on every rank ends
// the step with a zero gradient, not an undefined one.
//
// Design choice: gradients are copied into the buckets and back, not aliased as views of them. The
// copy costs one pass over the gradients per step, but param.grad() stays an ordinary tensor that
// the optimiser, clipping, checkpoints and accumulation can treat as usual.
//
// Accumulation: while sync is off (set_sync(false) / NoSyncGuard) the hooks do nothing and
// gradients simply accumulate in param.grad(); on the first synchronised backward afterwards the
// hooks see the accumulated sum. No communication happens in between.
//
// The hooks run on the thread that executes the parameter's accumulation: for CPU tensors the thread
// that called backward(), for CUDA tensors autograd's device thread. The MPI backend therefore
// needs MPI_THREAD_FUNNELED only on the CPU; the NCCL backend makes no MPI call in allreduce.
#pragma once

#include "src/distributed/bucket_assignment.hpp"
#include "src/distributed/communicator.hpp"

#include <ATen/ATen.h>

#include <cstddef>
#include <memory>
#include <vector>

namespace hierad::distributed {

class GradSync {
 public:
  // `params` are the trainable parameters in the model's order (module->parameters()); every one
  // must be a leaf that requires grad, all on one device. Installs one hook per parameter (none in
  // flat mode). The communicator must outlive this object. Throws std::invalid_argument on bad
  // parameters or options.
  GradSync(std::vector<at::Tensor> params, Communicator& comm, BucketOptions options = {});
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
  // state is reset and the error rethrown.
  void finish();

  const std::vector<BucketLayout>& buckets() const { return layout_; }

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
  void fill_slot(std::size_t param);
  void mark_ready(std::size_t param, bool in_backward);
  void launch_ready_buckets(bool in_backward);
  void poll_in_flight();
  void reset_step();

  std::vector<at::Tensor> params_;
  Communicator& comm_;
  BucketOptions options_;
  std::vector<BucketLayout> layout_;
  std::vector<at::Tensor> buckets_;       // one flat tensor per bucket
  std::vector<at::Tensor> scales_;        // 1/world as a 0-dim tensor of each bucket's dtype
  std::vector<std::size_t> bucket_of_;    // parameter -> bucket
  std::vector<std::int64_t> offset_of_;   // parameter -> offset in its bucket
  std::vector<HookHandle> hooks_;

  // Per-step state.
  bool sync_ = true;
  std::vector<bool> ready_;               // parameter's slot is filled
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

#include "src/distributed/grad_sync.hpp"

#include "src/distributed/errors.hpp"

#include <ATen/core/grad_mode.h>
#include <ATen/record_function.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace hierad::distributed {

// Post-hook on a parameter's AccumulateGrad node: runs after this backward's gradient has been
// added to param.grad() (Note [GradSync buckets]). LibTorch's C++ API has no public
// register_post_accumulate_grad_hook (Python-only in 2.x); this is what c10d's Reducer does.
class GradSync::Hook final : public torch::autograd::FunctionPostHook {
 public:
  Hook(GradSync* owner, std::size_t param) : owner_(owner), param_(param) {}

  torch::autograd::variable_list operator()(
      const torch::autograd::variable_list& outputs,
      const torch::autograd::variable_list& /*inputs*/) override {
    owner_->on_gradient_ready(param_);
    return outputs;
  }

 private:
  GradSync* owner_;
  std::size_t param_;
};

// The accumulator is held here: a parameter keeps only a weak reference to it, so without ours it
// (and the hook on it) would vanish with the first freed graph. grad_accumulator() returns a
// std::shared_ptr<Node> up to LibTorch 2.12 and a c10::intrusive_ptr<Node> from 2.13 on: the type
// is taken from the function itself so that both compile.
using AccumulatorPtr =
    decltype(torch::autograd::impl::grad_accumulator(std::declval<const at::Tensor&>()));

struct GradSync::HookHandle {
  AccumulatorPtr accumulator;
  std::uintptr_t key = 0;
};

GradSync::GradSync(FlatParameters& flat, Communicator& comm)
    : flat_(flat), comm_(comm), exposed_(comm.interval_timer()), ready_(flat.params().size(), false) {
  reset_step();
  // BucketOptions::flat gives one bucket per dtype, reduced in finish(): no hooks needed.
  if (flat_.bucket_options().flat) return;
  hooks_.reserve(flat_.params().size());
  for (std::size_t i = 0; i < flat_.params().size(); ++i) {
    auto accumulator = torch::autograd::impl::grad_accumulator(flat_.params()[i]);
    const std::uintptr_t key = accumulator->add_post_hook(std::make_unique<Hook>(this, i));
    hooks_.push_back(HookHandle{std::move(accumulator), key});
  }
}

GradSync::~GradSync() {
  for (HookHandle& hook : hooks_) hook.accumulator->del_post_hook(hook.key);
}

void GradSync::set_sync(bool enabled) {
  if (ready_count_ != 0) {
    throw std::logic_error("GradSync::set_sync called between a synchronised backward and "
                           "finish(); change it only between steps");
  }
  sync_ = enabled;
}

void GradSync::on_gradient_ready(std::size_t param) {
  if (!sync_) return;
  RECORD_USER_SCOPE("hierad::grad_sync");
  if (ready_[param]) {
    throw std::logic_error("GradSync: the gradient of parameter " + std::to_string(param) +
                           " arrived twice before finish(); call finish() after every "
                           "synchronised backward (use NoSyncGuard for accumulation)");
  }
  // A gradient replaced or dropped since the buffers were set up (Module::zero_grad) goes back into
  // its bucket before the bucket can go out.
  flat_.restore_gradient_view(param);
  mark_ready(param, /*in_backward=*/true);
  poll_in_flight();
}

void GradSync::mark_ready(std::size_t param, bool in_backward) {
  ready_[param] = true;
  ++ready_count_;
  if (--pending_[flat_.bucket_of(param)] == 0) launch_ready_buckets(in_backward);
}

void GradSync::launch_ready_buckets(bool in_backward) {
  // Strictly in bucket order: the same sequence of allreduces on every rank.
  const std::size_t count = flat_.buckets().size();
  while (next_launch_ < count && pending_[next_launch_] == 0) {
    at::Tensor bucket = flat_.bucket_grad(next_launch_);
    if (comm_.size() > 1) {
      at::NoGradGuard no_grad;
      bucket.mul_(1.0 / static_cast<double>(comm_.size()));  // the average, before the sum
    }
    works_[next_launch_] = comm_.allreduce(bucket, ReduceOp::kSum);
    ++step_.buckets;
    if (in_backward) ++step_.launched_in_backward;
    ++next_launch_;
  }
}

void GradSync::poll_in_flight() {
  // MPI progresses nonblocking collectives only inside MPI calls; polling from the hooks lets the
  // issued buckets move while backward computes.
  for (std::size_t b = 0; b < next_launch_; ++b) {
    if (works_[b]) works_[b]->is_completed();
  }
}

void GradSync::finish() {
  if (!sync_) {
    throw std::logic_error("GradSync::finish() called with sync off: nothing was reduced; leave "
                           "the NoSyncGuard before the last micro-batch's backward");
  }
  try {
    exposed_->start();
    for (std::size_t i = 0; i < ready_.size(); ++i) {
      if (ready_[i]) continue;
      flat_.restore_gradient_view(i);
      mark_ready(i, /*in_backward=*/false);
    }
    launch_ready_buckets(/*in_backward=*/false);
    for (auto& work : works_) {
      if (work) work->wait();
    }
    exposed_->stop();
  } catch (...) {
    reset_step();
    throw;
  }
  last_step_ = step_;
  reset_step();
}

void GradSync::reset_step() {
  std::fill(ready_.begin(), ready_.end(), false);
  const auto& buckets = flat_.buckets();
  pending_.assign(buckets.size(), 0);
  for (std::size_t b = 0; b < buckets.size(); ++b) pending_[b] = buckets[b].slots.size();
  next_launch_ = 0;
  ready_count_ = 0;
  works_.clear();
  works_.resize(buckets.size());
  step_ = StepStats{};
}

}  // namespace hierad::distributed

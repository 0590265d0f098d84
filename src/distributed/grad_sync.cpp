#include "src/distributed/grad_sync.hpp"

#include "src/distributed/errors.hpp"

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
// (and the hook on it) would vanish with the first freed graph.
struct GradSync::HookHandle {
  c10::intrusive_ptr<torch::autograd::Node> accumulator;
  std::uintptr_t key = 0;
};

namespace {

std::vector<TensorSpec> specs_of(const std::vector<at::Tensor>& params) {
  std::vector<TensorSpec> specs;
  specs.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const at::Tensor& p = params[i];
    if (!p.defined() || !p.requires_grad() || !p.is_leaf()) {
      throw std::invalid_argument("GradSync: parameter " + std::to_string(i) +
                                  " is not a leaf tensor that requires grad; pass only the "
                                  "trainable parameters");
    }
    if (p.device() != params.front().device()) {
      throw std::invalid_argument("GradSync: parameter " + std::to_string(i) + " is on " +
                                  p.device().str() + " but parameter 0 is on " +
                                  params.front().device().str() + " (one device per process)");
    }
    specs.push_back(TensorSpec{p.numel(), p.scalar_type()});
  }
  return specs;
}

}  // namespace

GradSync::GradSync(std::vector<at::Tensor> params, Communicator& comm, BucketOptions options)
    : params_(std::move(params)),
      comm_(comm),
      options_(options),
      layout_(assign_buckets(specs_of(params_), options_)),
      bucket_of_(params_.size()),
      offset_of_(params_.size()),
      ready_(params_.size(), false) {
  const double scale = 1.0 / static_cast<double>(comm_.size());
  for (std::size_t b = 0; b < layout_.size(); ++b) {
    const auto tensor_options =
        at::TensorOptions().dtype(layout_[b].dtype).device(params_.front().device());
    buckets_.push_back(at::zeros({layout_[b].numel}, tensor_options));
    scales_.push_back(at::scalar_tensor(scale, tensor_options));
    for (const BucketSlot& slot : layout_[b].slots) {
      bucket_of_[slot.param] = b;
      offset_of_[slot.param] = slot.offset;
    }
  }
  reset_step();
  if (options_.flat) return;
  hooks_.reserve(params_.size());
  for (std::size_t i = 0; i < params_.size(); ++i) {
    auto accumulator = torch::autograd::impl::grad_accumulator(params_[i]);
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
  fill_slot(param);
  mark_ready(param, /*in_backward=*/true);
  poll_in_flight();
}

void GradSync::fill_slot(std::size_t param) {
  at::NoGradGuard no_grad;
  const std::size_t b = bucket_of_[param];
  const at::Tensor& p = params_[param];
  at::Tensor slot = buckets_[b].narrow(0, offset_of_[param], p.numel());
  const at::Tensor& grad = p.grad();
  if (!grad.defined()) {
    slot.zero_();  // unused this step: contributes nothing, but the bucket still goes out
    return;
  }
  if (grad.is_sparse() || grad.numel() != p.numel() || grad.scalar_type() != p.scalar_type()) {
    throw DistError("GradSync: " + detail::rank_label() + " the gradient of parameter " +
                    std::to_string(param) + " is sparse or differs from the parameter in size or "
                    "dtype");
  }
  at::mul_out(slot, grad.reshape({-1}), scales_[b]);
}

void GradSync::mark_ready(std::size_t param, bool in_backward) {
  ready_[param] = true;
  ++ready_count_;
  const std::size_t b = bucket_of_[param];
  if (--pending_[b] == 0) launch_ready_buckets(in_backward);
}

void GradSync::launch_ready_buckets(bool in_backward) {
  // Strictly in bucket order: the same sequence of allreduces on every rank.
  while (next_launch_ < buckets_.size() && pending_[next_launch_] == 0) {
    works_[next_launch_] = comm_.allreduce(buckets_[next_launch_], ReduceOp::kSum);
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
    for (std::size_t i = 0; i < params_.size(); ++i) {
      if (!ready_[i]) {
        fill_slot(i);
        mark_ready(i, /*in_backward=*/false);
      }
    }
    launch_ready_buckets(/*in_backward=*/false);  // no-op unless there are no parameters
    for (auto& work : works_) {
      if (work) work->wait();
    }
    at::NoGradGuard no_grad;
    for (std::size_t i = 0; i < params_.size(); ++i) {
      at::Tensor& p = params_[i];
      const at::Tensor slot =
          buckets_[bucket_of_[i]].narrow(0, offset_of_[i], p.numel()).view(p.sizes());
      if (p.grad().defined()) {
        p.mutable_grad().copy_(slot);
      } else {
        p.mutable_grad() = slot.clone();
      }
    }
  } catch (...) {
    reset_step();
    throw;
  }
  last_step_ = step_;
  reset_step();
}

void GradSync::reset_step() {
  std::fill(ready_.begin(), ready_.end(), false);
  pending_.assign(layout_.size(), 0);
  for (std::size_t b = 0; b < layout_.size(); ++b) pending_[b] = layout_[b].slots.size();
  next_launch_ = 0;
  ready_count_ = 0;
  works_.clear();
  works_.resize(layout_.size());
  step_ = StepStats{};
}

}  // namespace hierad::distributed

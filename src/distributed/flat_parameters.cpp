#include "src/distributed/flat_parameters.hpp"

#include <ATen/core/grad_mode.h>

#include <map>
#include <stdexcept>
#include <string>

namespace hierad::distributed {
namespace {

std::vector<TensorSpec> specs_of(const std::vector<at::Tensor>& params) {
  std::vector<TensorSpec> specs;
  specs.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const at::Tensor& p = params[i];
    if (!p.defined() || !p.requires_grad() || !p.is_leaf()) {
      throw std::invalid_argument("FlatParameters: parameter " + std::to_string(i) +
                                  " is not a leaf tensor that requires grad; pass only the "
                                  "trainable parameters");
    }
    if (p.device() != params.front().device()) {
      throw std::invalid_argument("FlatParameters: parameter " + std::to_string(i) + " is on " +
                                  p.device().str() + " but parameter 0 is on " +
                                  params.front().device().str() + " (one device per process)");
    }
    specs.push_back(TensorSpec{p.numel(), p.scalar_type()});
  }
  return specs;
}

}  // namespace

FlatParameters::FlatParameters(std::vector<at::Tensor> params, const BucketOptions& options)
    : params_(std::move(params)),
      options_(options),
      buckets_(assign_buckets(specs_of(params_), options)),
      group_of_(params_.size()),
      offset_of_(params_.size()),
      bucket_of_(params_.size()) {
  // Offsets: buckets of a dtype follow each other in launch order inside its buffer.
  std::map<at::ScalarType, std::size_t> group_index;
  std::vector<std::int64_t> group_numel;
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    const at::ScalarType dtype = buckets_[b].dtype;
    auto [it, inserted] = group_index.emplace(dtype, groups_.size());
    if (inserted) {
      groups_.push_back(Group{dtype, {}, {}});
      group_numel.push_back(0);
    }
    const std::size_t g = it->second;
    bucket_group_.push_back(g);
    bucket_offset_.push_back(group_numel[g]);
    for (const BucketSlot& slot : buckets_[b].slots) {
      group_of_[slot.param] = g;
      offset_of_[slot.param] = group_numel[g] + slot.offset;
      bucket_of_[slot.param] = b;
    }
    group_numel[g] += buckets_[b].numel;
  }
  if (params_.empty()) return;
  const at::Device device = params_.front().device();
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const auto options = at::TensorOptions().dtype(groups_[g].dtype).device(device);
    groups_[g].data = at::empty({group_numel[g]}, options);
    groups_[g].grad = at::zeros({group_numel[g]}, options);
  }
  at::NoGradGuard no_grad;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    at::Tensor& p = params_[i];
    at::Tensor data = view_of(groups_[group_of_[i]].data, i);
    data.copy_(p.detach());
    if (p.grad().defined()) view_of(groups_[group_of_[i]].grad, i).copy_(p.grad());
    p.set_data(data);
    grad_views_.push_back(view_of(groups_[group_of_[i]].grad, i));
    p.mutable_grad() = grad_views_.back();
  }
}

at::Tensor FlatParameters::bucket_grad(std::size_t bucket) const {
  return groups_[bucket_group_[bucket]].grad.narrow(0, bucket_offset_[bucket], buckets_[bucket].numel);
}

at::Tensor FlatParameters::view_of(const at::Tensor& buffer, std::size_t param) const {
  const at::Tensor& p = params_[param];
  return buffer.narrow(0, offset_of_[param], p.numel()).view(p.sizes());
}

void FlatParameters::zero_grad() {
  for (Group& group : groups_) group.grad.zero_();
}

bool FlatParameters::restore_gradient_view(std::size_t param) {
  at::Tensor& p = params_[param];
  at::Tensor& view = grad_views_[param];
  const at::Tensor& grad = p.grad();
  if (grad.defined() && grad.unsafeGetTensorImpl() == view.unsafeGetTensorImpl()) return false;
  at::NoGradGuard no_grad;
  if (grad.defined()) {
    view.copy_(grad);
  } else {
    view.zero_();
  }
  p.mutable_grad() = view;
  return true;
}

void FlatParameters::bump_versions() {
  for (at::Tensor& p : params_) p.unsafeGetTensorImpl()->bump_version();
}

}  // namespace hierad::distributed
